import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { type PhaseBoard, PhaseFailure, type StageName, TaskClock } from "./task_clock.ts";

const TIMEOUTS = { generation: 1000, parse: 1000, score: 1000, judge: 1000, hook: 1000 };

/** A board that keeps every write, with deadlines made relative to `now`. */
function recordingBoard(): PhaseBoard & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    enter(stage: StageName, item: number) {
      log.push(`enter ${stage} ${item}`);
    },
    idle() {
      log.push("idle");
    },
  };
}

const failureOf = (fn: () => unknown): PhaseFailure => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PhaseFailure);
    return error;
  }
  throw new Error("expected a throw");
};

Deno.test("TaskClock.call() ends a synchronous phase at once: its value, or its throw as a PhaseFailure", () => {
  const board = recordingBoard();
  const clock = new TaskClock(TIMEOUTS, board);
  assert.equal(clock.call("parse", 0, "parse:num", () => 42), 42);
  const failure = failureOf(() =>
    clock.call("score", 1, "score:acc/m", () => {
      throw new Error("boom");
    })
  );
  assert.deepEqual(
    { stage: failure.stage, where: failure.where, message: (failure.error as Error).message },
    { stage: "score", where: "score:acc/m", message: "boom" },
  );
  assert.deepEqual(board.log, ["enter parse 0", "idle", "enter score 1", "idle"]);
});

Deno.test("TaskClock.call() returns a promise for a phase that returned one, and times it out", async () => {
  const board = recordingBoard();
  const clock = new TaskClock({ ...TIMEOUTS, score: 30 }, board);
  let aborted = false;
  const pending = clock.call("score", 2, "score:acc/m", () => new Promise(() => {}), () => {
    aborted = true;
  });
  assert.ok(pending instanceof Promise);
  assert.deepEqual(board.log, ["enter score 2"]);
  const failure = await (pending as Promise<unknown>).catch((e: PhaseFailure) => e);
  assert.ok(failure instanceof PhaseFailure);
  assert.equal((failure.error as { code: string }).code, "PLUGIN_TIMEOUT");
  assert.ok(aborted);
  assert.deepEqual(board.log, ["enter score 2", "idle"]);
});

Deno.test("TaskClock counts a phase's synchronous part against its deadline", async () => {
  const clock = new TaskClock({ ...TIMEOUTS, generation: 200 });
  let syncDone = 0;
  const failure = await clock.run("generation", 0, "generation:x", () => {
    const started = performance.now();
    while (performance.now() - started < 150) { /* synchronous work before the promise */ }
    syncDone = performance.now();
    return new Promise(() => {});
  }).catch((e: PhaseFailure) => e);
  assert.ok(failure instanceof PhaseFailure);
  assert.equal((failure.error as { code: string }).code, "PROVIDER_TIMEOUT");
  // Due 200 ms after the start (50 ms after the synchronous part), not 200 ms after it.
  const after = performance.now() - syncDone;
  assert.ok(after < 190, `timed out ${after} ms after the synchronous part`);
});

Deno.test("TaskClock pauses a phase while a nested one runs: a judge call is not the metric's time", async () => {
  const board = recordingBoard();
  const clock = new TaskClock({ ...TIMEOUTS, score: 30, judge: 1000 }, board);
  const value = await clock.run("score", 3, "score:acc/judge", async () => {
    await clock.run("judge", 3, "judge:x", () => new Promise((r) => setTimeout(r, 60)));
    return 7;
  });
  assert.equal(value, 7);
  assert.deepEqual(board.log, ["enter score 3", "enter judge 3", "enter score 3", "idle"]);
});

Deno.test("TaskClock with settle: every phase, synchronous or not, waits for it before it ends", async () => {
  const board = recordingBoard();
  let settled = 0;
  const settle = () =>
    new Promise<void>((resolve) =>
      setImmediate(() => {
        settled++;
        board.log.push("settled");
        resolve();
      })
    );
  const clock = new TaskClock(TIMEOUTS, board, settle);
  const value = clock.call("parse", 0, "parse:num", () => 1);
  assert.ok(value instanceof Promise);
  assert.equal(await value, 1);
  const thrown = clock.call("parse", 1, "parse:num", () => {
    throw new Error("boom");
  });
  assert.ok(thrown instanceof Promise);
  const failure = await thrown.catch((e: PhaseFailure) => e);
  assert.ok(failure instanceof PhaseFailure && failure.stage === "parse");
  assert.equal(settled, 2);
  assert.deepEqual(board.log, [
    "enter parse 0",
    "settled",
    "idle",
    "enter parse 1",
    "settled",
    "idle",
  ]);
});

Deno.test("TaskClock.run() never throws synchronously: a throw is a rejected promise", async () => {
  const clock = new TaskClock(TIMEOUTS);
  const result = clock.run("hook", 0, "hook:h.preExtraction", () => {
    throw new Error("boom");
  });
  assert.ok(result instanceof Promise);
  const failure = await result.catch((e: PhaseFailure) => e);
  assert.ok(failure instanceof PhaseFailure && failure.stage === "hook");
});
