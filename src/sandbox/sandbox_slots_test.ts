import assert from "node:assert/strict";
import { acquireSandboxSlot } from "./sandbox_slots.ts";

const slots = (n: number) => new BigInt64Array(new SharedArrayBuffer(8 * n));

Deno.test("acquireSandboxSlot() makes the next caller wait until a slot is given back", async () => {
  const shared = slots(2);
  const first = await acquireSandboxSlot(60_000, { slots: shared });
  const second = await acquireSandboxSlot(60_000, { slots: shared });
  let third = false;
  const waiting = acquireSandboxSlot(60_000, { slots: shared }).then((release) => {
    third = true;
    return release;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(third, false, "both slots are held");
  second();
  const release = await waiting;
  assert.equal(third, true);
  first();
  release();
  assert.deepEqual([...shared], [0n, 0n]);
});

Deno.test("acquireSandboxSlot() takes over a slot whose holder outlived its hold (a terminated worker)", async () => {
  const shared = slots(1);
  let now = 1_000_000;
  const stale = await acquireSandboxSlot(5_000, { slots: shared, now: () => now });
  assert.equal(shared[0], 1_005_000n);
  now += 5_001;
  const fresh = await acquireSandboxSlot(5_000, { slots: shared, now: () => now });
  assert.equal(shared[0], 1_010_001n);
  stale(); // too late: the slot is someone else's now
  assert.equal(shared[0], 1_010_001n);
  fresh();
  assert.equal(shared[0], 0n);
});

Deno.test("acquireSandboxSlot() shares one set of slots between worker threads", async () => {
  // Two workers hold the process's slots while the main thread waits: the count is shared.
  const module = JSON.stringify(new URL("./sandbox_slots.ts", import.meta.url).href);
  const source = `
    import { parentPort } from "node:worker_threads";
    import { acquireSandboxSlot, sandboxSlotCount } from ${module};
    parentPort.once("message", async () => {
      const release = await acquireSandboxSlot(60_000);
      parentPort.postMessage(sandboxSlotCount());
      parentPort.once("message", () => {
        release();
        parentPort.postMessage("released");
      });
    });`;
  const { sandboxSlotCount } = await import("./sandbox_slots.ts");
  const count = sandboxSlotCount();
  const url = `data:application/javascript,${encodeURIComponent(source)}`;
  const { Worker } = await import("node:worker_threads");
  const workers = Array.from({ length: count }, () => new Worker(new URL(url)));
  try {
    const next = (w: InstanceType<typeof Worker>) =>
      new Promise<unknown>((resolve) => w.once("message", resolve));
    const held = workers.map(next);
    workers.forEach((w) => w.postMessage("take"));
    assert.deepEqual(await Promise.all(held), workers.map(() => count));
    let mine = false;
    const waiting = acquireSandboxSlot(60_000).then((release) => {
      mine = true;
      release();
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(mine, false, "every slot of the process is held by a worker");
    const released = next(workers[0]);
    workers[0].postMessage("release");
    assert.equal(await released, "released");
    await waiting;
    assert.equal(mine, true);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});
