import { ThemisError } from "../core/errors.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { ChatMessage } from "../plugins/types.ts";
import { memberText } from "./json_member_text.ts";

/** The values a prompt template may reference. */
export interface RenderScope {
  /** The item; may be left out when `itemJson` is given (it is parsed when a field needs it). */
  item?: JsonObject;
  /** The item as compact JSON, when at hand: a top-level field is then read from the text. */
  itemJson?: string;
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

function lookup(scope: RenderScope, root: string, rest: readonly string[]): Json | undefined {
  let value: Json | undefined;
  if (root === "item") value = scope.item ??= JSON.parse(scope.itemJson!) as JsonObject;
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
  return renderParts(compileTemplate(template), scope, context);
}

/** A template split into literal text and placeholders (`{{` and `}}` already made literal). */
type TemplatePart = string | { name: string; root: string; rest: string[] };

function compileTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let at = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    literal += template.slice(at, match.index);
    at = match.index + match[0].length;
    if (match[0] === "{{") literal += "{";
    else if (match[0] === "}}") literal += "}";
    else {
      if (literal !== "") parts.push(literal);
      literal = "";
      const [root, ...rest] = match[1].split(".");
      parts.push({ name: match[1], root, rest });
    }
  }
  literal += template.slice(at);
  if (literal !== "") parts.push(literal);
  return parts;
}

function renderParts(parts: TemplatePart[], scope: RenderScope, context: RenderContext): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    if (scope.itemJson !== undefined && part.root === "item" && part.rest.length === 1) {
      const text = memberText(scope.itemJson, part.rest[0]);
      if (text !== undefined) {
        out += text;
        continue;
      }
    }
    const value = lookup(scope, part.root, part.rest);
    if (value === undefined) throw missingVariable(part.name, context);
    out += asText(value);
  }
  return out;
}

function missingVariable(name: string, context: RenderContext): ThemisError {
  return new ThemisError(
    "SPEC_INVALID",
    `Prompt variant "${context.variantId}" uses {${name}}, which item "${context.itemId}" ` +
      `of slice "${context.sliceId}" does not provide`,
    {
      path: context.path ?? `prompt_variants.${context.variantId}`,
      variable: name,
      item: context.itemId,
      slice: context.sliceId,
      suggestion: name.startsWith("item.")
        ? `add the field "${name.slice(5)}" to every item, or change the template`
        : "placeholders are {item.<field>}, {slice.dimensions.<key>} or " +
          "{prompt.variables.<key>}; write {{ and }} for literal braces",
    },
  );
}

/** Renders a prompt variant's messages; its templates are split once, when it is made. */
export type MessagesRenderer = (scope: RenderScope, context: RenderContext) => ChatMessage[];

/**
 * A renderer of these messages (see {@linkcode renderMessages}) for rendering them many times:
 * planning renders a variant once per item.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { messagesRenderer } from "./render_prompt.ts";
 * const render = messagesRenderer([{ role: "user", content: "Q: {item.q}" }]);
 * const scope = { slice: { slice_id: "s", dimensions: {} }, prompt: { id: "p", variables: {} } };
 * const context = { variantId: "p", itemId: "1", sliceId: "s" };
 * assert.deepEqual(render({ ...scope, item: { q: "2+2" } }, context), [
 *   { role: "user", content: "Q: 2+2" },
 * ]);
 * ```
 */
export function messagesRenderer(messages: ReadonlyArray<ChatMessage>): MessagesRenderer {
  const compiled = messages.map((m) => ({ role: m.role, parts: compileTemplate(m.content) }));
  return (scope, context) => {
    const out: ChatMessage[] = new Array(compiled.length);
    for (let i = 0; i < compiled.length; i++) {
      const { role, parts } = compiled[i];
      let content: string;
      try {
        content = renderParts(parts, scope, context);
      } catch (error) {
        if (context.path === undefined) throw error;
        // Again with the message's own path, made only on failure (rendering runs per item).
        renderParts(parts, scope, { ...context, path: `${context.path}.messages[${i}].content` });
        throw error;
      }
      out[i] = { role, content };
    }
    return out;
  };
}

/** Render every message of a prompt variant; `context.path` is the variant's spec path. */
export function renderMessages(
  messages: ReadonlyArray<ChatMessage>,
  scope: RenderScope,
  context: RenderContext,
): ChatMessage[] {
  return messagesRenderer(messages)(scope, context);
}
