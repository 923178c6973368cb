/**
 * The thread that compresses closed segments for writers (`segments.ts`
 * `compressInBackground`): the writer's thread goes on appending meanwhile. Each job's shared
 * flag says when it is done, so a writer that must see it finished can block on it.
 */
import { parentPort } from "node:worker_threads";
import { errorMessage } from "../core/errors.ts";
import { compressSegment } from "./segments.ts";

const DONE = 1;
const FAILED = 2;

parentPort?.on("message", ({ id, path, flag }: { id: number; path: string; flag: Int32Array }) => {
  let error: string | undefined;
  try {
    compressSegment(path);
  } catch (cause) {
    error = errorMessage(cause);
  }
  parentPort!.postMessage({ id, error });
  Atomics.store(flag, 0, error === undefined ? DONE : FAILED);
  Atomics.notify(flag, 0);
});
