/**
 * The worker entry of the pool: rebuilds the registry from the built-ins and the plugin
 * modules it was given, then runs candidate tasks with the shared stage function.
 */
import { workerData } from "node:worker_threads";
import { createRegistry, type Registry } from "../plugins/registry.ts";
import { type CandidateResult, type CandidateTask, runCandidateWork } from "./candidate_work.ts";
import type { WorkerData } from "./pool.ts";
import { secretReader } from "./secrets.ts";

let registry: Promise<Registry> | undefined;

function loadRegistry(): Promise<Registry> {
  registry ??= (async () => {
    const loaded = createRegistry();
    for (const specifier of (workerData as WorkerData).modules) await loaded.loadModule(specifier);
    return loaded;
  })();
  return registry;
}

// Secrets are read here, in the worker, at call time. They never travel back in a result.
const secret = secretReader((workerData as WorkerData).runtime);

/**
 * Run a batch of candidate tasks concurrently, given and returned as JSON text (Piscina calls
 * the default export).
 */
export default async function runBatch(batch: string): Promise<string> {
  const tasks = JSON.parse(batch) as CandidateTask[];
  const registry = await loadRegistry();
  const results: CandidateResult[] = await Promise.all(
    tasks.map((task) => runCandidateWork(task, registry, secret)),
  );
  return JSON.stringify(results);
}
