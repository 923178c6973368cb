/**
 * Every command a themis message tells the user to run works as printed: the `themis <command>
 * …` texts of src/ (errors, notes, warnings, help examples; not code comments) are collected,
 * their placeholders filled from a fixture store (a spec, its run, a bundle, a results file),
 * and each is run. A command given with its arguments must succeed (exit 0, 5 or 7 and no
 * error); one given bare (`"themis transform"`) must at least show its help.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { COMMAND_NAMES } from "../src/cli/main.ts";
import { runCli, tempProject } from "./support/cli.ts";

const SRC = fromFileUrl(new URL("../src/", import.meta.url));

/** One command as a message prints it, and where. */
interface Printed {
  text: string;
  command: string;
  args: string[];
  file: string;
}

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) yield* sources(`${path}/`);
    else if (path.endsWith(".ts") && !path.endsWith("_test.ts")) yield path;
  }
}

/** Code comments are not messages; strings and help texts are. */
const stripComments = (text: string) =>
  text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

// Placeholder groups may hold spaces: `<baseline run>`, `[run id …]`, `${a} ${b}`.
const TOKEN = /<[^>]*>|\[[^\]]*\]|"[^"]*"|\S+/g;

/** The arguments a message gives: flags, placeholders, ids, paths; prose ends them. */
function argsOf(rest: string): string[] {
  const out: string[] = [];
  const tokens = rest.replace(/\\n.*$/, "").match(TOKEN) ?? [];
  for (const [i, raw] of tokens.entries()) {
    const token = raw.replace(/[.,;:?]+$/, "");
    const afterFlag = i > 0 && /^--[a-z-]+$/.test(tokens[i - 1]) &&
      !/^--(quiet|json|wait|help|no-poll)$/.test(tokens[i - 1]);
    const looksLikeArg = afterFlag || /^--?[a-z]/.test(token) || /^[<[]/.test(token) ||
      token.includes("${") || /^[0-9a-f]{12}$/.test(token) || /[./]/.test(token) ||
      /^[A-Z]+$/.test(token);
    if (!looksLikeArg || token === "…") break;
    if (token.startsWith("[")) continue; // optional: left out
    out.push(token);
    if (raw !== token) break; // a sentence ended on it
  }
  return out;
}

async function collect(): Promise<Printed[]> {
  const out = new Map<string, Printed>();
  for await (const file of sources(SRC)) {
    const text = stripComments(await Deno.readTextFile(file));
    for (const m of text.matchAll(/themis ([a-z][a-z-]*)([^\n"`'()]*)/g)) {
      if (!COMMAND_NAMES.includes(m[1])) continue;
      const printed = { text: `themis ${m[1]}${m[2]}`.trim(), command: m[1], file };
      out.set(printed.text, { ...printed, args: argsOf(m[2]) });
    }
  }
  return [...out.values()];
}

/** What the fixture fills placeholders with. */
interface Fixture {
  dir: string;
  runId: string;
  otherRunId: string;
  generationBundle: string;
  evaluationBundle: string;
}

function fill(p: Printed, f: Fixture): string[] | undefined {
  const args: string[] = [];
  let hex = 0;
  for (const arg of p.args) {
    const a = arg.replace(/\$\{[^}]*index[^}]*\}/g, "0").replace(/\$\{[^}]*count[^}]*\}/g, "2");
    if (/\$\{[^}]*dir\}/.test(a)) {
      args.push(p.text.includes("scores") ? f.evaluationBundle : f.generationBundle);
    } else if (a.includes("${")) args.push(a.replace(/\$\{[^}]*\}/g, f.runId));
    else if (/^<[^>]*(output|results)[^>]*>$/.test(a)) args.push(`${f.dir}/output.jsonl`);
    else if (/^<[^>]*scores[^>]*>$/.test(a)) args.push(`${f.dir}/scores.jsonl`);
    else if (/^<[^>]*generations[^>]*>$/.test(a) || a === "FILE") {
      args.push(`${f.dir}/candidates.jsonl`);
    } else if (/^<(bundle)[^>]*>$/.test(a)) args.push(f.generationBundle);
    else if (/^<[^>]*(spec|\.toml|file)[^>]*>$/.test(a) || a === "SPEC") args.push("bench.toml");
    else if (/^[A-Z]+(=[A-Z]+)?$/.test(a)) return undefined; // a value left to the user
    else if (/^<[^>]*run[^>]*>$/.test(a) || /^[0-9a-f]{12}$/.test(a)) {
      args.push(hex++ === 0 ? f.runId : f.otherRunId);
    } else if (a.startsWith("<")) return undefined;
    else args.push(a);
  }
  return args;
}

const spec = (accuracy: number) =>
  `benchmark_id = "msgs"
[[models]]
model_id = "m"
provider = "mock"
extras = { mode = "reference", template = "it is {answer}", wrong = "it is 0", accuracy = ${accuracy} }
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.q}" }]
[[slices]]
slice_id = "s"
dataset = { kind = "inline", items = [{ id = "a", q = "1+1", answer = "2" }, { id = "b", q = "2+2", answer = "4" }, { id = "c", q = "3+3", answer = "6" }] }
parses = [{ name = "num", extractors = [{ id = "last_number" }] }]
scores = [{ name = "accuracy", parse = "num", metrics = [{ id = "exact_match" }] }]
`;

