/**
 * SHA-256 for ids: time and memory of each implementation themis could use, hashing the kind of
 * strings ids are made from (canonical JSON, 70 to 2,000 characters). Each (implementation,
 * size) runs in a fresh process, rounds interleaved, so peak RSS is that implementation's own
 * and a machine busy with other work slows every implementation alike; ratios are to
 * `node:crypto` `hash()` measured in the same round.
 *
 * `deno run -A bench/sha256.ts [--count 2000000] [--sizes 70,500,2000] [--rounds 3]`
 *
 * - `hash`: `node:crypto` `hash("sha256", text, "hex")`, one call, no object per hash;
 * - `createHash`: `node:crypto` `createHash("sha256").update(text).digest("hex")`;
 * - `noble`: `@noble/hashes` 2.0.1 `sha256`, with its `utf8ToBytes` and `bytesToHex`;
 * - `ours`: themis's own TypeScript SHA-256 (`IdHasher` of src/plan/id_hasher.ts, which
 *   planning hashes ids with), here without a shared prefix: every byte of the text hashed.
 *
 * The numbers and the decision they led to: docs/design/dependencies.md.
 *
 * The child prints one JSON line: milliseconds, ns per hash, peak RSS (VmHWM), RSS at the end,
 * and RSS after a forced full garbage collection (which tells lagging garbage from memory held).
 */
import { parseArgs } from "node:util";

const IMPLEMENTATIONS = ["hash", "createHash", "noble", "ours"] as const;
type Implementation = typeof IMPLEMENTATIONS[number];

interface Measure {
  implementation: Implementation;
  size: number;
  count: number;
  ms: number;
  nsPerHash: number;
  peakRssMb: number;
  endRssMb: number;
  afterGcRssMb: number;
}

const NOBLE = ["npm:@noble/hashes", "2.0.1"].join("@");

/** The hex sha256 function of one implementation (loaded lazily: a child loads only its own). */
async function load(implementation: Implementation): Promise<(text: string) => string> {
  switch (implementation) {
    case "hash": {
      const { hash } = await import("node:crypto");
      return (text) => hash("sha256", text, "hex");
    }
    case "createHash": {
      const { createHash } = await import("node:crypto");
      return (text) => createHash("sha256").update(text).digest("hex");
    }
    case "noble": {
      // Built at run time so deno.lock never records a package only this bench uses.
      const { sha256 } = await import(`${NOBLE}/sha2.js`);
      const { bytesToHex, utf8ToBytes } = await import(`${NOBLE}/utils.js`);
      return (text) => bytesToHex(sha256(utf8ToBytes(text)));
    }
    case "ours": {
      const { IdHasher } = await import("../src/plan/id_hasher.ts");
      const hasher = new IdHasher();
      return (text) => hasher.hex(text, 64);
    }
  }
}

/** A canonical-JSON-like string of about `size` characters, distinct for every `i`. */
function input(i: number, padding: string): string {
  return `{"kind":"trial","item":{"id":"item-${i}","payload":"${padding}"},"n":${i}}`;
}

/** Non-ASCII padding (ids hash UTF-8) making {@linkcode input} about `size` characters. */
const paddingFor = (size: number) => "é∑x".repeat(size).slice(0, Math.max(0, size - 64));

function rssMb(field: "VmHWM" | "VmRSS"): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))![1]);
  return Math.round(kb / 1024);
}

async function measure(implementation: Implementation, size: number, count: number) {
  const hex = await load(implementation);
  const padding = paddingFor(size);
  // Warm up on a different range so the timed loop sees fresh strings.
  for (let i = 0; i < 20_000; i++) hex(input(-i, padding));
  const started = performance.now();
  let check = 0;
  for (let i = 0; i < count; i++) check ^= hex(input(i, padding)).charCodeAt(7);
  const ms = performance.now() - started;
  const endRssMb = rssMb("VmRSS");
  (globalThis as unknown as { gc(): void }).gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const result: Measure & { check: number } = {
    implementation,
    size,
    count,
    ms: Math.round(ms),
    nsPerHash: Math.round((ms * 1e6) / count),
    peakRssMb: rssMb("VmHWM"),
    endRssMb,
    afterGcRssMb: rssMb("VmRSS"),
    check,
  };
  console.log(JSON.stringify(result));
}

async function child(implementation: Implementation, size: number, count: number) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      import.meta.filename!,
      "--child",
      implementation,
      "--sizes",
      String(size),
      "--count",
      String(count),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`${implementation} ${size} failed`);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as Measure;
}

/** Every implementation must give the same hex for the same text (ids stay byte-identical). */
async function agree(): Promise<void> {
  const texts = ["", "abc", "é∑€😀".repeat(40), "x".repeat(55), "x".repeat(56), "y".repeat(3000)];
  const all = await Promise.all(IMPLEMENTATIONS.map(load));
  for (const text of texts) {
    const hexes = new Set(all.map((hex) => hex(text)));
    if (hexes.size !== 1) throw new Error(`implementations disagree on ${JSON.stringify(text)}`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { values } = parseArgs({
  args: Deno.args,
  options: {
    child: { type: "string" },
    count: { type: "string", default: "2000000" },
    sizes: { type: "string", default: "70,500,2000" },
    rounds: { type: "string", default: "3" },
  },
});
const count = Number(values.count);
const sizes = values.sizes!.split(",").map(Number);
if (values.child) {
  await measure(values.child as Implementation, sizes[0], count);
} else {
  await agree();
  const rows: Measure[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const size of sizes) {
      for (const implementation of IMPLEMENTATIONS) {
        rows.push(await child(implementation, size, count));
      }
    }
  }
  const table = [];
  for (const size of sizes) {
    const of = (implementation: Implementation) =>
      rows.filter((r) => r.size === size && r.implementation === implementation);
    const base = median(of("hash").map((r) => r.nsPerHash));
    for (const implementation of IMPLEMENTATIONS) {
      const mine = of(implementation);
      const ns = median(mine.map((r) => r.nsPerHash));
      table.push({
        size,
        implementation,
        "ns/hash": ns,
        "× hash()": Number((ns / base).toFixed(2)),
        "peak RSS MB": median(mine.map((r) => r.peakRssMb)),
        "end RSS MB": median(mine.map((r) => r.endRssMb)),
        "after gc MB": median(mine.map((r) => r.afterGcRssMb)),
      });
    }
  }
  console.log(`${count} hashes per process, median of ${values.rounds} rounds`);
  console.table(table);
}
