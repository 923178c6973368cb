import { BINARY, UNIT_INTERVAL } from "./metric_range.ts";
import { ThemisError } from "../../core/errors.ts";
import type { Json, JsonObject } from "../../core/json.ts";
import { canonicalJson, sha256Hex } from "../../core/canonical.ts";
import { runSandboxed } from "../../sandbox/run_sandboxed.ts";
import {
  SANDBOX_LANGUAGES,
  type SandboxLanguage,
  type SandboxLimits,
  type SandboxOutcome,
  type SandboxProgram,
} from "../../sandbox/sandbox_types.ts";
import { canonicalLanguage, selectCode } from "../extractors/code_block.ts";
import { readConfig } from "../extractors/read_config.ts";
import { type Metric, type MetricInput, PLUGIN_API_VERSION } from "../types.ts";

const ID = "code_tests";
const KEYS = [
  "reference", // every metric takes it (a reference field); code_tests reads tests instead
  "language",
  "language_field",
  "tests_field",
  "prefix_field",
  "extract",
  "timeout",
  "memory_mb",
  "max_output_bytes",
  "partial",
];
/** Characters of stdout, stderr and the failure message kept in a score's details. */
const DETAIL_CHARS = 1000;
/** Recent executions of this thread, by program and limits. */
const RECENT = 64;
const recent = new Map<string, Promise<SandboxOutcome>>();

/**
 * Two scores of one candidate (pass@1 and pass@5 are two scores of the same metric) run in the
 * same task, one after the other: the second reuses the first's execution instead of running
 * the same program again.
 */
function execute(program: SandboxProgram, limits: SandboxLimits): Promise<SandboxOutcome> {
  const key = sha256Hex(canonicalJson({ program: { ...program }, limits: { ...limits } }));
  let outcome = recent.get(key);
  if (outcome === undefined) {
    outcome = runSandboxed(program, limits);
    outcome.catch(() => recent.delete(key));
    recent.set(key, outcome);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  }
  return outcome.then((o) => structuredClone(o));
}

/** The settings of `code_tests`, from the score's metric `config`. */
export interface CodeTestsOptions {
  /** One language for every item; else each item's `languageField`. */
  language?: SandboxLanguage;
  languageField: string;
  testsField: string;
  prefixField?: string;
  extract: "auto" | "fenced" | "none";
  /** Seconds. */
  timeout: number;
  memoryMb: number;
  maxOutputBytes: number;
  partial: boolean;
}

const isLanguage = (value: string): value is SandboxLanguage =>
  (SANDBOX_LANGUAGES as readonly string[]).includes(value);

/**
 * Read and check the config of `code_tests`; every problem is `SPEC_INVALID` naming the key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCodeTestsConfig } from "./code_tests.ts";
 * assert.equal(parseCodeTestsConfig({ language: "py" }).language, "python");
 * assert.throws(() => parseCodeTestsConfig({ timeout: -1 }), /timeout/);
 * ```
 */
export function parseCodeTestsConfig(config: JsonObject): CodeTestsOptions {
  const read = readConfig(config, ID);
  read.only(KEYS);
  const raw = read.string("language");
  const language = raw === undefined ? undefined : canonicalLanguage(raw);
  if (language !== undefined && !isLanguage(language)) {
    read.fail("language", `must be one of ${SANDBOX_LANGUAGES.join(", ")}, got "${raw}"`);
  }
  const timeout = read.number("timeout", { fallback: 10 })!;
  if (!(timeout > 0 && timeout <= 600)) {
    read.fail("timeout", `must be seconds, more than 0 and at most 600, got ${timeout}`);
  }
  const memoryMb = read.number("memory_mb", { fallback: 256, integer: true, min: 64 })!;
  if (memoryMb > 16_384) read.fail("memory_mb", `must be at most 16384, got ${memoryMb}`);
  return {
    language: language as SandboxLanguage | undefined,
    languageField: read.string("language_field") ?? "language",
    testsField: read.string("tests_field") ?? "tests",
    prefixField: read.string("prefix_field"),
    extract: read.oneOf("extract", ["auto", "fenced", "none"] as const, "auto"),
    timeout,
    memoryMb,
    maxOutputBytes: read.number("max_output_bytes", {
      fallback: 1_048_576,
      integer: true,
      min: 1024,
    })!,
    partial: read.boolean("partial", false),
  };
}

function dataError(message: string, field: string): never {
  throw new ThemisError("DATASET_INVALID", `${ID}: ${message}`, { field });
}

function languageOf(item: JsonObject, options: CodeTestsOptions): SandboxLanguage {
  if (options.language !== undefined) return options.language;
  const value = item[options.languageField];
  const language = typeof value === "string" ? canonicalLanguage(value) : undefined;
  if (language === undefined || !isLanguage(language)) {
    dataError(
      `the item's "${options.languageField}" must be one of ${SANDBOX_LANGUAGES.join(", ")} ` +
        `(got ${JSON.stringify(value) ?? "nothing"}); or set the metric's "language"`,
      options.languageField,
    );
  }
  return language;
}

function testsOf(item: JsonObject, field: string): string[] {
  const value: Json | undefined = item[field];
  const tests = typeof value === "string" ? [value] : value;
  if (!Array.isArray(tests) || tests.length === 0 || tests.some((t) => typeof t !== "string")) {
    dataError(
      `the item's "${field}" must be a test (a string of code) or a non-empty list of them`,
      field,
    );
  }
  return tests as string[];
}

