import assert from "node:assert/strict";
import { PRIORITY, QueryLane } from "./query_lane.ts";

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

Deno.test("QueryLane runs one task at a time, the most urgent waiting task next", async () => {
  const lane = new QueryLane();
  const log: string[] = [];
  let running = 0;
  const task = (name: string, wait?: Promise<void>) => async () => {
    running++;
    assert.equal(running, 1, "never two tasks at once");
    log.push(`start ${name}`);
    await wait;
    log.push(`end ${name}`);
    running--;
    return name;
  };
  const hold = gate();
  const first = lane.run(PRIORITY.refresh, task("refresh 1", hold.opened));
  const refresh = lane.run(PRIORITY.refresh, task("refresh 2"));
  const page = lane.run(PRIORITY.interactive, task("page"));
  const page2 = lane.run(PRIORITY.interactive, task("page 2"));
  assert.equal(lane.waiting, 3);
  hold.open();
  assert.deepEqual(await Promise.all([first, refresh, page, page2]), [
    "refresh 1",
    "refresh 2",
    "page",
    "page 2",
  ]);
  assert.deepEqual(log, [
    "start refresh 1",
    "end refresh 1",
    "start page",
    "end page",
    "start page 2",
    "end page 2",
    "start refresh 2",
    "end refresh 2",
  ]);
  assert.equal(lane.waiting, 0);
});

Deno.test("QueryLane passes a task's error to its caller and goes on with the next", async () => {
  const lane = new QueryLane();
  const failing = lane.run(PRIORITY.interactive, () => {
    throw new Error("boom");
  });
  const next = lane.run(PRIORITY.interactive, () => Promise.resolve(42));
  await assert.rejects(failing, /boom/);
  assert.equal(await next, 42);
});

Deno.test("QueryLane.drain refuses waiting and later tasks and waits for the running one", async () => {
  const lane = new QueryLane();
  const hold = gate();
  let finished = false;
  const running = lane.run(PRIORITY.refresh, async () => {
    await hold.opened;
    finished = true;
    return "done";
  });
  const waiting = lane.run(PRIORITY.interactive, () => Promise.resolve("never"));
  const drained = lane.drain(new Error("shutting down"));
  await assert.rejects(waiting, /shutting down/);
  assert.equal(finished, false);
  hold.open();
  await drained;
  assert.equal(finished, true);
  assert.equal(await running, "done");
  await assert.rejects(lane.run(PRIORITY.interactive, () => Promise.resolve(1)), /shutting down/);
});
