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

/** A child process competing for locks (test/support/lock_contender.ts). */
function contender() {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../test/support/lock_contender.ts", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    child,
    send: (line: string) => writer.write(new TextEncoder().encode(line + "\n")),
    async reply(): Promise<string> {
      while (!buffered.includes("\n")) {
        const { value, done } = await lines.read();
        if (done) throw new Error("the contender exited");
        buffered += value;
      }
      const at = buffered.indexOf("\n");
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      return line;
    },
    async close() {
      await writer.close();
      await lines.cancel();
      await child.status;
    },
  };
}

Deno.test("a stale lock is taken over by exactly one of four processes racing for it, 500 rounds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themis-lock-race-" });
  const path = join(dir, "lock");
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  const contenders = Array.from({ length: 4 }, contender);
  const tally = { rounds: 0, oneWinner: 0, losersLocked: 0 };
  try {
    for (let round = 0; round < 500; round++) {
      await Deno.writeTextFile(
        path,
        JSON.stringify({
          pid: dead.pid,
          hostname: Deno.hostname(),
          started: "2020-01-01T00:00:00Z",
          nonce: `stale-${round}`,
        }),
      );
      await Promise.all(contenders.map((c) => c.send(`go ${path}`)));
      const replies = await Promise.all(contenders.map((c) => c.reply()));
      const winners = replies.filter((r) => r === "won").length;
      tally.rounds++;
      if (winners === 1) tally.oneWinner++;
      if (replies.filter((r) => r !== "won").every((r) => r === "lost STORE_LOCKED")) {
        tally.losersLocked++;
      }
      const holder = JSON.parse(await Deno.readTextFile(path));
      assert.notEqual(holder.pid, dead.pid, `round ${round}: the stale lock is still there`);
      await Promise.all(contenders.map(async (c, i) => {
        if (replies[i] !== "won") return;
        await c.send("release");
        assert.equal(await c.reply(), "released");
      }));
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [], "no claim left behind");
    }
  } finally {
    await Promise.all(contenders.map((c) => c.close()));
  }
  assert.deepEqual(tally, { rounds: 500, oneWinner: 500, losersLocked: 500 });
});

Deno.test("a takeover claim left by a process that died mid-takeover is itself taken over", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "lock");
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  const stale = JSON.stringify({
    pid: dead.pid,
    hostname: Deno.hostname(),
    started: "x",
    nonce: "n",
  });
  await Deno.writeTextFile(path, stale);
  const { sha256 } = await import("../core/sha256.ts");
  await Deno.writeTextFile(`${path}.takeover-${sha256(stale).slice(0, 16)}`, stale);
  const lock = acquireRunLock(path);
  assert.equal(JSON.parse(await Deno.readTextFile(path)).pid, Deno.pid);
  lock.release();
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), []);
});
