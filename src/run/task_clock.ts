/**
 * Deadlines of one task's phases, where the task runs (a worker, or the main thread inline).
 * Every call into plugin code is a phase — a generation, a parse, a score, a judge call, a hook —
 * with its own timeout from the execution policy, started when the phase starts (never while
 * the task waits in a queue or a worker starts up). An asynchronous overrun is stopped here;
 * a synchronous one cannot be, so each phase is also written to a board that the pool's
 * watchdog reads to stop a wedged worker and to say which phase wedged it.
 */
import { setImmediate } from "node:timers";
import { ThemisError } from "../core/errors.ts";

/** The stages a failure is attributed to. */
export type StageName = "generation" | "parse" | "score" | "judge" | "hook";

/** Milliseconds each phase may take. */
export type StageTimeouts = Record<StageName, number>;

/** Where a task's current phase is published (the pool's shared board). */
export interface PhaseBoard {
  /** The task entered a phase of `stage` on work item `item`, due at `deadline` (epoch ms). */
  enter(stage: StageName, item: number, deadline: number): void;
  /** The task runs no plugin code right now. */
  idle(): void;
}

/** The policy key that sets each stage's timeout, for messages. */
export const TIMEOUT_KEYS: Record<StageName, string> = {
  generation: "attempt_timeout",
  parse: "parse_timeout",
  score: "score_timeout",
  judge: "judge_timeout",
  hook: "hook_timeout",
};

// Fixed for the life of a thread; read once (every phase reads the clock).
const TIME_ORIGIN = performance.timeOrigin;

/** Milliseconds since the epoch with sub-millisecond precision, comparable across threads. */
export const epochNow = (): number => TIME_ORIGIN + performance.now();

/**
 * The error of a phase past its timeout: `PROVIDER_TIMEOUT` for model calls (generation,
 * judge), `PLUGIN_TIMEOUT` for the rest — a slow metric is never a provider's fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { phaseTimeoutError } from "./task_clock.ts";
 * const error = phaseTimeoutError("score", "score:acc/exact_match", 2000);
 * assert.equal(error.code, "PLUGIN_TIMEOUT");
 * assert.match(error.message, /within 2s \(execution_policy.score_timeout\)/);
 * ```
 */
export function phaseTimeoutError(
  stage: StageName,
  where: string,
  timeoutMs: number,
  why = "",
): ThemisError {
  const code = stage === "generation" || stage === "judge" ? "PROVIDER_TIMEOUT" : "PLUGIN_TIMEOUT";
  return new ThemisError(
    code,
    `${where} did not finish within ${timeoutMs / 1000}s (execution_policy.` +
      `${TIMEOUT_KEYS[stage]})${why}`,
    { stage, timeout_ms: timeoutMs },
  );
}

/** A failure inside a phase, carrying the phase it happened in. */
export class PhaseFailure extends Error {
  constructor(readonly stage: StageName, readonly where: string, readonly error: unknown) {
    super("phase failed");
  }
}

/** One running phase: its place on the board, its time left, and how to time it out. */
class Phase {
  /** Inner phases running now (judge calls inside a metric): the phase's clock is paused. */
  nested = 0;
  /** Its place in the phases waiting for the end of the turn (see {@linkcode armLater}), or -1. */
  waiting = -1;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Set while the phase waits on a promise; rejects it at the deadline. */
  reject: ((error: unknown) => void) | undefined;
  onTimeout: (() => void) | undefined;
  /** Milliseconds left as of `since`. */
  remaining: number;

  constructor(
    readonly stage: StageName,
    readonly item: number,
    readonly where: string,
    readonly timeoutMs: number,
    public since: number,
    /** The phase this one runs inside (a metric's, for a judge call). */
    readonly parent: Phase | undefined,
  ) {
    this.remaining = timeoutMs;
  }

  /** Start the timer for what is left of the phase's time. */
  arm(): void {
    if (this.reject === undefined || this.nested > 0) return;
    const now = epochNow();
    this.remaining -= now - this.since;
    this.since = now;
    this.timer = setTimeout(() => this.expire(), Math.max(0, this.remaining));
  }

  expire(): void {
    const reject = this.reject;
    if (reject === undefined) return;
    this.reject = undefined;
    reject(phaseTimeoutError(this.stage, this.where, this.timeoutMs));
    this.onTimeout?.();
  }

  /** The phase ended, or is paused: no timer, nothing armed later. */
  disarm(): void {
    armLater.cancel(this);
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/**
 * Phases that returned a promise, armed at the end of the current turn if still running: most
 * settle within it (a mock engine, a pure async metric), and a timer per phase would cost more
 * than the phase. The deadline is still counted from the phase's start.
 */
const armLater = (() => {
  // A phase leaves the list as soon as it ends (swapped with the last), so a long run of
  // tasks that never yields a turn does not pile up ended phases.
  const waiting: Phase[] = [];
  let scheduled = false;
  const armAll = () => {
    scheduled = false;
    const phases = waiting.splice(0);
    for (const phase of phases) phase.waiting = -1;
    for (const phase of phases) phase.arm();
  };
  const add = (phase: Phase): void => {
    if (phase.waiting >= 0) return;
    phase.waiting = waiting.push(phase) - 1;
    if (!scheduled) {
      scheduled = true;
      setImmediate(armAll);
    }
  };
  const cancel = (phase: Phase): void => {
    const at = phase.waiting;
    if (at < 0) return;
    phase.waiting = -1;
    const last = waiting.pop()!;
    if (last === phase) return;
    waiting[at] = last;
    last.waiting = at;
  };
  return Object.assign(add, { cancel });
})();

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown })?.then === "function";

