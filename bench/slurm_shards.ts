/**
 * Wall time of examples/slurm on the local Slurm with 1, 2 and 4 shards (array job + the
 * aggregation job), and whether every shard count gives the same aggregate CSV.
 *   deno run -A bench/slurm_shards.ts          (root: starts Slurm with ../shared/scripts)
 */
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { copy } from "../test/support/copy_dir.ts";
import { ensureSlurm, runArray } from "../test/support/slurm.ts";

const EXAMPLE = fromFileUrl(new URL("../examples/slurm/", import.meta.url));
const CLI = fromFileUrl(new URL("../cli.ts", import.meta.url));
const why = await ensureSlurm();
if (why) {
  console.log(`no Slurm: ${why}`);
  Deno.exit(1);
}
const env = { THEMIS: `${Deno.execPath()} run -A ${CLI}` };
const aggregates = new Map<number, string>();
console.log("shards  wall_s  aggregate");
for (const shards of [1, 2, 4]) {
  const dir = await Deno.makeTempDir({ prefix: `themis-slurm-${shards}-` });
  await copy(EXAMPLE, dir);
  const started = performance.now();
  await runArray(dir, shards, env);
  const seconds = (performance.now() - started) / 1000;
  const csv = [...Deno.readDirSync(dir)].find((f) => /^aggregate-.*\.csv$/.test(f.name));
  const text = csv ? Deno.readTextFileSync(`${dir}/${csv.name}`) : "(missing)";
  aggregates.set(shards, text);
  const same = text === aggregates.get(1) ? "identical to 1 shard" : "DIFFERENT";
  console.log(`${String(shards).padStart(6)}  ${seconds.toFixed(1).padStart(6)}  ${same}`);
}
console.log(aggregates.get(1));
