import { ThemisError } from "../../core/errors.ts";

/** Where a check runs: the argument's name and the public function that received it. */
interface Where {
  name: string;
  fn: string;
}

/** Throws QUERY_INVALID when any value is not a finite number, naming the first offender. */
export function assertFiniteValues(values: readonly number[], { name, fn }: Where): void {
  if (!Array.isArray(values)) {
    throw new ThemisError("QUERY_INVALID", `${fn}: ${name} must be an array of numbers`, {
      path: name,
    });
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ThemisError(
        "QUERY_INVALID",
        `${fn}: ${name}[${i}] is ${String(v)}; every value must be a finite number ` +
          `(drop or impute missing scores before computing statistics)`,
        { path: `${name}[${i}]` },
      );
    }
  }
}

/** Throws QUERY_INVALID unless `confidence` is a number strictly between 0 and 1. */
export function assertConfidence(confidence: number, { fn }: { fn: string }): void {
  if (typeof confidence !== "number" || !(confidence > 0 && confidence < 1)) {
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: confidence is ${String(confidence)}; it must be strictly between 0 and 1 ` +
        `(e.g. 0.95)`,
      { path: "confidence" },
    );
  }
}

/** Throws QUERY_INVALID unless `value` is a safe integer in [min, max]. */
export function assertInteger(
  value: number,
  { name, fn, min = -Infinity, max = Infinity }: Where & { min?: number; max?: number },
): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Infinity
      ? (min === -Infinity ? "" : ` >= ${min}`)
      : ` between ${min} and ${max}`;
    throw new ThemisError(
      "QUERY_INVALID",
      `${fn}: ${name} is ${String(value)}; it must be an integer${range}`,
      { path: name },
    );
  }
}
