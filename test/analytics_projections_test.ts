/**
 * The projections on real runs: work items agree with `themis status`, every column has its
 * declared type and is documented, cost follows a recorded price table, and the timeline
 * tells the events' durations.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { DOCUMENTED } from "../src/analytics/projections.ts";
import { workStatus } from "../src/plan/work_status.ts";
import type { RunManifest } from "../mod.ts";
import { benchmark, type Fixture, openFixture } from "./results_fixture_test.ts";

async function twoRuns(f: Fixture) {
  const a = await f.orchestrator.run(benchmark());
  const spec = benchmark();
  spec.slices[0].scores!.push({ name: "again", parse: "num", metrics: [{ id: "exact_match" }] });
  const b = await f.orchestrator.run(spec);
  return [a.runId, b.runId];
}

async function statusFromSql(f: Fixture, run: string) {
  const rows = await f.store.sql(
    `select stage, status, reused_from, count(*)::integer as n from work_items
     where run = '${run}' group by all order by all`,
  );
  const out: Record<string, Record<string, unknown>> = {};
  for (const stage of ["generation", "parse", "score"]) {
    const s = { total: 0, pending: 0, completed: 0, failed: 0, skipped: 0, reusedFrom: {} };
    for (const r of rows.filter((r) => r.stage === stage)) {
      const n = r.n as number;
      s.total += n;
      const status = r.status === "invalid" ? "completed" : r.status as "completed";
      s[status] += n;
      if (r.reused_from) {
        const from = s.reusedFrom as Record<string, number>;
        from[r.reused_from as string] = (from[r.reused_from as string] ?? 0) + n;
      }
    }
    out[stage] = s;
  }
  return out;
}

Deno.test("work_items give every stage the status themis status gives it, reuse included", async () => {
  const f = await openFixture();
  try {
    const runs = await twoRuns(f);
    const state = await f.store.runs.loadState();
    for (const run of runs) {
      const manifest = await f.store.runs.readManifest<RunManifest>(run);
      const expected = await workStatus(manifest, f.store.runs.iterPlan(run, manifest), state);
      assert.deepEqual(await statusFromSql(f, run), expected);
    }
    // The second run reused every generation of the first.
    const second = await statusFromSql(f, runs[1]);
    assert.deepEqual(second.generation.reusedFrom, { [runs[0]]: 40 });
    assert.equal(second.generation.failed, 2);
    const skipped = await f.store.sql(
      `select stage, status, skip_reason, count(*)::integer as n from work_items
       where run = '${runs[0]}' and status in ('skipped', 'invalid') group by all order by all`,
    );
    // The 9 scores whose parse found no answer are recorded invalid, not skipped.
    assert.deepEqual(skipped, [
      { stage: "parse", status: "invalid", skip_reason: null, n: 9 },
      { stage: "parse", status: "skipped", skip_reason: "no_generation", n: 2 },
      { stage: "score", status: "invalid", skip_reason: null, n: 9 },
      { stage: "score", status: "skipped", skip_reason: "no_generation", n: 3 },
    ]);
  } finally {
    f.close();
  }
});

const DUCKDB_TYPES: Record<string, string> = {
  varchar: "VARCHAR",
  integer: "INTEGER",
  bigint: "BIGINT",
  double: "DOUBLE",
  json: "JSON",
  boolean: "BOOLEAN",
  timestamptz: "TIMESTAMP WITH TIME ZONE",
};

Deno.test("every projection has its declared column types, and docs/sql.md documents each column", async () => {
  const f = await openFixture();
  try {
    await f.orchestrator.run(benchmark());
    const tables = DOCUMENTED.filter((t) => !t.view);
    const names = tables.map((p) => `'${p.name}'`).join(", ");
    const rows = await f.store.sql(
      `select table_name, column_name, data_type from information_schema.columns
       where table_name in (${names}) order by table_name, ordinal_position`,
    );
    const expected = tables.flatMap((p) =>
      p.columns.map(([column, type]) => ({
        table_name: p.name,
        column_name: column,
        data_type: DUCKDB_TYPES[type],
      }))
    ).sort((a, b) => a.table_name.localeCompare(b.table_name));
    assert.deepEqual(rows, expected);

    const docs = await Deno.readTextFile(fromFileUrl(new URL("../docs/sql.md", import.meta.url)));
    for (const p of DOCUMENTED) {
      const section = docs.split(/^### /m).find((s) => s.startsWith(`\`${p.name}\``));
      assert.ok(section, `docs/sql.md has a section for ${p.name}`);
      const documented = [...section.matchAll(/^\| `(\w+)` +\|/gm)].map((m) => m[1]);
      assert.deepEqual(documented, p.columns.map(([c]) => c), `columns of ${p.name}`);
    }
    for (const view of DOCUMENTED.filter((t) => t.view)) {
      const columns = await f.store.sql(
        `select column_name from information_schema.columns where table_name = '${view.name}'
         order by ordinal_position`,
      );
      assert.deepEqual(columns.map((c) => c.column_name), view.columns.map(([c]) => c));
    }
  } finally {
    f.close();
  }
});

Deno.test("candidates carry the cost of the price table the run's manifest records", async () => {
  const f = await openFixture({
    pricing: { solver: { input_per_million: 1000, output_per_million: 2000 } },
  });
  try {
    const { runId } = await f.orchestrator.run(benchmark());
    const costs = () =>
      f.store.sql(
        `select t.model_id, c.tokens_in, c.tokens_out, c.cost from candidates c
         join trials t using (trial) order by t.model_id, c.cand`,
      );
    const check = async (price: { input: number; output: number }) => {
      const rows = await costs();
      assert.equal(rows.length, 40);
      for (const r of rows) {
        const tokens = (r.tokens_in as number) * price.input +
          (r.tokens_out as number) * price.output;
        assert.equal(r.cost, r.model_id === "solver" ? tokens / 1e6 : null, `${r.model_id}`);
      }
    };
    await check({ input: 1000, output: 2000 });
    // A manifest written again with other prices: the cache reads it again.
    const path = `${f.store.runs.runDir(runId)}/manifest.json`;
    const manifest = JSON.parse(await Deno.readTextFile(path));
    manifest.project.pricing.solver = { input_per_million: 10, output_per_million: 20 };
    await Deno.writeTextFile(path, JSON.stringify(manifest));
    await check({ input: 10, output: 20 });
  } finally {
    f.close();
  }
});

Deno.test("the timeline has every event in order with the durations the events tell", async () => {
  const f = await openFixture();
  try {
    const { runId } = await f.orchestrator.run(benchmark());
    const [{ events, rows }] = await f.store.sql(
      `select (select count(*) from events)::integer as events,
              (select count(*) from timeline)::integer as rows`,
    );
    assert.equal(rows, events);
    const span = await f.store.sql(
      `select t.duration_ms = epoch_ms(r.finished_at) - epoch_ms(r.started_at) as ok
       from timeline t join runs r using (run) where t.type = 'run.finished'`,
    );
    assert.deepEqual(span, [{ ok: true }]);
    const gens = await f.store.sql(
      `select bool_and(t.duration_ms = e.latency_ms) as same,
              count(*)::integer as n
       from timeline t join events e using (run, seq) where t.type = 'generation.completed'`,
    );
    assert.deepEqual(gens, [{ same: true, n: 40 }]);
    const order = await f.store.sql(
      `select min(since_prev_ms) >= 0 as forward, min(elapsed_ms) >= 0 as after_start,
              count(*) filter (where since_prev_ms is null)::integer as firsts,
              count(distinct stage)::integer as stages
       from timeline where run = '${runId}'`,
    );
    // run, generation, parse, score (the plan is no longer events)
    assert.deepEqual(order, [{ forward: true, after_start: true, firsts: 1, stages: 4 }]);
    const failed = await f.store.sql(
      `select stage, status, code from timeline where status = 'failed' order by seq`,
    );
    assert.deepEqual(failed, [
      { stage: "generation", status: "failed", code: "PROVIDER_UNAVAILABLE" },
      { stage: "generation", status: "failed", code: "PROVIDER_UNAVAILABLE" },
    ]);
  } finally {
    f.close();
  }
});
