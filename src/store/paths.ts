import { join } from "node:path";

/** The folders and files of a store (DESIGN §3). */
export const storePaths = {
  runs: (root: string): string => join(root, "runs"),
  runDir: (root: string, runId: string): string => join(root, "runs", runId),
  manifest: (root: string, runId: string): string => join(root, "runs", runId, "manifest.json"),
  events: (root: string, runId: string): string => join(root, "runs", runId, "events.jsonl"),
  lock: (root: string, runId: string): string => join(root, "runs", runId, "lock"),
  blobs: (root: string, runId: string): string => join(root, "runs", runId, "blobs"),
  cache: (root: string): string => join(root, ".cache"),
  analytics: (root: string): string => join(root, ".cache", "analytics.duckdb"),
};
