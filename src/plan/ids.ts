/**
 * Content-addressed identity (DESIGN §2). Golden tests pin these: a change that moves an id
 * must be deliberate and noted in docs/design/identity.md.
 */
import { canonicalJson, contentHash, SHORT_ID_LENGTH } from "../core/canonical.ts";
import { IdHasher } from "./id_hasher.ts";
import type { Json, JsonObject } from "../core/json.ts";
import type { ModelSpec, ParseSpec, PluginRef, PromptVariant, ScoreSpec } from "../spec/schemas.ts";

/** What makes a trial: everything that can change the model's output, nothing that can't. */
export interface TrialIdentity {
  model: ModelSpec;
  prompt: PromptVariant;
  params: JsonObject;
  item: { id: string; payload: JsonObject };
  dataset: DatasetIdentity;
  /** Hooks can change outputs, so they are identity; absent when there are none. */
  hooks?: PluginRef[];
}

/** The slice's dataset identity: which slice, where its items come from, its dimensions. */
export interface DatasetIdentity {
  slice_id: string;
  source: Json;
  dimensions: JsonObject;
}

/**
 * Trial hash: model + prompt template + params + item + dataset identity. Parses, scores,
 * the prompt allow-list and `num_samples` are left out so that adding any of them reuses work.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trialHash } from "./ids.ts";
 * const id = trialHash({
 *   model: { model_id: "m", provider: "mock", extras: {} },
 *   prompt: { id: "p", messages: [{ role: "user", content: "hi" }], variables: {} },
 *   params: {},
 *   item: { id: "1", payload: { id: "1" } },
 *   dataset: { slice_id: "s", source: { kind: "inline" }, dimensions: {} },
 * });
 * assert.equal(id.length, 12);
 * ```
 */
export function trialHash(identity: TrialIdentity): string {
  const { model, prompt } = identity;
  return trialHashFromParts({
    model: canonicalJson({ id: model.model_id, provider: model.provider, extras: model.extras }),
    prompt: canonicalJson({
      id: prompt.id,
      messages: prompt.messages,
      variables: prompt.variables,
    }),
    params: canonicalJson(identity.params),
    item: canonicalJson(identity.item),
    dataset: canonicalJson(identity.dataset),
    hooks: identity.hooks?.length ? canonicalJson(identity.hooks) : undefined,
  });
}

/** The canonical JSON of each part of a trial identity (see `trialHash`). */
export interface TrialHashParts {
  model: string;
  prompt: string;
  params: string;
  item: string;
  dataset: string;
  hooks?: string;
}

/**
 * `trialHash` from parts already in canonical JSON: planning canonicalizes the model, prompt,
 * params and dataset once and only the item per trial. Same bytes, same hash as `trialHash`.
 */
export function trialHashFromParts(parts: TrialHashParts): string {
  return trialHasher(parts)(parts.item);
}

/**
 * `trialHashFromParts` for many items under the same other parts: the text around the item is
 * joined once, and each trial hashes one string.
 */
export function trialHasher(parts: Omit<TrialHashParts, "item">): (item: string) => string {
  const hooks = parts.hooks === undefined ? "" : `"hooks":${parts.hooks},`;
  const hasher = new IdHasher(
    `{"dataset":${parts.dataset},${hooks}"item":`,
    `,"kind":"trial","model":${parts.model},"params":${parts.params},"prompt":${parts.prompt}}`,
  );
  return (item) => hasher.hex(item, SHORT_ID_LENGTH);
}

const candidates = new IdHasher('{"kind":"candidate","sample":', "}");

/** Candidate id: trial hash + sample index, so raising `num_samples` keeps sample 0. */
export function candidateId(trial: string, sample: number): string {
  // The canonical JSON of { kind: "candidate", trial, sample }, written out for speed.
  return candidates.hex(`${sample},"trial":${JSON.stringify(trial)}`, SHORT_ID_LENGTH);
}

/** Parse hash: parse name + extractor ids and configs, in order. */
export function parseHash(parse: ParseSpec, hooks: PluginRef[] = []): string {
  return contentHash({
    kind: "parse",
    name: parse.name,
    extractors: parse.extractors,
    hooks: hooks.length ? hooks : undefined,
  });
}

/** Score hash: score name + metric ids and configs + the hash of the parse it reads. */
export function scoreHash(score: ScoreSpec, parse: string | null, hooks: PluginRef[] = []): string {
  return contentHash({
    kind: "score",
    name: score.name,
    metrics: score.metrics,
    parse,
    hooks: hooks.length ? hooks : undefined,
  });
}

/** Candidate seed handed to the engine: global seed + candidate id, a 31-bit integer. */
export function candidateSeed(globalSeed: number, candidate: string): number {
  return candidateSeeder(globalSeed)(candidate);
}

/** `candidateSeed` for many candidates under one global seed. */
export function candidateSeeder(globalSeed: number): (candidate: string) => number {
  // The canonical JSON of { global_seed, candidate }, written out for speed.
  const hasher = new IdHasher('{"candidate":', `,"global_seed":${canonicalJson(globalSeed)}}`);
  return (candidate) => hasher.uint32(JSON.stringify(candidate)) & 0x7fffffff;
}

export { itemHash } from "../plugins/datasets/select_items.ts";
