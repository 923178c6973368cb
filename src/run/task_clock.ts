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

/** Milliseconds since the epoch with sub-millisecond precision, comparable across threads. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

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

interface Phase {
  stage: StageName;
  item: number;
  where: string;
  remaining: number;
  since: number;
  timer?: ReturnType<typeof setTimeout>;
  expire?: () => void;
  /** Arms the phase's timer (at the end of the turn it started in, if it is still running). */
  arm?: () => void;
  /** Phases running inside this one (judge calls inside a metric). */
  nested: number;
}

/**
 * Phases that returned a promise, armed at the end of the current turn if still running: most
 * settle within it (a mock engine, a pure async metric), and a timer per phase would cost more
 * than the phase. The deadline is still counted from the phase's start.
 */
const armLater = (() => {
  const waiting = new Set<Phase>();
  let scheduled = false;
  const armAll = () => {
    scheduled = false;
    for (const phase of waiting) phase.arm?.();
    waiting.clear();
  };
  return {
    add(phase: Phase): void {
      waiting.add(phase);
      if (!scheduled) {
        scheduled = true;
        setImmediate(armAll);
      }
    },
    delete: (phase: Phase) => waiting.delete(phase),
  };
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
  async run<T>(
    stage: StageName,
    item: number,
    where: string,
    fn: () => T | PromiseLike<T>,
    onTimeout?: () => void,
  ): Promise<T> {
    const parent = this.#outer;
    if (parent && parent.nested++ === 0) this.#pause(parent);
    const phase: Phase = {
      stage,
      item,
      where,
      remaining: this.timeouts[stage],
      since: epochNow(),
      nested: 0,
    };
    if (!parent) this.#outer = phase;
    this.board?.enter(stage, item, phase.since + phase.remaining);
    try {
      const value = fn();
      const result = !isThenable(value) ? value : await new Promise<T>((resolve, reject) => {
        phase.expire = () => {
          onTimeout?.();
          reject(phaseTimeoutError(stage, where, this.timeouts[stage]));
        };
        phase.arm = () => this.#arm(phase);
        if (phase.nested === 0) armLater.add(phase);
        value.then(resolve, reject);
      });
      if (this.settle) await this.settle();
      return result;
    } catch (error) {
      if (this.settle) await this.settle();
      throw error instanceof PhaseFailure ? error : new PhaseFailure(stage, where, error);
    } finally {
      armLater.delete(phase);
      clearTimeout(phase.timer);
      phase.expire = undefined;
      phase.arm = undefined;
      if (parent) {
        if (--parent.nested === 0) this.#resume(parent);
      } else {
        this.#outer = undefined;
        this.board?.idle();
      }
    }
  }

  /** Start the phase's timer for what is left of its time. */
  #arm(phase: Phase): void {
    const now = epochNow();
    phase.remaining -= now - phase.since;
    phase.since = now;
    phase.timer = setTimeout(() => phase.expire?.(), Math.max(0, phase.remaining));
  }

  #pause(phase: Phase): void {
    armLater.delete(phase);
    clearTimeout(phase.timer);
    phase.timer = undefined;
    phase.remaining -= epochNow() - phase.since;
    phase.since = epochNow();
  }

  #resume(phase: Phase): void {
    this.board?.enter(phase.stage, phase.item, epochNow() + phase.remaining);
    phase.since = epochNow();
    if (phase.expire) armLater.add(phase);
  }
}
