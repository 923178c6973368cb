import { join } from "node:path";
import type { JsonObject } from "../../core/json.ts";
import type { RunPlan } from "../../plan/plan_run.ts";
import type { BundleManifest, BundleScore } from "../../spec/handoff_schemas.ts";
import type { PlannedScore } from "../../plan/plan_trials.ts";
import { GEN_OVERLAY, parseOverlay, scoreOverlay } from "../../store/events.ts";
import { isFinal, type StoreState } from "../../store/store_state.ts";
import type { Orchestrator, SpecInput } from "../orchestrator.ts";
import { TOOL_VERSION } from "../version.ts";
import { type BundleHead, type ExportedBundle, planHash, writeBundle } from "./bundle_files.ts";
import { batchRequestLine } from "./generation_requests.ts";

/** Options of the bundle exports. */
export interface ExportOptions {
  /** Folder to write the bundle to (default: `<store>/bundles/<kind>-<run>-<bundle id>`). */
  dir?: string;
  /** Folder the spec's relative dataset paths resolve from (default: the project's). */
  specDir?: string;
}

/** The JSONL file of each bundle kind. */
export const BUNDLE_FILES = { generation: "requests.jsonl", evaluation: "items.jsonl" } as const;

/** The separator of an evaluation line's custom_id: `<candidate id>:<score hash>`. */
export const EVALUATION_ID_SEPARATOR = ":";

function bundleHead(plan: RunPlan, kind: BundleManifest["kind"]): BundleHead {
  const { manifest } = plan;
  return {
    bundle_version: 1,
    kind,
    format: kind === "generation" ? "openai-batch" : "themis-evaluation",
    tool: { name: "themis", version: TOOL_VERSION },
    run_id: manifest.run_id,
    plan_hash: planHash(manifest),
    source: {
      kind: manifest.source.kind,
      spec: manifest.source.spec as unknown as JsonObject,
      base_dir: manifest.source.base_dir,
    },
    counts: {},
  };
}

const bundlesRoot = (orchestrator: Orchestrator) => join(orchestrator.store.root, "bundles");

function* generationLines(plan: RunPlan, state: StoreState, counts: Record<string, number>) {
  counts.requests = 0;
  counts.in_store = 0;
  counts.failed_before = 0;
  for (const trial of plan.iterTrials()) {
    for (const candidate of trial.candidates) {
      const status = state.fact(candidate.id, GEN_OVERLAY)?.status;
      if (status === "completed") {
        counts.in_store++;
        continue;
      }
      if (status === "failed") counts.failed_before++;
      counts.requests++;
      yield batchRequestLine(trial, candidate);
    }
  }
}

/**
 * Write the pending generation work of a spec as a bundle: `requests.jsonl` is valid OpenAI
 * Batch API input (one request per candidate, `custom_id` = candidate id) and `bundle.json`
 * holds the spec, the plan hash and the hashes of every line. The run's manifest is persisted
 * so the results can be imported into its run directory.
 */
export async function exportGenerationBundle(
  orchestrator: Orchestrator,
  spec: SpecInput,
  options: ExportOptions = {},
): Promise<ExportedBundle> {
  const plan = await orchestrator.planSpec(spec, { specDir: options.specDir });
  const state = await orchestrator.store.runs.loadState();
  const head = bundleHead(plan, "generation");
  const { dir, manifest } = await writeBundle(head, generationLines(plan, state, head.counts), {
    dir: options.dir,
    bundlesRoot: bundlesRoot(orchestrator),
    fileName: BUNDLE_FILES.generation,
  });
  const c = manifest.counts;
  const notes = [`${c.in_store} generation(s) already in the store are left out.`];
  if (c.failed_before > 0) notes.push(`${c.failed_before} failed before and are included again.`);
  if (c.requests > 0) {
    notes.push(
      `Submit ${BUNDLE_FILES.generation} to the OpenAI Batch API (endpoint ` +
        `/v1/chat/completions), or to any server that takes the same requests, then import ` +
        `the output file: themis import ${dir} <output.jsonl>`,
    );
  }
  return { dir, manifest, items: c.requests, notes };
}

function scoreDefinitions(plan: RunPlan): Record<string, BundleScore> {
  const out: Record<string, BundleScore> = {};
  for (const s of plan.manifest.scores) {
    out[s.hash] = {
      name: s.name,
      task: s.taskId,
      parse: s.parseName,
      parse_hash: s.parseHash,
      metrics: s.metrics.map((m) => ({ id: m.id, config: m.config as JsonObject })),
      reduction: s.reduction,
    };
  }
  return out;
}

