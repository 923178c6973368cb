/**
 * Run by `pyodideSnapshot()` in a process that may only read the Pyodide package: boots
 * Pyodide once and writes its memory snapshot to stdout. Sandboxes start from the snapshot in
 * a fraction of the time a fresh boot takes. No program code ever runs here.
 *
 * @module
 */
async function main(url: string, dir: string): Promise<void> {
  const { loadPyodide } = await import(url);
  const pyodide = await loadPyodide({ indexURL: dir + "/", _makeSnapshot: true });
  const snapshot: Uint8Array = pyodide.makeMemorySnapshot();
  let written = 0;
  while (written < snapshot.length) written += Deno.stdout.writeSync(snapshot.subarray(written));
}

if (import.meta.main) await main(Deno.args[0], Deno.args[1]);
