import { z } from "npm:zod@4.6.7";
import { BenchmarkSpecSchema, ExperimentSpecSchema, ProjectSpecSchema } from "./schemas.ts";

/**
 * JSON Schema (draft 2020-12) of a spec kind, for editors (`themis schema benchmark`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { specJsonSchema } from "./json_schema.ts";
 * assert.equal(specJsonSchema("project").type, "object");
 * ```
 */
export function specJsonSchema(
  kind: "project" | "benchmark" | "experiment",
): Record<string, unknown> {
  const schema = kind === "project"
    ? ProjectSpecSchema
    : kind === "benchmark"
    ? BenchmarkSpecSchema
    : ExperimentSpecSchema;
  return {
    ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }),
    title: `themis ${kind} spec`,
  };
}
