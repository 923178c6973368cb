import type { Store } from "../orchestrator/store.ts";
import { resolveRunId } from "../store/resolve_run_id.ts";

/**
 * The run id a command-line argument names: a whole id or a unique prefix (`RUN_NOT_FOUND`,
 * `RUN_AMBIGUOUS` listing the matches otherwise). Every command taking run ids goes through it.
 */
export async function resolveRunArg(
  store: Pick<Store, "runs" | "root">,
  wanted: string,
): Promise<string> {
  return resolveRunId(await store.runs.listRunIds(), wanted, store.root);
}

/** The runs several arguments name (each a whole id or a unique prefix); none given: every run. */
export async function resolveRunArgs(
  store: Pick<Store, "runs" | "root">,
  wanted: ReadonlyArray<string>,
): Promise<string[]> {
  const ids = await store.runs.listRunIds();
  if (wanted.length === 0) return ids;
  return wanted.map((id) => resolveRunId(ids, id, store.root));
}