async function fixture(): Promise<Fixture> {
  const dir = await tempProject({
    "themis.toml": `project_name = "msgs"\n[executor]\nkind = "inline"\n`,
    "bench.toml": spec(1),
    "other.toml": spec(0.5).replace('id = "p"', 'id = "q"').replace('"p"', '"q"'),
    "later.toml": spec(1).replace('"{item.q}"', '"what is {item.q}"'),
  });
  const id = async (args: string[]) => {
    const r = await runCli(args, { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  await id(["run", "bench.toml", "--quiet"]);
  await id(["run", "other.toml", "--quiet"]);
  const plan = async (file: string) =>
    JSON.parse((await id(["plan", file, "--json"])).stdout).run as string;
  const exported = await id(["export", "later.toml", "--out", "gen-bundle", "--json"]);
  const custom = (await Deno.readTextFile(`${dir}/gen-bundle/requests.jsonl`)).split("\n")[0];
  await Deno.writeTextFile(
    `${dir}/output.jsonl`,
    JSON.stringify({ custom_id: JSON.parse(custom).custom_id, text: "it is 2" }) + "\n",
  );
  assert.ok(JSON.parse(exported.stdout).dir);
  await id(["export", "bench.toml", "--stage", "evaluation", "--out", "eval-bundle"]);
  await Deno.writeTextFile(`${dir}/scores.jsonl`, "");
  const trial = JSON.parse(
    (await id(["sql", "select trial from trials limit 1", "--format", "json"])).stdout.split(
      "\n",
    )[0],
  ).trial;
  await Deno.writeTextFile(
    `${dir}/candidates.jsonl`,
    JSON.stringify({ trial_id: trial, sample: 0, text: "it is 2" }) + "\n",
  );
  return {
    dir,
    runId: await plan("bench.toml"),
    otherRunId: await plan("other.toml"),
    generationBundle: `${dir}/gen-bundle`,
    evaluationBundle: `${dir}/eval-bundle`,
  };
}

Deno.test("the collector finds the commands messages print, with their arguments", async () => {
  const printed = await collect();
  const find = (text: string) => printed.find((p) => p.text.startsWith(text));
  assert.deepEqual(find("themis resume ${runId} --shard 0/4")?.args, [
    "${runId}",
    "--shard",
    "0/4",
  ]);
  assert.deepEqual(find("themis diff takes")?.args, []);
  assert.deepEqual(find("themis import ${dir} <output.jsonl>")?.args, ["${dir}", "<output.jsonl>"]);
  assert.ok(printed.length > 40, `${printed.length} commands found`);
});

/**
 * `themis view` serves until Ctrl-C: it passes once it prints its address and then stops
 * cleanly when interrupted. `--open` is left out (no browser is started from a test).
 */
function serveOnce(argv: string[], cwd: string) {
  const stop = new AbortController();
  return runCli(argv.filter((a) => a !== "--open"), {
    cwd,
    signal: stop.signal,
    onOut: (out) => {
      if (/ at http:\/\/\S+\n/.test(out)) stop.abort();
    },
  });
}

/**
 * Printed commands broken on main before this test existed, each with its defect. An entry
 * must keep failing: once fixed, the test says so and the entry goes.
 */
const KNOWN_BROKEN: Record<string, string> = {};

Deno.test("every command a themis message tells the user to run works as printed", async () => {
  const f = await fixture();
  const failures: string[] = [];
  const stillBroken: string[] = [];
  const withArgs: string[] = [];
  let ran = 0;
  for (const p of await collect()) {
    const args = fill(p, f);
    const argv = args === undefined || args.length === 0 && p.command !== "runs" &&
        p.command !== "migrate" && p.command !== "pack"
      ? [p.command, "--help"]
      : [p.command, ...args];
    const result = p.command === "view" ? await serveOnce(argv, f.dir) : await runCli(argv, {
      cwd: f.dir,
    });
    ran++;
    if (argv[1] !== "--help") withArgs.push(argv.join(" "));
    const ok = [0, 5, 7].includes(result.code) && !result.stderr.includes("error [");
    if (p.text in KNOWN_BROKEN) {
      if (!ok) stillBroken.push(p.text);
      continue;
    }
    if (!ok) {
      failures.push(
        `${p.file.slice(SRC.length)}: "${p.text}" → themis ${argv.join(" ")} exited ` +
          `${result.code}: ${result.stderr.trim().split("\n")[0]}`,
      );
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${ran} printed commands fail`);
  assert.deepEqual(stillBroken.sort(), Object.keys(KNOWN_BROKEN).sort(), "fixed: drop the entry");
  // The messages' own arguments were used, not just --help.
  for (
    const expected of [
      `resume ${f.runId} --shard 0/4`,
      `submit ${f.runId}`,
      `cancel ${f.runId}`,
      `import ${f.generationBundle} ${f.dir}/output.jsonl`,
      `run bench.toml --shard 0/2`,
      `compare ${f.runId} ${f.otherRunId} --metric accuracy`,
    ]
  ) assert.ok(withArgs.includes(expected), `ran "themis ${expected}"`);
});
