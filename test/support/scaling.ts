/**
 * A guard against super-linear time (a quadratic scan, a backtracking regex) that does not
 * depend on how fast or how busy the machine is: a deadline in milliseconds measures the
 * machine, not the code.
 *
 * The rule: one run on an input `factor` times bigger (8 by default) may cost at most `limit`
 * times (3 by default) as much as `factor` runs on the small input, which is the same amount of
 * text. Linear work gives a ratio near 1; quadratic work gives about `factor`.
 *
 * Both sides do the same amount of work, so their samples last about as long and a busy machine
 * stretches both alike. Each sample is timed by the wall clock and by the CPU time of the
 * process: a busy neighbour or a stall inflates the first, another thread of this process the
 * second, super-linear work both; the better ratio of the two counts. The rounds alternate
 * between the sides and the best round of each counts, so a stall that hits a sample (a garbage
 * collection, a busy neighbour) is shrugged off: the check passes once the best of at least three
 * rounds are within the limit (one round could pass on a stalled small side) and fails only when
 * none of up to `rounds` (5 by default) gets there.
 *
 * Keep the large input small (tens of kB): once the work's allocations outgrow the young
 * generation or a cache, linear work costs more per unit on the large input (2-3× was seen at
 * 1 MB on a busy machine), while a quadratic term shows at any size.
 */
import process from "node:process";

export interface ScalingOptions {
  /** How many times bigger the large input is than the small one (default 8). */
  factor?: number;
  /** The most the large input may cost per unit of size, relative to the small (default 3). */
  limit?: number;
  /** Rounds of both sides at most (at least 3 are run); the best of each counts (default 5). */
  rounds?: number;
  /** Each sample repeats its work until it lasts about this long (default 2 ms). */
  minSampleMs?: number;
  /** What is measured, for the failure message. */
  label?: string;
}

/** Per-unit cost of the large input against the small, by each clock; best rounds in ms. */
export interface Growth {
  /** The better of the two clocks' ratios: about 1 for linear work, `factor` for quadratic. */
  ratio: number;
  wall: { ratio: number; small: number; large: number };
  cpu: { ratio: number; small: number; large: number };
  rounds: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Rounds before a check may pass: a single round passes when a stall hits its small side. */
const MIN_ROUNDS = 3;

/** Where results go, so that the compiler cannot drop work whose result goes unused. */
export let sink: unknown;

function sample(work: () => unknown, times: number): { wall: number; cpu: number } {
  const cpu = cpuMs();
  const wall = performance.now();
  for (let i = 0; i < times; i++) sink = work();
  return { wall: performance.now() - wall, cpu: cpuMs() - cpu };
}

function measure(
  prepare: (size: number) => () => unknown,
  n: number,
  options: ScalingOptions,
  stopBelow: number,
): Growth {
  const factor = options.factor ?? 8;
  const rounds = Math.max(MIN_ROUNDS, options.rounds ?? 5);
  const minSampleMs = options.minSampleMs ?? 2;
  const small = prepare(n);
  const large = prepare(n * factor);
  sample(small, 1); // the first call pays for compiling
  const estimate = sample(small, factor);
  const repeats = Math.max(
    1,
    Math.ceil(minSampleMs / Math.max(Math.min(estimate.wall, estimate.cpu), 1e-3)),
  );
  const best = {
    small: { wall: Infinity, cpu: Infinity },
    large: { wall: Infinity, cpu: Infinity },
  };
  const clock = (which: "wall" | "cpu") => ({
    ratio: best.large[which] / Math.max(best.small[which], 1e-3),
    small: best.small[which],
    large: best.large[which],
  });
  let growth!: Growth;
  for (let round = 1; round <= rounds; round++) {
    const s = sample(small, factor * repeats);
    const l = sample(large, repeats);
    best.small = { wall: Math.min(best.small.wall, s.wall), cpu: Math.min(best.small.cpu, s.cpu) };
    best.large = { wall: Math.min(best.large.wall, l.wall), cpu: Math.min(best.large.cpu, l.cpu) };
    const wall = clock("wall");
    const cpu = clock("cpu");
    growth = { ratio: Math.min(wall.ratio, cpu.ratio), wall, cpu, rounds: round };
    if (round >= MIN_ROUNDS && growth.ratio < stopBelow) break;
  }
  return growth;
}

/**
 * How much more one run on an input of size `n * factor` costs than `factor` runs on an input
 * of size `n`, over all the rounds: about 1 for linear work, about `factor` for quadratic work.
 *
 * `prepare(size)` builds the input of that size (untimed) and returns the work to time, which
 * may assert on its result.
 */
export function growthRatio(
  prepare: (size: number) => () => unknown,
  n: number,
  options: ScalingOptions = {},
): Growth {
  return measure(prepare, n, options, 0);
}

/**
 * Fails when the work grows faster than linearly with its input (see {@link growthRatio} and
 * the rule at the top of this file).
 */
export function assertScalesLinearly(
  prepare: (size: number) => () => unknown,
  n: number,
  options: ScalingOptions = {},
): void {
  const factor = options.factor ?? 8;
  const limit = options.limit ?? 3;
  const growth = measure(prepare, n, options, limit);
  if (!(growth.ratio < limit)) {
    const what = options.label === undefined ? "" : `${options.label}: `;
    const ms = (x: number) => x.toFixed(2);
    throw new Error(
      `${what}one run on size ${n * factor} cost ${growth.ratio.toFixed(2)}× as much as ` +
        `${factor} runs on size ${n} (limit ${limit}×; best of ${growth.rounds} rounds: ` +
        `${ms(growth.wall.large)} against ${ms(growth.wall.small)} ms wall clock, ` +
        `${ms(growth.cpu.large)} against ${ms(growth.cpu.small)} ms CPU): ` +
        `the work grows faster than its input`,
    );
  }
}
