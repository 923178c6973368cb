/** The committed lock file must not make every run install node-llama-cpp (~700 MB). */
import assert from "node:assert/strict";

Deno.test("the committed deno.lock leaves node-llama-cpp out (docs/design/dependencies.md)", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const shown = await new Deno.Command("git", {
    args: ["show", "HEAD:deno.lock"],
    cwd: root,
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!shown.success) return; // not a git checkout (an exported tree): nothing to check
  const committed = new TextDecoder().decode(shown.stdout);
  assert.equal(
    committed.includes("node-llama-cpp"),
    false,
    "regenerate: rm deno.lock && deno install",
  );
  assert.ok(committed.includes("npm:@duckdb/node-api"), "the lock still pins the dependencies");
});

/** Every TypeScript file under `dir` (tests included) with its text. */
async function* sources(dir: URL): AsyncGenerator<{ url: URL; text: string }> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sources(url);
    else if (entry.name.endsWith(".ts")) yield { url, text: await Deno.readTextFile(url) };
  }
}

/** The module specifiers of static imports, re-exports, dynamic imports and resolves. */
function specifiers(text: string): string[] {
  return [
    ...text.matchAll(/^(?:import|export)\b[^;"]*?\bfrom\s+"([^"]+)"/gm),
    ...text.matchAll(/^import\s+"([^"]+)"/gm),
    ...text.matchAll(/\bimport(?:\.meta\.resolve)?\(\s*"([^"]+)"/g),
  ].map((m) => m[1]);
}

const SRC = new URL("../src/", import.meta.url);

Deno.test("src/ names each npm package with the exact version deno.json pins (docs/design/dependencies.md)", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const pinned = new Map<string, string>();
  for (const target of Object.values(config.imports as Record<string, string>)) {
    const m = target.match(/^npm:((?:@[\w.-]+\/)?[\w.-]+)@(.+)$/);
    if (m) pinned.set(m[1], m[2]);
  }
  const used: Array<{ file: string; name: string; version: string }> = [];
  for await (const { url, text } of sources(SRC)) {
    for (const m of text.matchAll(/"npm:((?:@[\w.-]+\/)?[\w.-]+)@([^/"]+)/g)) {
      used.push({ file: url.pathname, name: m[1], version: m[2] });
    }
  }
  assert.ok(used.some((u) => u.name === "zod"), "src/ imports its packages by npm: specifier");
  // node-llama-cpp is pinned in its one module only: listed in deno.json, every run would
  // install its 700 MB of GPU builds.
  const mismatched = used.filter((u) =>
    u.name !== "node-llama-cpp" && pinned.get(u.name) !== u.version
  );
  assert.deepEqual(mismatched, [], "deno.json imports and src/ must pin the same versions");
});

Deno.test("src/ imports no bare package name, so mod.ts works without this repository's import map", async () => {
  const bare: string[] = [];
  for await (const { url, text } of sources(SRC)) {
    for (const specifier of specifiers(text)) {
      if (!/^(\.|npm:|node:)/.test(specifier)) bare.push(`${url.pathname}: ${specifier}`);
    }
  }
  assert.deepEqual(bare, []);
});
