/** The run directory: event envelope, append, read, lock, paths. */
export * from "./events.ts";
export { completeLength, EventWriter, iterEvents, readEvents } from "./event_log.ts";
export type { EventWriterOptions, ReadEventsResult } from "./event_log.ts";
export { storePaths } from "./paths.ts";
export { acquireRunLock } from "./run_lock.ts";
export type { RunLock } from "./run_lock.ts";
export { RunStore } from "./run_store.ts";
export type { LoadedState, OpenRun } from "./run_store.ts";
export * from "./store_state.ts";
export { writeFileAtomic } from "./write_atomic.ts";
