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

const KEYS = ["provider", "model_id", "extras", "params", "rubric", "system", "verdict", "scale"];

/** The judge's settings, from the score's metric `config`. */
interface JudgeConfig {
  provider: string;
  model_id: string;
  extras: JsonObject;
  params: JsonObject;
  rubric: string;
  system?: string;
  verdict: "json" | "line";
  scale?: { min: number; max: number };
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
  const scale = config.scale as { min?: unknown; max?: unknown } | undefined;
  if (
    scale !== undefined &&
    (typeof scale.min !== "number" || typeof scale.max !== "number" || scale.max <= scale.min)
  ) invalid(`scale must be { min = <number>, max = <larger number> }`);
  return {
    provider: config.provider,
    model_id: typeof config.model_id === "string" ? config.model_id : config.provider,
    extras: (config.extras ?? {}) as JsonObject,
    params: (config.params ?? {}) as JsonObject,
    rubric: config.rubric,
    system: typeof config.system === "string" ? config.system : undefined,
    verdict,
    scale: scale as JudgeConfig["scale"],
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
 * Read a verdict strictly: JSON `{"score": <number>, "reason": "…"}` (the first JSON object of
 * the text), or a line `VERDICT: <number | PASS | FAIL>`. Anything else is
 * `JUDGE_UNPARSEABLE`: its own state, never a wrong answer.
 *
 * @example
 * ```ts
 * import { parseVerdict } from "./llm_judge.ts";
 * console.assert(parseVerdict('{"score": 4, "reason": "ok"}', "json").score === 4);
 * console.assert(parseVerdict("Looks right.\nVERDICT: PASS", "line").score === 1);
 * ```
 */
export function parseVerdict(
  output: string,
  verdict: "json" | "line",
): { score: number; reason: string | null } {
  if (verdict === "line") {
    const matches = [...output.matchAll(/^\s*VERDICT:\s*(\S+)\s*$/gim)];
    if (matches.length === 1) {
      const raw = matches[0][1].toUpperCase();
      if (raw === "PASS") return { score: 1, reason: null };
      if (raw === "FAIL") return { score: 0, reason: null };
      if (/^-?\d+(\.\d+)?$/.test(raw)) return { score: Number(raw), reason: null };
    }
    throw new ThemisError(
      "JUDGE_UNPARSEABLE",
      `the judge's answer has ${
        matches.length === 0 ? "no" : "several"
      } "VERDICT: <number|PASS|FAIL>" line` +
        (matches.length > 1 ? "s" : ""),
      { output: output.slice(0, 500) },
    );
  }
  const start = output.indexOf("{");
  const end = output.lastIndexOf("}");
  let parsed: unknown;
  try {
    parsed = start >= 0 && end > start ? JSON.parse(output.slice(start, end + 1)) : undefined;
  } catch {
    parsed = undefined;
  }
  const score = (parsed as { score?: unknown })?.score;
  if (typeof score !== "number" || !Number.isFinite(score)) {
    throw new ThemisError(
      "JUDGE_UNPARSEABLE",
      `the judge's answer is not JSON with a numeric "score"`,
      { output: output.slice(0, 500) },
    );
  }
  const reason = (parsed as { reason?: unknown }).reason;
  return { score, reason: typeof reason === "string" ? reason : null };
}

/**
 * `llm_judge`: any engine as a judge. The rubric template is rendered for the candidate and
 * sent to the judge model; its verdict is parsed strictly (`verdict = "json"` or `"line"`) and,
 * with `scale = { min, max }`, mapped to [0, 1]. The call goes through the run's engines, is
 * recorded as a `judge.completed` event and cached by its own identity (model, messages,
 * params): re-scoring with the same judge costs nothing.
 */
export const llmJudge: Metric = {
  id: "llm_judge",
  pluginApi: PLUGIN_API_VERSION,
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
    const { score, reason } = parseVerdict(output.text, judge.verdict);
    const value = judge.scale
      ? (score - judge.scale.min) / (judge.scale.max - judge.scale.min)
      : score;
    return {
      value,
      details: { raw_score: score, reason, cached: output.cached, judge: judge.model_id },
    };
  },
};
