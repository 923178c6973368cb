import assert from "node:assert/strict";
import { parseManifestHead } from "./load_result.ts";

const HEAD = { manifest_version: 1, run_id: "r1", counts: { trials: 2 } };

Deno.test("parseManifestHead drops a streamed trial list without parsing it", () => {
  const text = JSON.stringify(HEAD, null, 1).slice(0, -2) +
    `,\n "trials": [\n  {"trial":"t1"},\n  {"trial":"t2"}\n ]\n}\n`;
  assert.deepEqual(parseManifestHead(text, "m.json"), HEAD);
});

Deno.test("parseManifestHead reads a manifest whose trials are not last, or absent", () => {
  const middle = JSON.stringify(
    { run_id: "r1", trials: [{ trial: "t" }], counts: { trials: 1 } },
    null,
    1,
  );
  assert.deepEqual(parseManifestHead(middle, "m.json"), { run_id: "r1", counts: { trials: 1 } });
  assert.deepEqual(parseManifestHead(JSON.stringify(HEAD), "m.json"), HEAD);
  assert.throws(() => parseManifestHead("{ nope", "runs/r1/manifest.json"), {
    code: "STORE_CORRUPT",
    message: /^runs\/r1\/manifest\.json is not a valid manifest: /,
  });
});
