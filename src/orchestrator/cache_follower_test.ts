import assert from "node:assert/strict";
import { mockBenchmark } from "../../test/support/mock_benchmark.ts";
import { CacheFollower, processBusy } from "./cache_follower.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("CacheFollower refreshes no sooner than the minimum, then four times the last refresh's time apart", async () => {
  const starts: number[] = [];
  const ends: number[] = [];
  const follower = new CacheFollower(async () => {
    starts.push(performance.now());
    await sleep(30);
    ends.push(performance.now());
  }, { minimumMs: 10, busy: () => false });
  const started = performance.now();
  follower.start();
  // No deadline: wait for three refreshes however busy the machine is.
  while (ends.length < 3) await sleep(5);
  await follower.stop();
  // Timers never fire early, so these lower bounds hold on any machine.
  assert.ok(starts[0] - started >= 9, "the first refresh waits for the minimum");
  for (let i = 1; i < starts.length; i++) {
    const took = ends[i - 1] - starts[i - 1];
    assert.ok(
      starts[i] - ends[i - 1] >= 4 * took - 1,
      `refresh ${i} started ${(starts[i] - ends[i - 1]).toFixed(1)} ms after one of ${
        took.toFixed(1)
      } ms`,
    );
  }
});

Deno.test("CacheFollower.stop() waits for the refresh under way and starts none after it; failures are left to the next refresh", async () => {
  let calls = 0;
  let running = false;
  const follower = new CacheFollower(async () => {
    calls++;
    running = true;
    await sleep(20);
    running = false;
    if (calls === 1) throw new Error("the first refresh fails");
  }, { minimumMs: 1, busy: () => false });
  follower.start();
  while (calls < 2) await sleep(2); // the failed first refresh did not stop the following
  await follower.stop();
  assert.equal(running, false, "stop() returned while a refresh was running");
  const after = calls;
  await sleep(50);
  assert.equal(calls, after, "a refresh started after stop()");
});

Deno.test("CacheFollower leaves the cache alone while the run keeps the cores busy, and follows once they are free", async () => {
  let refreshes = 0;
  let checks = 0;
  let busy = true;
  const follower = new CacheFollower(() => {
    refreshes++;
    return Promise.resolve();
  }, {
    minimumMs: 1,
    busy: () => {
      checks++;
      return busy;
    },
  });
  follower.start();
  while (checks < 5) await sleep(2);
  assert.equal(refreshes, 0, "a refresh ran while the machine was busy");
  busy = false;
  while (refreshes < 1) await sleep(2);
  await follower.stop();
});

Deno.test("processBusy: a process that sleeps is not busy", async () => {
  const busy = processBusy();
  await sleep(50);
  assert.equal(busy(), false);
});

Deno.test("processBusy: a process that computes is busy", () => {
  // A twentieth of four cores: a loop on the main thread uses more, even on a loaded machine.
  const busy = processBusy({ share: 0.05, cores: 4 });
  const until = performance.now() + 100;
  while (performance.now() < until) { /* computing */ }
  assert.equal(busy(), true);
});

/**
 * A run of `items` trials whose mock model takes 20 ms per answer, two at a time; returns what
 * the run had announced (`run.started`, `run.finished`) each time a cache refresh started.
 */
async function followedRun(follow: boolean, items: number): Promise<string[][]> {
  const { Orchestrator, Store } = await import("../../mod.ts");
  const dir = await Deno.makeTempDir({ prefix: "themis-follow-" });
  const store = Store.open(dir);
  const announced: string[] = [];
  const refreshes: string[][] = [];
  const orchestrator = Orchestrator.fromProjectSpec({
    project_name: "follow",
    executor: { kind: "inline" },
    execution_policy: { max_in_flight: 2 },
    analytics: { follow_runs: follow },
  }, { store, follower: { minimumMs: 0, onRefresh: () => refreshes.push([...announced]) } });
  orchestrator.telemetry.subscribe((e) => {
    if (e.type === "run.started" || e.type === "run.finished") announced.push(e.type);
  });
  try {
    await orchestrator.run(mockBenchmark({
      id: "follow",
      items: Array.from({ length: items }, (_, i) => ({ id: `q${i}`, q: `${i}`, answer: i })),
      latencyMs: 20,
    }));
    return refreshes;
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a run's cache is followed from run.started on, never during its preparation", async () => {
  // With no least time between refreshes, a follower started any earlier would refresh while
  // the run is planned and prepared (those await the disk). Once started, it looks at every
  // turn of the event loop and skips one only when this process keeps the cores busy, which a
  // run waiting on 20 ms answers does not (other processes' load only makes that rarer): its
  // first refresh comes while the run executes. Later ones may come as the run closes its files.
  const refreshes = await followedRun(true, 40);
  assert.ok(refreshes.length >= 1, "the cache was refreshed while the run wrote");
  assert.deepEqual(refreshes[0], ["run.started"], "the first refresh came while the run executed");
  const whileClosing = ["run.started", "run.finished"];
  for (const seen of refreshes.slice(1)) {
    assert.ok(
      [JSON.stringify(["run.started"]), JSON.stringify(whileClosing)].includes(
        JSON.stringify(seen),
      ),
      `a refresh after ${JSON.stringify(seen)}: none may come before the start`,
    );
  }
});

Deno.test("follow_runs = false leaves the cache alone while a run writes", async () => {
  assert.deepEqual(await followedRun(false, 10), []);
});

Deno.test("a follower's least time between refreshes must be a number of milliseconds ≥ 0", async () => {
  const { Orchestrator } = await import("../../mod.ts");
  for (const minimumMs of [-1, Number.NaN, Infinity]) {
    assert.throws(
      () => Orchestrator.fromProjectSpec({ project_name: "x" }, { follower: { minimumMs } }),
      /follower\.minimumMs must be a number of milliseconds ≥ 0/,
    );
  }
});
