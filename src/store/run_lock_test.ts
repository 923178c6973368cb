import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireRunLock } from "./run_lock.ts";

Deno.test("acquireRunLock() refuses a second holder while the first is alive", async () => {
  const path = join(await Deno.makeTempDir(), "lock");
  const lock = acquireRunLock(path);
  assert.throws(() => acquireRunLock(path), (error: Error & { code?: string }) => {
    assert.equal(error.code, "STORE_LOCKED");
    assert.match(error.message, new RegExp(`in use by process ${Deno.pid}`));
    return true;
  });
  lock.release();
  acquireRunLock(path).release();
});

Deno.test("acquireRunLock() takes over a lock left by a dead process", async () => {
  const path = join(await Deno.makeTempDir(), "lock");
  const child = new Deno.Command("true").spawn();
  const { success } = await child.status;
  assert.ok(success);
  await Deno.writeTextFile(
    path,
    JSON.stringify({ pid: child.pid, hostname: Deno.hostname(), started: "2020-01-01T00:00:00Z" }),
  );
  const lock = acquireRunLock(path);
  assert.equal(JSON.parse(await Deno.readTextFile(path)).pid, Deno.pid);
  lock.release();
  await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
});
