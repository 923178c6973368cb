import { isAbsolute, resolve } from "node:path";
import type { RunPlan } from "../../plan/plan_run.ts";
import type { PlannedCandidate, PlannedTrial } from "../../plan/plan_trials.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import { GEN_OVERLAY, scoreOverlay } from "../../store/events.ts";
import { validateBenchmark, validateExperiment } from "../../spec/validate_spec.ts";
import type { Orchestrator } from "../orchestrator.ts";
import { bundleInvalid, importInvalid } from "./_errors.ts";
import { type BundleLine, loadBundle, type LoadedBundle, planHash } from "./bundle_files.ts";
import { EVALUATION_ID_SEPARATOR } from "./export_bundle.ts";
import { batchRequestLine } from "./generation_requests.ts";
import {
  generationOutcome,
  parseGenerationRecord,
  parseScoreRecord,
  scoreOutcome,
} from "./import_records.ts";
import { readRecords, type RecordsInput } from "./read_records.ts";
import { type ImportEntry, writeImports } from "./write_imports.ts";

/** A bundle folder, or a bundle already loaded with `loadBundle`. */
export type BundleInput = string | LoadedBundle;

/** A planned candidate and its trial. */
export interface PlannedTarget {
  trial: PlannedTrial;
  candidate: PlannedCandidate;
}

/** The folder a stored spec's relative paths resolve from (as `resume` does). */
export function storedSpecDir(storeRoot: string, baseDir: string): string {
  return isAbsolute(baseDir) ? baseDir : resolve(storeRoot, baseDir);
}

/** Plan the spec a bundle carries again, and check it still plans the bundle's run. */
async function replanBundle(orchestrator: Orchestrator, bundle: LoadedBundle): Promise<RunPlan> {
  const { manifest } = bundle;
  const specDir = storedSpecDir(orchestrator.store.root, manifest.source.base_dir);
  const { kind, spec: raw } = manifest.source;
  const spec = kind === "benchmark" ? validateBenchmark(raw) : validateExperiment(raw);
  const plan = await orchestrator.planSpec(spec, { specDir });
  if (plan.manifest.run_id !== manifest.run_id) {
    throw bundleInvalid(
      `Bundle ${bundle.dir} was cut from run ${manifest.run_id}, but its spec now plans run ` +
        `${plan.manifest.run_id}: a dataset, plugin or bundle.json changed since export. ` +
        `Restore them, or export a new bundle.`,
      { runId: manifest.run_id, now: plan.manifest.run_id },
    );
  }
  if (planHash(plan.manifest) !== manifest.plan_hash) {
    throw bundleInvalid(
      `Bundle ${bundle.dir}: plan_hash in bundle.json does not match the plan of run ` +
        `${manifest.run_id}: the manifest was edited. Export the bundle again.`,
    );
  }
  return plan;
}

/** Every planned candidate, by id, and the subset the bundle lists. */
export function indexPlan(plan: RunPlan, wanted: ReadonlySet<string>) {
  const all = new Set<string>();
  const targets = new Map<string, PlannedTarget>();
  for (const trial of plan.iterTrials()) {
    for (const candidate of trial.candidates) {
      all.add(candidate.id);
      if (wanted.has(candidate.id)) targets.set(candidate.id, { trial, candidate });
    }
  }
  return { all, targets };
}

function requireKind(bundle: LoadedBundle, kind: "generation" | "evaluation"): void {
  if (bundle.manifest.kind !== kind) {
    throw bundleInvalid(
      `Bundle ${bundle.dir} is a ${bundle.manifest.kind} bundle; import it with ` +
        `import${bundle.manifest.kind === "generation" ? "Generation" : "Evaluation"}Results ` +
        `(the CLI's "themis import" picks the right one)`,
    );
  }
}

function tamperedLine(bundle: LoadedBundle, line: BundleLine, why: string) {
  return bundleInvalid(
    `Bundle file ${bundle.dir}/${bundle.manifest.file.name} line ${line.line} (custom_id ` +
      `${line.customId}) ${why}: the bundle was changed after export. Export it again.`,
    { file: bundle.manifest.file.name, line: line.line },
  );
}

/** Name a record's custom_id that the bundle does not list, and why. */
function notInBundle(where: string, id: string, o: { planned: boolean; runId: string }): string {
  return o.planned
    ? `${where}: custom_id ${id} was not pending when the bundle was exported (it is not in ` +
      `the bundle): import it with the bundle it came from`
    : `${where}: unknown custom_id ${id}: run ${o.runId} plans no such work`;
}

function duplicateCheck() {
  const seen = new Map<string, string>();
  return (id: string, where: string, issues: string[]): boolean => {
    const first = seen.get(id);
    if (first !== undefined) {
      issues.push(`${where}: custom_id ${id} was already given at ${first}`);
      return false;
    }
    seen.set(id, where);
    return true;
  };
}