/**
 * Runs one task's phases with their deadlines. A nested phase (a judge call inside a metric)
 * pauses the phase around it, so a score's timeout counts the metric's own time only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PhaseFailure, TaskClock } from "./task_clock.ts";
 * const clock = new TaskClock({ generation: 1000, parse: 1000, score: 20, judge: 1000, hook: 1000 });
 * assert.equal(await clock.run("parse", 0, "parse:num", () => 42), 42);
 * const hung = await clock.run("score", 1, "score:acc", () => new Promise(() => {}))
 *   .catch((e: PhaseFailure) => e);
 * assert.ok(hung instanceof PhaseFailure);
 * assert.equal(hung.stage, "score");
 * assert.equal((hung.error as { code: string }).code, "PLUGIN_TIMEOUT");
 * ```
 */
export class TaskClock {
  /** The phase the task is in; judge calls run nested inside a score's phase. */
  #outer: Phase | undefined;
  #started = 0;

  /** When the last phase started (epoch ms): read right after `run()` is called, its start. */
  get started(): number {
    return this.#started;
  }

  /**
   * @param settle awaited after each phase while the board still shows it: in isolation the
   * pool passes one event-loop turn, so a timer a plugin set off or a promise it left rejected
   * surfaces while its phase is still the one to blame.
   */
  constructor(
    readonly timeouts: StageTimeouts,
    readonly board?: PhaseBoard,
    readonly settle?: () => Promise<void>,
  ) {}

  /**
   * Run `fn` as one phase. A throw or rejection becomes a {@linkcode PhaseFailure} naming the
   * phase; an asynchronous overrun rejects with a timeout at the deadline (and `onTimeout`
   * lets the plugin know, e.g. by aborting its signal).
   */
  run<T>(
    stage: StageName,
    item: number,
    where: string,
    fn: () => T | PromiseLike<T>,
    onTimeout?: () => void,
  ): Promise<T> {
    try {
      const value = this.call(stage, item, where, fn, onTimeout);
      return isThenable(value) ? value : Promise.resolve(value);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * {@linkcode run}, except that a phase whose `fn` returns a plain value (a synchronous
   * extractor or metric) ends at once: its value is returned, its throw thrown, as a
   * {@linkcode PhaseFailure}, with no promise in between. A promise comes back for the rest,
   * and whenever the clock has a `settle` to wait for.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TaskClock } from "./task_clock.ts";
   * const clock = new TaskClock({ generation: 1e3, parse: 1e3, score: 1e3, judge: 1e3, hook: 1e3 });
   * assert.equal(clock.call("parse", 0, "parse:num", () => 42), 42);
   * assert.ok(clock.call("score", 1, "score:acc", async () => 1) instanceof Promise);
   * ```
   */
  call<T>(
    stage: StageName,
    item: number,
    where: string,
    fn: () => T | PromiseLike<T>,
    onTimeout?: () => void,
  ): T | Promise<T> {
    const parent = this.#outer;
    if (parent !== undefined && parent.nested++ === 0) this.#pause(parent);
    const timeout = this.timeouts[stage];
    const since = this.#started = epochNow();
    const phase = new Phase(stage, item, where, timeout, since, parent);
    if (parent === undefined) this.#outer = phase;
    this.board?.enter(stage, item, since + timeout);
    let value: T | PromiseLike<T>;
    try {
      value = fn();
    } catch (error) {
      if (this.settle) return this.#fail(phase, error);
      this.#leave(phase);
      throw phaseFailure(phase, error);
    }
    if (!isThenable(value) && !this.settle) {
      this.#leave(phase);
      return value;
    }
    return this.#finish(phase, value, onTimeout);
  }

  /** The rest of a phase that returned a promise (or must settle before it ends). */
  async #finish<T>(phase: Phase, value: T | PromiseLike<T>, onTimeout?: () => void): Promise<T> {
    try {
      const result = isThenable(value) ? await watch(phase, value, onTimeout) : value;
      if (this.settle) await this.settle();
      return result;
    } catch (error) {
      if (this.settle) await this.settle();
      throw phaseFailure(phase, error);
    } finally {
      this.#leave(phase);
    }
  }

  /** A phase that threw, once what it set off has had its turn to surface. */
  async #fail(phase: Phase, error: unknown): Promise<never> {
    try {
      await this.settle?.();
    } finally {
      this.#leave(phase);
    }
    throw phaseFailure(phase, error);
  }

  #leave(phase: Phase): void {
    phase.reject = undefined;
    phase.disarm();
    const parent = phase.parent;
    if (parent !== undefined) {
      if (--parent.nested === 0) this.#resume(parent);
    } else {
      this.#outer = undefined;
      this.board?.idle();
    }
  }

  #pause(phase: Phase): void {
    phase.disarm();
    const now = epochNow();
    phase.remaining -= now - phase.since;
    phase.since = now;
  }

  #resume(phase: Phase): void {
    const now = epochNow();
    this.board?.enter(phase.stage, phase.item, now + phase.remaining);
    phase.since = now;
    if (phase.reject !== undefined) armLater(phase);
  }
}

const phaseFailure = (phase: Phase, error: unknown): PhaseFailure =>
  error instanceof PhaseFailure ? error : new PhaseFailure(phase.stage, phase.where, error);

/** The phase's promise, rejected at its deadline (the timer armed at the end of the turn). */
function watch<T>(phase: Phase, value: PromiseLike<T>, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    phase.reject = reject;
    phase.onTimeout = onTimeout;
    if (phase.nested === 0) armLater(phase);
    value.then(resolve, reject);
  });
}
