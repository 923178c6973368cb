/** Test helpers: a run directory's event log as text and as events, across segments. */
import { gunzipSync } from "node:zlib";
import { listSegments } from "../../src/store/segments.ts";

/**
 * The text of every segment of a run's log, in order (closed segments decompressed). Empty when
 * the run directory or its log does not exist yet.
 */
export function runEventsText(runDir: string): string {
  let text = "";
  for (const segment of listSegments(runDir)) {
    try {
      const bytes = Deno.readFileSync(segment.path);
      text += new TextDecoder().decode(segment.compressed ? gunzipSync(bytes) : bytes);
    } catch (error) {
      // A segment closed (renamed) between listing and reading: read the log again.
      if (error instanceof Deno.errors.NotFound) return runEventsText(runDir);
      throw error;
    }
  }
  return text;
}