/** The code to run: the parse's answer as is, or the code block of the raw text. */
function codeOf(input: MetricInput, language: SandboxLanguage, options: CodeTestsOptions) {
  const text = typeof input.prediction === "string"
    ? input.prediction
    : JSON.stringify(input.prediction);
  // A parse's answer (say, from code_block) is the code already.
  if (options.extract === "none" || input.prediction !== input.text) {
    return { ok: true as const, code: text };
  }
  return selectCode(text, { language, unfenced: options.extract === "auto" });
}

function clip(text: string | null): string | null {
  if (text === null || text.length <= DETAIL_CHARS) return text;
  return text.slice(0, DETAIL_CHARS) + "…";
}

function details(outcome: SandboxOutcome, language: SandboxLanguage): JsonObject {
  return {
    language,
    tests_passed: outcome.passed,
    tests_total: outcome.total,
    failure_kind: outcome.kind,
    failure: clip(outcome.message),
    stdout: clip(outcome.stdout),
    stderr: clip(outcome.stderr),
    duration_ms: outcome.durationMs,
  };
}

/**
 * Prefix (the item's `prefix_field`, e.g. a HumanEval prompt) + code, so a completion that
 * continues the prompt runs whole.
 */
function withPrefix(code: string, item: JsonObject, field: string | undefined): string {
  if (field === undefined) return code;
  const prefix = item[field];
  if (typeof prefix !== "string") dataError(`the item's "${field}" must be a string`, field);
  return prefix.endsWith("\n") ? prefix + code : `${prefix}\n${code}`;
}

/**
 * `code_tests`: run the candidate's code against the item's tests in a sandbox (a Deno
 * process without permissions; Python in Pyodide) and score 1 when every test passes, else 0
 * (`partial = true`: the share of tests passed). Reads the raw text (the code block in the
 * item's language; with `extract = "auto"`, the whole text when it has no fence at all) or a
 * parse's answer (used as is).
 * Config: `language` (else the item's `language_field`, default "language"), `tests_field`
 * (default "tests": a string or a list of strings), `prefix_field`, `extract` ("auto", "fenced",
 * "none"), `timeout` (seconds, default 10), `memory_mb` (default 256), `max_output_bytes`
 * (default 1 MiB), `partial`. Details: tests passed/total, failure kind and message, stdout and
 * stderr excerpts, duration. See docs/code_execution.md.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeTests } from "./code_tests.ts";
 * const text = "~~~python\ndef add(a, b):\n    return a + b\n~~~";
 * const input = { prediction: text, text, item: { tests: ["assert add(2, 2) == 4"] }, reference: undefined };
 * const result = await codeTests.evaluate!(input, { language: "python", timeout: 60 }, {
 *   judge: () => Promise.reject(new Error("no judge")),
 * });
 * assert.equal(result.value, 1);
 * assert.equal(result.details?.tests_passed, 1);
 * ```
 */
export const codeTests: Metric = {
  id: ID,
  pluginApi: PLUGIN_API_VERSION,
  range: BINARY,
  rangeFor: (config) => (config.partial === true ? UNIT_INTERVAL : BINARY),
  doc: {
    summary: "Runs the candidate's code (TypeScript/JavaScript with Deno, Python with Pyodide) " +
      "against the item's tests in a sandbox without permissions: 1 when every test passes " +
      "(with `partial`, the share that pass). docs/code_execution.md has the details.",
    config: {
      language: "`python`, `typescript` or `javascript` (default: the item's `language_field`)",
      language_field: 'item field naming the language (default `"language"`)',
      tests_field: 'item field holding the tests (default `"tests"`)',
      prefix_field: "item field with code the answer completes (a function signature, …)",
      extract: "`auto` (fenced block, else the whole text), `fenced` or `none` (default `auto`)",
      timeout: "seconds one execution may take (default 10, at most 600)",
      memory_mb: "memory one execution may use (default 256)",
      max_output_bytes: "output an execution may print before it is stopped (default 1048576)",
      partial: "score the share of tests that pass instead of all-or-nothing (default `false`)",
    },
    example: 'metrics = [{ id = "code_tests", config = { language = "python", timeout = 5 } }]',
  },
  validateConfig(config) {
    parseCodeTestsConfig(config);
  },
  score() {
    throw new ThemisError("PLUGIN_ERROR", `${ID} runs code: it runs through evaluate()`);
  },
  async evaluate(input, config) {
    const options = parseCodeTestsConfig(config);
    const language = languageOf(input.item, options);
    const tests = testsOf(input.item, options.testsField);
    const found = codeOf(input, language, options);
    const code = found.ok ? withPrefix(found.code, input.item, options.prefixField) : "";
    const outcome = await execute({ language, code, tests }, {
      timeoutMs: options.timeout * 1000,
      memoryMb: options.memoryMb,
      maxOutputBytes: options.maxOutputBytes,
    });
    if (!found.ok) outcome.message = found.error;
    const value = options.partial ? outcome.passed / outcome.total : outcome.kind === null ? 1 : 0;
    return { value, details: details(outcome, language) };
  },
};
