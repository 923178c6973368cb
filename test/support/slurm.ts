/**
 * A one-node Slurm cluster for tests: `ensureSlurm()` starts it with the project's
 * `../shared/scripts/local-slurm.sh` (root; Debian's packages, about two minutes the first time)
 * unless `sinfo` already answers, and says why when it cannot. `runArray()` submits
 * examples/slurm/run.sh and waits for its jobs by polling `squeue`.
 */
import { fromFileUrl } from "../../src/cli/from_file_url.ts";

const SCRIPT = fromFileUrl(new URL("../../../shared/scripts/local-slurm.sh", import.meta.url));

async function sh(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
) {
  try {
    const out = await new Deno.Command(command, {
      args,
      cwd: options.cwd,
      env: options.env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
  } catch (error) {
    return { code: -1, stdout: "", stderr: String(error) };
  }
}

/**
 * Find the local Slurm (or start it, with `THEMIS_START_SLURM=1`: .ci/run starts it before the
 * tests); the reason it cannot run, or undefined when it runs.
 */
export async function ensureSlurm(): Promise<string | undefined> {
  const idle = async () => (await sh("sinfo", ["-h", "-o", "%t"])).stdout.match(/idle|mix|alloc/);
  if (await idle()) return undefined;
  if (Deno.env.get("THEMIS_START_SLURM") !== "1") {
    return "no Slurm cluster answers sinfo (start one with: bash ../shared/scripts/local-slurm.sh, " +
      "as root; or set THEMIS_START_SLURM=1)";
  }
  if (Deno.uid() !== 0) return "starting Slurm needs root";
  try {
    Deno.statSync(SCRIPT);
  } catch {
    return `${SCRIPT} is missing`;
  }
  const started = await sh("bash", [SCRIPT]);
  if (started.code !== 0 || !(await idle())) {
    return `local-slurm.sh could not start Slurm: ${(started.stderr || started.stdout).trim()}`;
  }
  return undefined;
}

/** Submit `run.sh N` in an example folder and wait until its jobs have left the queue. */
export async function runArray(
  dir: string,
  shards: number,
  env: Record<string, string>,
): Promise<{ array: string; aggregate: string }> {
  const submitted = await sh("bash", ["run.sh", String(shards)], { cwd: dir, env });
  if (submitted.code !== 0) throw new Error(`run.sh failed: ${submitted.stderr}`);
  const match = submitted.stdout.match(/job (\d+) .* job (\d+)/);
  if (!match) throw new Error(`run.sh printed no job ids: ${submitted.stdout}`);
  const [, array, aggregate] = match;
  // A safety net for a cluster that never runs the jobs, not a speed requirement.
  const giveUp = Date.now() + 30 * 60_000;
  for (;;) {
    const queue = await sh("squeue", ["-h", "-j", `${array},${aggregate}`, "-o", "%i %T"]);
    if (Date.now() > giveUp) throw new Error(`jobs still queued after 30 min:\n${queue.stdout}`);
    // Finished jobs leave the queue (an unknown id, after a while, is an error: gone too).
    if (queue.stdout.trim() === "") break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { array, aggregate };
}
