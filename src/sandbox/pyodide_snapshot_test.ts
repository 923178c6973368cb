import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { pyodideSnapshot } from "./pyodide_snapshot.ts";

Deno.test("pyodideSnapshot() boots Pyodide once per process: worker threads get the same bytes", async () => {
  // Two boots never give the same memory (hash seeds, addresses): equal bytes mean one boot.
  const module = JSON.stringify(new URL("./pyodide_snapshot.ts", import.meta.url).href);
  const source = `
    import { parentPort } from "node:worker_threads";
    import { pyodideSnapshot } from ${module};
    const bytes = await pyodideSnapshot();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    parentPort.postMessage([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));`;
  const url = new URL(`data:application/javascript,${encodeURIComponent(source)}`);
  const workers = [new Worker(url), new Worker(url)];
  try {
    const fromWorkers = workers.map((w) => new Promise((resolve) => w.once("message", resolve)));
    const mine = await pyodideSnapshot();
    assert.ok(mine.length > 1_000_000);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", mine));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.deepEqual(await Promise.all(fromWorkers), [hex, hex]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});
