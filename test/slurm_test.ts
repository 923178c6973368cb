/**
 * examples/slurm on a real (one-node) Slurm: an `sbatch --array=0-3` job runs 4 shards of the
 * example benchmark into one store, a dependent job aggregates, and the aggregate equals a
 * single-process run's. Skipped, saying why, where Slurm cannot be started.
 */
import assert from "node:assert/strict";
import { copy } from "./support/copy_dir.ts";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { Store } from "../mod.ts";
import { loadResult } from "../src/results/load_result.ts";
import { runCli } from "./support/cli.ts";
import { ensureSlurm, runArray } from "./support/slurm.ts";

const EXAMPLE = fromFileUrl(new URL("../examples/slurm/", import.meta.url));
const CLI = fromFileUrl(new URL("../cli.ts", import.meta.url));
const why = await ensureSlurm();
if (why) console.log(`slurm_test skipped: ${why}`);

Deno.test({
  name: "examples/slurm: 4 shards as a Slurm array give the aggregate of one process",
  ignore: why !== undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "themis-slurm-" });
    await copy(EXAMPLE, dir);
    const env = { THEMIS: `${Deno.execPath()} run -A ${CLI}` };
    await runArray(dir, 4, env);
    const outputs = [...Deno.readDirSync(dir)].filter((f) => f.name.startsWith("slurm-"));
    const logs = outputs.map((f) => Deno.readTextFileSync(`${dir}/${f.name}`)).join("\n");
    const csv = [...Deno.readDirSync(dir)].find((f) => /^aggregate-.*\.csv$/.test(f.name));
    assert.ok(csv, `the aggregate job wrote its CSV; job output:\n${logs}`);
    const runId = csv.name.slice("aggregate-".length, -".csv".length);
    assert.match(logs, /shards \(4\): 4 done; unfinished: none; not started: none/);

    const single = await Deno.makeTempDir({ prefix: "themis-slurm-single-" });
    const one = await runCli(["run", `${dir}/benchmark.toml`, "--store", single, "--quiet"]);
    assert.equal(one.code, 0, one.stderr);
    const report = await runCli([
      "report",
      runId,
      "--store",
      single,
      "--format",
      "csv",
      "--table",
      "aggregate",
    ]);
    assert.equal(report.code, 0, report.stderr);
    assert.equal(Deno.readTextFileSync(`${dir}/${csv.name}`), report.stdout);
    const sharded = Store.open(`${dir}/themis-store`);
    const alone = Store.open(single);
    try {
      const a = await (await loadResult(sharded, runId)).aggregate();
      const b = await (await loadResult(alone, runId)).aggregate();
      assert.deepEqual(a, b);
      const [row] = await sharded.sql(
        "select count(*) as n, count(distinct run) as runs from candidates",
      );
      assert.deepEqual([Number(row.n), Number(row.runs)], [1200, 4]);
    } finally {
      sharded.close();
      alone.close();
    }
  },
});
