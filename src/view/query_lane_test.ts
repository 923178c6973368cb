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
  const first = lane.run(PRIORITY.background, task("stats 1", hold.opened));
  const stats = lane.run(PRIORITY.background, task("stats 2"));
  const refresh = lane.run(PRIORITY.refresh, task("refresh"));
  const page = lane.run(PRIORITY.interactive, task("page"));
  const page2 = lane.run(PRIORITY.interactive, task("page 2"));
  assert.equal(lane.waiting, 4);
  hold.open();
  assert.deepEqual(await Promise.all([first, stats, refresh, page, page2]), [
    "stats 1",
    "stats 2",
    "refresh",
    "page",
    "page 2",
  ]);
  assert.deepEqual(log, [
    "start stats 1",
    "end stats 1",
    "start page",
    "end page",
    "start page 2",
    "end page 2",
    "start refresh",
    "end refresh",
    "start stats 2",
    "end stats 2",
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
