import type { RunManifest } from "../../plan/manifest.ts";
import type { RunPlan } from "../../plan/plan_run.ts";
import type { PlannedTrial } from "../../plan/plan_trials.ts";
import type { ExperimentResult } from "../../results/experiment_result.ts";
import { type CandidateRecord, checkHandoff } from "../../spec/handoff_schemas.ts";
import { GEN_OVERLAY } from "../../store/events.ts";
import type { Orchestrator, SpecInput } from "../orchestrator.ts";
import { importInvalid } from "./_errors.ts";
import { storedSpecDir } from "./import_results.ts";
import { outputOf } from "./import_records.ts";
import { readRecords, type RecordsInput, type SourcedRecord } from "./read_records.ts";
import { type ImportEntry, writeImports } from "./write_imports.ts";

/** Options of `importCandidates()`. */
export interface ImportCandidatesOptions {
  /** The spec the generations belong to (default: the run of the store that plans them all). */
  spec?: SpecInput;
  /** Folder the spec's relative dataset paths resolve from. */
  specDir?: string;
}

type Checked = CandidateRecord & { where: string };

function checkRecords(records: SourcedRecord[], issues: string[]): Checked[] {
  const out: Checked[] = [];
  for (const r of records) {
    const c = checkHandoff("candidate", r.value);
    if (c.ok) out.push({ ...c.value, where: r.where });
    else issues.push(...c.issues.map((i) => `${r.where}: ${i}`));
  }
  return out;
}

/** The first run (by id) whose manifest plans every trial named; undefined when none does. */
async function findRun(orchestrator: Orchestrator, trials: Set<string>) {
  const runs = orchestrator.store.runs;
  for (const runId of await runs.listRunIds()) {
    if (!(await runs.hasRun(runId))) continue;
    const manifest = await runs.readManifest<RunManifest>(runId);
    let found = 0;
    for await (const t of runs.iterPlan(runId, manifest)) if (trials.has(t.trial)) found++;
    if (found === trials.size) return manifest;
  }
  return undefined;
}

async function planFor(
  orchestrator: Orchestrator,
  { records, options, source }: {
    records: Checked[];
    options: ImportCandidatesOptions;
    source: string;
  },
): Promise<RunPlan> {
  if (options.spec !== undefined) {
    return await orchestrator.planSpec(options.spec, { specDir: options.specDir });
  }
  const manifest = await findRun(orchestrator, new Set(records.map((r) => r.trial_id)));
  if (manifest === undefined) {
    throw importInvalid(source, [
      `no run in the store at ${orchestrator.store.root} plans all of the trials named: plan ` +
      `the spec first ("themis plan <spec>" or "themis export <spec>"), or pass the spec ` +
      `(importCandidates(records, { spec }), or "themis import --candidates FILE --spec SPEC")`,
    ]);
  }
  const specDir = storedSpecDir(orchestrator.store.root, manifest.source.base_dir);
  return await orchestrator.planSpec(manifest.source.spec as SpecInput, { specDir });
}

function entriesFor(plan: RunPlan, records: Checked[], issues: string[]): ImportEntry[] {
  const wanted = new Set(records.map((r) => r.trial_id));
  const trials = new Map<string, PlannedTrial>();
  for (const trial of plan.iterTrials()) {
    if (wanted.has(trial.trial)) trials.set(trial.trial, trial);
  }
  const seen = new Map<string, string>();
  const entries: ImportEntry[] = [];
  for (const r of records) {
    const trial = trials.get(r.trial_id);
    if (trial === undefined) {
      issues.push(`${r.where}: trial ${r.trial_id} is not planned by run ${plan.manifest.run_id}`);
      continue;
    }
    const candidate = r.candidate_id !== undefined
      ? trial.candidates.find((c) => c.id === r.candidate_id)
      : trial.candidates[r.sample ?? 0];
    if (candidate === undefined || (r.sample !== undefined && candidate.sample !== r.sample)) {
      issues.push(
        `${r.where}: trial ${r.trial_id} has no candidate ` +
          (r.candidate_id ?? `with sample ${r.sample}`) +
          ` (it plans ${trial.candidates.length} sample(s): ` +
          `${trial.candidates.map((c) => c.id).join(", ")})`,
      );
      continue;
    }
    const first = seen.get(candidate.id);
    if (first !== undefined) {
      issues.push(`${r.where}: candidate ${candidate.id} was already given at ${first}`);
      continue;
    }
    seen.set(candidate.id, r.where);
    entries.push({
      trial,
      candidate,
      overlay: GEN_OVERLAY,
      result: {
        generation: { ok: true, output: outputOf(r), latencyMs: 0 },
        parses: [],
        scores: [],
      },
      latencyMs: r.latency_ms,
    });
  }
  return entries;
}

/**
 * Import generations produced without any bundle (another harness, a notebook, a provider's
 * console). Each record names its trial and its sample (default 0) or candidate id:
 * `{"trial_id", "sample"?, "candidate_id"?, "text", "finish_reason"?, "usage"?, "latency_ms"?,
 * "meta"?}`. The run is the spec's (when given) or the store's run that plans every trial
 * named. All problems are reported at once and nothing is written; facts the store already
 * holds are skipped.
 */
export async function importCandidates(
  orchestrator: Orchestrator,
  records: RecordsInput,
  options: ImportCandidatesOptions = {},
): Promise<ExperimentResult> {
  const { source, records: raw } = await readRecords(records);
  const issues: string[] = [];
  const checked = checkRecords(raw, issues);
  if (issues.length > 0) throw importInvalid(source, issues);
  if (checked.length === 0) throw importInvalid(source, ["no records to import"]);
  const plan = await planFor(orchestrator, { records: checked, options, source });
  const entries = entriesFor(plan, checked, issues);
  if (issues.length > 0) throw importInvalid(source, issues);
  const origin = { stage: "generation" as const, bundle: null };
  return await writeImports(orchestrator, { plan, entries, origin });
}
