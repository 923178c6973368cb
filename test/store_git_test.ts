/**
 * Run directories under git (docs/design/run_directory.md): two people's runs merge as a union
 * with no conflict — different runs, and even the same run executed in two clones — and the
 * merged store reports each fact once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Store } from "../mod.ts";
import { runCli, tempProject } from "./support/cli.ts";

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `git ${args.join(" ")}: ${text}`);
  return text;
}

function bench(models: string[]): string {
  return JSON.stringify({
    benchmark_id: "git",
    models: models.map((m) => ({
      model_id: m,
      provider: "mock",
      extras: { mode: "reference", accuracy: 0.5, template: "It is {answer}." },
    })),
    prompt_variants: [{ id: "p", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{
      slice_id: "s",
      dataset: {
        kind: "inline",
        items: Array.from({ length: 30 }, (_, i) => ({ id: `q${i}`, q: `${i}+1`, answer: i + 1 })),
      },
      parses: [{ name: "n", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "n", metrics: [{ id: "exact_match" }] }],
    }],
  });
}

async function repo(): Promise<string> {
  const dir = await tempProject({
    "themis.toml": `project_name = "git"\n[executor]\nkind = "inline"\n`,
    "both.json": bench(["alpha", "beta"]),
    "alpha.json": bench(["alpha"]),
    "beta.json": bench(["beta"]),
  });
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "config", "user.email", "t@example.com");
  await git(dir, "config", "user.name", "t");
  return dir;
}

async function clone(from: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "themis-clone-" });
  await git(dir, "clone", "-q", from, ".");
  await git(dir, "config", "user.email", "t@example.com");
  await git(dir, "config", "user.name", "t");
  return dir;
}

async function commitAll(dir: string, message: string): Promise<void> {
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", message);
}

async function facts(dir: string) {
  const store = Store.open(join(dir, "themis-store"));
  try {
    return await store.sql(
      `select (select count(*) from candidates)::integer as candidates,
              (select count(*) from scores)::integer as scores,
              (select count(*) from events where type = 'generation.completed')::integer
                as generation_events,
              (select count(distinct run) from runs where status = 'finished')::integer
                as finished_runs`,
    );
  } finally {
    store.close();
  }
}

Deno.test("two clones' runs merge as a union; the same run run twice counts each fact once", async () => {
  const origin = await repo();
  // The plan of "both" is committed before anyone runs it.
  const planned = await runCli(["plan", "both.json"], { cwd: origin });
  assert.equal(planned.code, 0, planned.stderr);
  await commitAll(origin, "plan");
  const ann = await clone(origin);
  const bob = await clone(origin);
  for (const [who, spec] of [[ann, "alpha.json"], [bob, "beta.json"]]) {
    for (const args of [["run", spec], ["run", "both.json"]]) {
      const out = await runCli([...args, "--quiet"], { cwd: who });
      assert.equal(out.code, 0, out.stderr);
    }
    const status = await git(who, "status", "--porcelain", "--ignored");
    assert.match(status, /!! themis-store\/\.cache\//, "the cache is ignored");
    await commitAll(who, `runs of ${who}`);
  }
  await git(ann, "pull", "-q", "--no-rebase", "--no-edit", bob, "main");
  const conflicts = await git(ann, "diff", "--name-only", "--diff-filter=U");
  assert.equal(conflicts.trim(), "");
  // One person running "both" alone computes the facts the merged store must report once each.
  const solo = await clone(origin);
  assert.equal((await runCli(["run", "both.json", "--quiet"], { cwd: solo })).code, 0);
  const [alone] = await facts(solo);
  assert.equal(alone.candidates, 60);
  // Each clone generated all 60 candidates (its own model's in its own run, the other's in
  // "both"): 120 generation events, each candidate and score reported once.
  assert.deepEqual(await facts(ann), [{ ...alone, generation_events: 120, finished_runs: 3 }]);
  const both = (await Array.fromAsync(Deno.readDir(join(ann, "themis-store/runs"))))
    .map((e) => e.name);
  assert.equal(both.length, 3);
  const again = await runCli(["run", "both.json"], { cwd: ann });
  assert.match(again.stdout, /60 candidates — 0 generated, 60 reused/);
});
