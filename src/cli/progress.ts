import type { RunProgressSnapshot } from "../orchestrator/run_progress.ts";
import type { CliIo } from "./io.ts";

const STAGES = ["generation", "parse", "score"] as const;
const WIDTH = 24;

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "–";
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h${Math.round((seconds % 3600) / 60)}m`;
}

/** One line per stage: a bar, counts, failures; then rate, ETA and cost. */
export function formatProgress(snapshot: RunProgressSnapshot, bars: boolean): string[] {
  const lines: string[] = [];
  for (const stage of STAGES) {
    const s = snapshot.stages[stage];
    if (s.total === 0) continue;
    const done = s.completed + s.failed + s.skipped;
    const fill = Math.round((done / s.total) * WIDTH);
    const bar = bars ? `[${"#".repeat(fill)}${"-".repeat(WIDTH - fill)}] ` : "";
    lines.push(
      `${stage.padEnd(10)} ${bar}${done}/${s.total}` +
        (s.running ? ` running ${s.running}` : "") +
        (s.failed ? ` failed ${s.failed}` : "") +
        (s.skipped ? ` skipped ${s.skipped}` : ""),
    );
  }
  const running = snapshot.status === "running";
  lines.push(
    (running ? "" : `${snapshot.status}  `) + `rate ${rateText(snapshot)}` +
      (running ? `  eta ${duration(snapshot.etaSeconds)}` : "") +
      (snapshot.cost > 0 ? `  cost ${snapshot.cost.toFixed(4)}` : ""),
  );
  return lines;
}

/**
 * A snapshot's rate with what it counts: generation requests or work items per second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateText } from "./progress.ts";
 * assert.equal(rateText({ throughput: 2.25, throughputUnit: "requests" }), "2.3 requests/s");
 * assert.equal(rateText({ throughput: 40, throughputUnit: "items" }), "40.0 items/s");
 * assert.equal(rateText({ throughput: null }), "–");
 * ```
 */
export function rateText(
  snapshot: Pick<RunProgressSnapshot, "throughput" | "throughputUnit">,
): string {
  if (snapshot.throughput === null) return "–";
  return `${snapshot.throughput.toFixed(1)} ${snapshot.throughputUnit ?? "items"}/s`;
}

/**
 * A progress renderer for stderr: live bars redrawn in place on a terminal, a plain line every
 * few seconds otherwise, nothing when quiet. Returns the callback and a `done()` to call last.
 */
export function progressRenderer(
  io: CliIo,
  quiet: boolean,
): { onSnapshot?: (s: RunProgressSnapshot) => void; done(): void } {
  if (quiet) return { done() {} };
  if (io.errIsTerminal) {
    let drawn = 0;
    let last = 0;
    let latest: RunProgressSnapshot | undefined;
    const draw = () => {
      if (!latest) return;
      const lines = formatProgress(latest, true);
      io.err((drawn ? `\x1b[${drawn}A` : "") + lines.map((l) => `\x1b[2K${l}\n`).join(""));
      drawn = lines.length;
    };
    return {
      onSnapshot(snapshot) {
        latest = snapshot;
        const now = Date.now();
        if (now - last >= 100) {
          last = now;
          draw();
        }
      },
      done: draw,
    };
  }
  // Plain lines for logs: one every five seconds, so short runs print none.
  let last = Date.now();
  let printed = false;
  let latest: RunProgressSnapshot | undefined;
  const print = (snapshot: RunProgressSnapshot) =>
    io.err(`progress: ${formatProgress(snapshot, false).join(" | ")}\n`);
  return {
    onSnapshot(snapshot) {
      latest = snapshot;
      const now = Date.now();
      if (now - last >= 5000) {
        last = now;
        printed = true;
        print(snapshot);
      }
    },
    done() {
      if (latest && printed) print(latest);
    },
  };
}
