import type { Json } from "../../core/json.ts";

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

const SECRET_KEY = /key|token|secret|passw|authorization|credential|cookie/i;
const ENV_NAME_KEY = /_env$/i;
const SECRET_VALUE = /\b(sk|pk|rk|xox[abp])-[A-Za-z0-9_-]{12,}/g;
const SECRET_PARAM = /([?&][^=&#]*(key|token|secret|sig|passw)[^=&#]*=)[^&#]*/gi;

function redactString(value: string): string {
  let out = value.replace(SECRET_VALUE, REDACTED);
  // Credentials inside a URL: user:password@ and secret query parameters.
  out = out.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, `$1${REDACTED}@`);
  return out.replace(SECRET_PARAM, `$1${REDACTED}`);
}

/**
 * A copy of a JSON value with secrets replaced by `[redacted]`: the value of any key that
 * contains key, token, secret, password, authorization, credential or cookie (numbers and
 * booleans such as `max_tokens` stay; `*_env` keys such as `api_key_env` keep the variable
 * name, never a value), credentials in URLs, and strings shaped like API keys (`sk-…`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactSecrets } from "./redact.ts";
 * const out = redactSecrets({ api_key: "sk-abc", api_key_env: "OPENAI_API_KEY", max_tokens: 64 });
 * assert.ok(JSON.stringify(out) ===
 *   '{"api_key":"[redacted]","api_key_env":"OPENAI_API_KEY","max_tokens":64}');
 * ```
 */
export function redactSecrets(value: Json): Json {
  if (typeof value === "string") return redactString(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!SECRET_KEY.test(key) || v === null || typeof v === "number" || typeof v === "boolean") {
      out[key] = redactSecrets(v);
    } else if (ENV_NAME_KEY.test(key) && typeof v === "string") {
      out[key] = /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? v : REDACTED;
    } else {
      out[key] = REDACTED;
    }
  }
  return out;
}
