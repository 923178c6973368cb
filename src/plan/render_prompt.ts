import { ThemisError } from "../core/errors.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { ChatMessage } from "../plugins/types.ts";

/** The values a prompt template may reference. */
export interface RenderScope {
  item: JsonObject;
  slice: { slice_id: string; dimensions: JsonObject };
  prompt: { id: string; variables: JsonObject };
}

/** Identifies what was being rendered, for error messages. */
export interface RenderContext {
  variantId: string;
  itemId: string;
  sliceId: string;
  /** Spec path of the template, e.g. `prompt_variants[1].messages[0].content`. */
  path?: string;
}

const PLACEHOLDER = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_\-]+)*)\}/g;

function lookup(scope: RenderScope, path: string[]): Json | undefined {
  const [root, ...rest] = path;
  let value: Json | undefined;
  if (root === "item") value = scope.item;
  else if (root === "slice") value = scope.slice as unknown as JsonObject;
  else if (root === "prompt") value = scope.prompt as unknown as JsonObject;
  else return undefined;
  for (const key of rest) {
    if (value === null || typeof value !== "object") return undefined;
    value = Array.isArray(value) ? value[Number(key)] : (value as JsonObject)[key];
    if (value === undefined) return undefined;
  }
  return value;
}

function asText(value: Json): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Render one template string. `{item.field}`, `{slice.dimensions.key}` and
 * `{prompt.variables.key}` are replaced (nested fields with dots); `{{` and `}}` are literal
 * braces. A missing value is a `PLAN_INVALID` error naming the variant, variable and item.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderTemplate } from "./render_prompt.ts";
 * const text = renderTemplate("Q: {item.q} {{x}}", {
 *   item: { q: "1+1" }, slice: { slice_id: "s", dimensions: {} }, prompt: { id: "p", variables: {} },
 * }, { variantId: "p", itemId: "1", sliceId: "s" });
 * assert.equal(text, "Q: 1+1 {x}");
 * ```
 */
export function renderTemplate(
  template: string,
  scope: RenderScope,
  context: RenderContext,
): string {
  return template.replace(PLACEHOLDER, (match, name: string | undefined) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    const value = lookup(scope, name!.split("."));
    if (value === undefined) {
      throw new ThemisError(
        "SPEC_INVALID",
        `Prompt variant "${context.variantId}" uses {${name}}, which item "${context.itemId}" ` +
          `of slice "${context.sliceId}" does not provide`,
        {
          path: context.path ?? `prompt_variants.${context.variantId}`,
          variable: name,
          item: context.itemId,
          slice: context.sliceId,
          suggestion: name!.startsWith("item.")
            ? `add the field "${name!.slice(5)}" to every item, or change the template`
            : "placeholders are {item.<field>}, {slice.dimensions.<key>} or " +
              "{prompt.variables.<key>}; write {{ and }} for literal braces",
        },
      );
    }
    return asText(value);
  });
}

/** Render every message of a prompt variant; `context.path` is the variant's spec path. */
export function renderMessages(
  messages: ReadonlyArray<ChatMessage>,
  scope: RenderScope,
  context: RenderContext,
): ChatMessage[] {
  return messages.map((m, i) => ({
    role: m.role,
    content: renderTemplate(m.content, scope, {
      ...context,
      path: context.path === undefined ? undefined : `${context.path}.messages[${i}].content`,
    }),
  }));
}