/**
 * Import generations made elsewhere for a generation bundle: the bundle is checked (hashes,
 * each line against the plan), every record is checked (schema, known and pending id, no
 * duplicates; all problems reported at once, nothing written), then the generations are
 * appended to the run's events as a local run would write them. Records may be themis records
 * (`{custom_id, text, usage?, …}` or `{custom_id, error}`) or OpenAI Batch API output lines.
 * Idempotent: facts the store already holds are skipped.
 */
export async function importGenerationResults(
  orchestrator: Orchestrator,
  bundle: BundleInput,
  records: RecordsInput,
): Promise<ExperimentResult> {
  const loaded = typeof bundle === "string" ? await loadBundle(bundle) : bundle;
  requireKind(loaded, "generation");
  const { source, records: raw } = await readRecords(records);
  const plan = await replanBundle(orchestrator, loaded);
  const { all, targets } = indexPlan(plan, new Set(loaded.lines.map((l) => l.customId)));
  for (const line of loaded.lines) {
    const target = targets.get(line.customId);
    if (target === undefined) throw tamperedLine(loaded, line, "names no candidate of the run");
    if (JSON.stringify(line.value) !== batchRequestLine(target.trial, target.candidate)) {
      throw tamperedLine(loaded, line, "is not the request the plan makes");
    }
  }
  const issues: string[] = [];
  const fresh = duplicateCheck();
  const entries: ImportEntry[] = [];
  for (const r of raw) {
    const parsed = parseGenerationRecord(r, issues);
    if (parsed === undefined || !fresh(parsed.customId, r.where, issues)) continue;
    const target = targets.get(parsed.customId);
    if (target === undefined) {
      const planned = all.has(parsed.customId);
      issues.push(notInBundle(r.where, parsed.customId, { planned, runId: plan.manifest.run_id }));
      continue;
    }
    const generation = generationOutcome(parsed, target.trial);
    entries.push({
      ...target,
      overlay: GEN_OVERLAY,
      result: { generation, parses: [], scores: [] },
      latencyMs: "record" in parsed ? parsed.record.latency_ms : undefined,
    });
  }
  if (issues.length > 0) throw importInvalid(source, issues);
  const origin = { stage: "generation" as const, bundle: loaded.manifest.bundle_id };
  return await writeImports(orchestrator, { plan, entries, origin });
}

/** Check the lines of an evaluation bundle against the plan; the (candidate, score) of each. */
function evaluationTargets(loaded: LoadedBundle, plan: RunPlan) {
  const split = (id: string) => {
    const at = id.lastIndexOf(EVALUATION_ID_SEPARATOR);
    return { candidate: id.slice(0, at), score: id.slice(at + 1) };
  };
  const wanted = new Set(loaded.lines.map((l) => split(l.customId).candidate));
  const { all, targets } = indexPlan(plan, wanted);
  const out = new Map<string, PlannedTarget & { score: RunPlan["manifest"]["scores"][number] }>();
  for (const line of loaded.lines) {
    const ids = split(line.customId);
    const target = targets.get(ids.candidate);
    const score = target &&
      plan.stages.get(target.trial.taskId)!.scores.find((s) => s.hash === ids.score);
    if (!target || !score || line.value.trial !== target.trial.trial) {
      throw tamperedLine(loaded, line, "names no (candidate, score) of the run");
    }
    out.set(line.customId, { ...target, score });
  }
  return { all, targets: out };
}

/**
 * Import scores computed elsewhere for an evaluation bundle: records are
 * `{custom_id, metrics: [{metric, value, details?}]}` (every metric of the score, once),
 * `{custom_id, value}` for a one-metric score, or `{custom_id, error}`. Checked like
 * generation imports, appended as `score.completed` / `score.failed`, idempotent.
 */
export async function importEvaluationResults(
  orchestrator: Orchestrator,
  bundle: BundleInput,
  records: RecordsInput,
): Promise<ExperimentResult> {
  const loaded = typeof bundle === "string" ? await loadBundle(bundle) : bundle;
  requireKind(loaded, "evaluation");
  const { source, records: raw } = await readRecords(records);
  const plan = await replanBundle(orchestrator, loaded);
  const { all, targets } = evaluationTargets(loaded, plan);
  const issues: string[] = [];
  const fresh = duplicateCheck();
  const entries: ImportEntry[] = [];
  for (const r of raw) {
    const parsed = parseScoreRecord(r, issues);
    if (parsed === undefined || !fresh(parsed.customId, r.where, issues)) continue;
    const target = targets.get(parsed.customId);
    if (target === undefined) {
      const candidate = parsed.customId.split(EVALUATION_ID_SEPARATOR)[0];
      const planned = all.has(candidate);
      issues.push(notInBundle(r.where, parsed.customId, { planned, runId: plan.manifest.run_id }));
      continue;
    }
    const score = scoreOutcome(parsed, target.score, issues);
    if (score === undefined) continue;
    entries.push({
      trial: target.trial,
      candidate: target.candidate,
      overlay: scoreOverlay(target.score.hash),
      result: { parses: [], scores: [score] },
    });
  }
  if (issues.length > 0) throw importInvalid(source, issues);
  const origin = { stage: "score" as const, bundle: loaded.manifest.bundle_id };
  return await writeImports(orchestrator, { plan, entries, origin });
}