/** What an evaluation bundle does with one score of one candidate. */
function scoreWork(
  state: StoreState,
  candidate: string,
  score: PlannedScore,
): "no_generation" | "in_store" | "no_answer" | "blocked" | "item" {
  if (state.fact(candidate, GEN_OVERLAY)?.status !== "completed") return "no_generation";
  if (isFinal(state.fact(candidate, scoreOverlay(score.hash))?.status)) return "in_store";
  if (score.parseHash === null) return "item";
  const parse = state.fact(candidate, parseOverlay(score.parseHash))?.status;
  return parse === "invalid" ? "no_answer" : parse === "completed" ? "item" : "blocked";
}

/** Candidates with a score to export: their texts and answers are read from the events. */
function evaluationPayloads(plan: RunPlan, state: StoreState): Set<string> {
  const want = new Set<string>();
  for (const trial of plan.iterTrials()) {
    const { scores } = plan.stages.get(trial.taskId)!;
    for (const candidate of trial.candidates) {
      if (scores.some((s) => scoreWork(state, candidate.id, s) === "item")) want.add(candidate.id);
    }
  }
  return want;
}

function* evaluationLines(plan: RunPlan, state: StoreState, counts: Record<string, number>) {
  for (const key of ["items", "in_store", "no_answer", "blocked", "no_generation"]) counts[key] = 0;
  for (const trial of plan.iterTrials()) {
    const { scores } = plan.stages.get(trial.taskId)!;
    for (const candidate of trial.candidates) {
      for (const score of scores) {
        const work = scoreWork(state, candidate.id, score);
        if (work !== "item") {
          counts[work]++;
          continue;
        }
        const answer = score.parseHash === null
          ? undefined
          : state.answer(candidate.id, parseOverlay(score.parseHash)) ?? null;
        counts.items++;
        yield JSON.stringify({
          custom_id: `${candidate.id}${EVALUATION_ID_SEPARATOR}${score.hash}`,
          trial: trial.trial,
          candidate: candidate.id,
          sample: candidate.sample,
          slice: trial.taskId,
          model: trial.model.model_id,
          prompt_variant: trial.promptId,
          score: score.hash,
          score_name: score.name,
          metrics: score.metrics.map((m) => m.id),
          text: state.text(candidate.id) ?? "",
          ...(answer !== undefined ? { parse: score.parseName, answer } : {}),
          item: { id: trial.item.id, payload: trial.item.payload },
        });
      }
    }
  }
}

function evaluationNotes(counts: Record<string, number>, dir: string): string[] {
  const notes = [`${counts.in_store} score(s) already in the store are left out.`];
  if (counts.no_answer > 0) {
    notes.push(`${counts.no_answer} score(s) read a parse that found no answer: never scored.`);
  }
  if (counts.blocked > 0) {
    notes.push(
      `${counts.blocked} score(s) wait for a parse that has not run: run "themis transform ` +
        `<spec>" first, then export again.`,
    );
  }
  if (counts.no_generation > 0) {
    notes.push(
      `${counts.no_generation} score(s) have no generation yet: run or import the ` +
        `generations first (themis generate, or a generation bundle).`,
    );
  }
  if (counts.items > 0) {
    notes.push(
      `Score each line of ${BUNDLE_FILES.evaluation} (the metrics of bundle.json "scores"), ` +
        `write one {"custom_id", "metrics": [{"metric", "value"}]} per line, then: ` +
        `themis import ${dir} <scores.jsonl>`,
    );
  }
  return notes;
}

/**
 * Write the pending score work of a spec as a bundle: one line per (candidate, score) with the
 * candidate's text, the parse answer the score reads and the item, plus the score definitions
 * in `bundle.json`. Scores whose parse has not run yet are left out (and counted).
 */
export async function exportEvaluationBundle(
  orchestrator: Orchestrator,
  spec: SpecInput,
  options: ExportOptions = {},
): Promise<ExportedBundle> {
  const plan = await orchestrator.planSpec(spec, { specDir: options.specDir });
  const state = await orchestrator.store.runs.loadState();
  await orchestrator.store.runs.collectPayloads(state, evaluationPayloads(plan, state));
  const head = { ...bundleHead(plan, "evaluation"), scores: scoreDefinitions(plan) };
  const { dir, manifest } = await writeBundle(head, evaluationLines(plan, state, head.counts), {
    dir: options.dir,
    bundlesRoot: bundlesRoot(orchestrator),
    fileName: BUNDLE_FILES.evaluation,
  });
  return {
    dir,
    manifest,
    items: manifest.counts.items,
    notes: evaluationNotes(manifest.counts, dir),
  };
}
