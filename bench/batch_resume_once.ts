/**
 * One `orchestrator.resume(run)` through the API (no CLI output, so no analytics cache warm-up):
 * what bench/batch_round_trip.ts times as the import. Exit 0 when the run is done, 7 while
 * batches are in flight.
 *   deno run -A bench/batch_resume_once.ts <project dir> <run id>
 */
import { isRunHandle, Orchestrator } from "../mod.ts";

const [dir, runId] = Deno.args;
const orchestrator = await Orchestrator.fromProjectFile(`${dir}/themis.toml`);
try {
  const outcome = await orchestrator.resume(runId);
  Deno.exitCode = isRunHandle(outcome) && outcome.result === undefined ? 7 : 0;
} finally {
  orchestrator.store.close();
}
