/**
 * The docs are true to the CLI: every `themis …` (or `cli.ts …`) command in a code block of
 * README.md, docs/*.md and the examples' READMEs names a command that exists and only flags it
 * accepts — each is run in-process with `--help`, which parses every flag before printing.
 */
import assert from "node:assert/strict";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { runCli } from "./support/cli.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url));
// Shell-like blocks; TypeScript and TOML blocks hold code and specs, not commands.
const SHELL = new Set(["", "sh", "bash", "shell", "console", "text", "yaml", "yml"]);

/** One command as written in the docs. */
interface DocCommand {
  where: string;
  args: string[];
}

/** The markdown files whose code blocks are checked. */
function docFiles(): string[] {
  const files = ["README.md"];
  for (const entry of Deno.readDirSync(`${ROOT}docs`)) {
    if (entry.isFile && entry.name.endsWith(".md")) files.push(`docs/${entry.name}`);
  }
  for (const entry of Deno.readDirSync(`${ROOT}examples`)) {
    try {
      Deno.statSync(`${ROOT}examples/${entry.name}/README.md`);
      files.push(`examples/${entry.name}/README.md`);
    } catch {
      // an example without a README
    }
  }
  return files.sort();
}

/** Words of a command line, quotes removed, up to a pipe, redirect, `;`, `&&` or comment. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\|\||&&|[|;>#)\n])|([^\s"'|;>#)]+)/g;
  for (const match of line.matchAll(pattern)) {
    if (match[3] !== undefined) break;
    words.push(match[1] ?? match[2] ?? match[4]);
  }
  return words;
}

/** Every themis command in the shell code blocks of a markdown text. */
function commandsIn(file: string, text: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = text.split("\n");
  let lang: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```(\w*)/.exec(lines[i]);
    if (fence) {
      lang = lang === undefined ? fence[1] : undefined;
      continue;
    }
    if (lang === undefined || !SHELL.has(lang)) continue;
    let line = lines[i];
    const start = i + 1;
    // A continued line, or a quoted argument spanning lines (a long SQL query).
    while (
      (line.endsWith("\\") || (line.match(/"/g) ?? []).length % 2 === 1) && i + 1 < lines.length
    ) {
      line = line.endsWith("\\") ? line.slice(0, -1) + lines[++i] : `${line}\n${lines[++i]}`;
    }
    for (const match of line.matchAll(/(?:^|[\s$(`])(?:themis|\S*cli\.ts)\s+(.*)$/g)) {
      const args = shellWords(match[1]);
      if (args.length > 0) out.push({ where: `${file}:${start}`, args });
    }
  }
  return out;
}

const COMMANDS = docFiles().flatMap((file) =>
  commandsIn(file, Deno.readTextFileSync(`${ROOT}${file}`))
);

Deno.test("shellWords() splits like a shell and stops at pipes, redirects and comments", () => {
  assert.deepEqual(shellWords(`sql "select 1 | 2" --out a.csv | head # note`), [
    "sql",
    "select 1 | 2",
    "--out",
    "a.csv",
  ]);
  assert.deepEqual(shellWords(`report "$run" --out r.html > log`), [
    "report",
    "$run",
    "--out",
    "r.html",
  ]);
});

Deno.test("the docs name commands in their code blocks (the check below has work to do)", () => {
  const named = new Set(COMMANDS.map((c) => c.args[0]));
  for (const command of ["run", "sql", "report", "compare", "check", "validate", "resume"]) {
    assert.ok(named.has(command), `a code block in the docs shows themis ${command}`);
  }
});

Deno.test("every themis command in README.md and docs/*.md code blocks parses with --help", async () => {
  const failures: string[] = [];
  for (const { where, args } of COMMANDS) {
    const [command, ...rest] = args;
    const argv = command.startsWith("-") ? ["--help"] : [command, "--help", ...rest];
    const result = await runCli(argv);
    if (result.code !== 0 || result.stdout === "") {
      failures.push(`${where}: themis ${args.join(" ")}\n    ${result.stderr.trim()}`);
    }
  }
  assert.deepEqual(failures, [], `commands in the docs that do not parse:\n${failures.join("\n")}`);
});
