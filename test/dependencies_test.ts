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
