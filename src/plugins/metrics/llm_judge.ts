import { closestMatch } from "../../core/closest.ts";
import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import {
  type ChatMessage,
  type Metric,
  type MetricInput,
  type ModelRef,
  PLUGIN_API_VERSION,
} from "../types.ts";
import {
  parseVerdict,
  readVerdictScale,
  scaleDetails,
  scaleRange,
  scoreVerdict,
  type VerdictScale,
} from "./judge_verdict.ts";

/** The config keys `llm_judge` accepts (besides `reference`). */
export const JUDGE_CONFIG_KEYS = [
  "provider",
  "model_id",
  "extras",
  "params",
  "rubric",
  "system",
  "verdict",
  "scale",
];
const KEYS = JUDGE_CONFIG_KEYS;

/** The judge's settings, from the score's metric `config`. */
interface JudgeConfig {
  provider: string;
  model_id: string;
  extras: JsonObject;
  params: JsonObject;
  rubric: string;
  system?: string;
  verdict: "json" | "line";
  scale: VerdictScale;
}

function invalid(message: string): never {
  throw new ThemisError("SPEC_INVALID", `llm_judge: ${message}`);
}

function readConfig(config: JsonObject): JudgeConfig {
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key) && key !== "reference") {
      const close = closestMatch(key, KEYS);
      invalid(`unknown config key "${key}"${close ? ` (did you mean "${close}"?)` : ""}`);
    }
  }
  if (typeof config.provider !== "string") invalid(`config needs "provider" (the judge's engine)`);
  if (typeof config.rubric !== "string" || config.rubric === "") {
    invalid(
      `config needs "rubric", a prompt template with {candidate.text}, {item.<field>}, ` +
        `{parse.answer}`,
    );
  }
  const verdict = config.verdict ?? "json";
  if (verdict !== "json" && verdict !== "line") invalid(`verdict must be "json" or "line"`);
  return {
    provider: config.provider,
    model_id: typeof config.model_id === "string" ? config.model_id : config.provider,
    extras: (config.extras ?? {}) as JsonObject,
    params: (config.params ?? {}) as JsonObject,
    rubric: config.rubric,
    system: typeof config.system === "string" ? config.system : undefined,
    verdict,
    scale: readVerdictScale(config.scale),
  };
}

function text(value: Json | undefined): string {
  return value === undefined || value === null
    ? ""
    : typeof value === "string"
    ? value
    : JSON.stringify(value);
}

/** Fill `{candidate.text}`, `{parse.answer}` and `{item.<field>}`; `{{`/`}}` are braces. */
export function renderRubric(template: string, input: MetricInput): string {
  return template.replace(/\{\{|\}\}|\{([a-z_]+)\.([A-Za-z0-9_.\-]+)\}/g, (m, root, path) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    if (root === "candidate" && path === "text") return input.text;
    if (root === "parse" && path === "answer") return text(input.prediction);
    if (root === "item") {
      let value: Json | undefined = input.item;
      for (const key of (path as string).split(".")) {
        value = value !== null && typeof value === "object" && !Array.isArray(value)
          ? (value as JsonObject)[key]
          : undefined;
      }
      if (value === undefined) invalid(`the rubric uses {item.${path}}, which the item lacks`);
      return text(value);
    }
    return invalid(
      `unknown placeholder ${m}: use {candidate.text}, {parse.answer}, {item.<field>}`,
    );
  });
}

/**
 * `llm_judge`: any engine as a judge. The rubric template is rendered for the candidate and
 * sent to the judge model; its verdict is parsed strictly (`verdict = "json"` or `"line"`),
 * checked against the declared `scale` and normalised to [0, 1]:
 *
 * - no `scale`: PASS/FAIL (or 1/0) → 1/0, a binary metric;
 * - `scale = [min, max]` (or `{ min, max }`): a number in [min, max] → (v − min)/(max − min);
 * - `scale = ["wrong", "partial", "right"]`: a label (any case) → index/(labels − 1).
 *
 * A verdict off the scale (a 3 with no scale, a 7 on [1, 5]) is invalid — `JUDGE_UNPARSEABLE`
 * with `details.reason = "out_of_scale"` — exactly like a verdict that cannot be read. Details
 * keep the raw `verdict`, `raw_score` (the number, or null for a word), the `scale`, the
 * judge's `reason`, `cached` and the `judge` model. The call goes through the run's engines,
 * is recorded as a `judge.completed` event and cached by its own identity (model, messages,
 * params): re-scoring with the same judge costs nothing.
 */
export const llmJudge: Metric = {
  id: "llm_judge",
  pluginApi: PLUGIN_API_VERSION,
  doc: {
    summary:
      "A model as judge: the rubric is rendered for the candidate and sent to the judge; its verdict is read strictly, checked against `scale` and normalised to [0, 1]. Without a scale the verdict is PASS/FAIL (or 1/0) and the metric is binary. A verdict that cannot be read or lies off the scale is an invalid score (`JUDGE_UNPARSEABLE`), never a wrong answer.",
    config: {
      provider: "the judge's engine (required)",
      model_id: "the judge model (default: the provider name)",
      extras: "model extras such as `base_url`, `api_key_env`",
      params: "inference params of the judge call",
      rubric:
        "prompt template with `{candidate.text}`, `{parse.answer}`, `{item.<field>}` (required)",
      system: "an optional system message",
      verdict: '`"json"` (default: `{"score": …, "reason": …}`) or `"line"` (`VERDICT: …`)',
      scale:
        "`[min, max]` (or `{ min, max }`) for numbers, a list of labels worst first, or absent for PASS/FAIL",
    },
    example:
      'metrics = [{ id = "llm_judge", config = { provider = "openai", model_id = "gpt-4o-mini", rubric = "Reference: {item.answer}\\nAnswer: {candidate.text}\\nGrade 1-5 as JSON.", scale = [1, 5] } }]',
  },
  range: { min: 0, max: 1 },
  rangeFor(config) {
    return scaleRange(readConfig(config).scale);
  },
  validateConfig(config) {
    readConfig(config);
  },
  score() {
    throw new ThemisError("PLUGIN_ERROR", "llm_judge calls a model: it runs through evaluate()");
  },
  async evaluate(input, config, context) {
    const judge = readConfig(config);
    const messages: ChatMessage[] = [];
    if (judge.system) messages.push({ role: "system", content: judge.system });
    messages.push({ role: "user", content: renderRubric(judge.rubric, input) });
    const model: ModelRef = {
      model_id: judge.model_id,
      provider: judge.provider,
      extras: judge.extras,
    };
    const output = await context.judge({ model, messages, params: judge.params });
    const { verdict, reason } = parseVerdict(output.text, judge.verdict);
    return {
      value: scoreVerdict(verdict, judge.scale),
      details: {
        verdict,
        raw_score: typeof verdict === "number" ? verdict : null,
        scale: scaleDetails(judge.scale),
        reason,
        cached: output.cached,
        judge: judge.model_id,
      },
    };
  },
};
