import type { JsonObject } from "../core/json.ts";

/** Where a model's requests go: the unit limits, windows and breakers belong to. */
export interface Endpoint extends JsonObject {
  provider: string;
  /** `extras.base_url`, or null for the engine's default. */
  base_url: string | null;
  /** The provider's model name (`extras.model`, else the model id). */
  model: string;
}

/** An endpoint with its map key. */
export interface KeyedEndpoint {
  endpoint: Endpoint;
  key: string;
}

const cache = new WeakMap<object, KeyedEndpoint>();

/**
 * The endpoint of a model: (provider, base_url, model). Two models on the same engine but
 * different servers are two endpoints; one dead server never stops the other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointOf } from "./endpoint.ts";
 * const a = endpointOf({ model_id: "m", provider: "openai", extras: { base_url: "http://a/v1" } });
 * const b = endpointOf({ model_id: "m", provider: "openai", extras: { base_url: "http://b/v1" } });
 * assert.deepEqual(a.endpoint, { provider: "openai", base_url: "http://a/v1", model: "m" });
 * assert.notEqual(a.key, b.key);
 * ```
 */
export function endpointOf(
  model: { model_id: string; provider: string; extras?: JsonObject },
): KeyedEndpoint {
  const known = cache.get(model);
  if (known) return known;
  const extras = model.extras ?? {};
  const endpoint: Endpoint = {
    provider: model.provider,
    base_url: typeof extras.base_url === "string" ? extras.base_url.replace(/\/+$/, "") : null,
    model: typeof extras.model === "string" ? extras.model : model.model_id,
  };
  const keyed = {
    endpoint,
    key: JSON.stringify([endpoint.provider, endpoint.base_url, endpoint.model]),
  };
  cache.set(model, keyed);
  return keyed;
}
