import { join } from "node:path";

/** The folders and files of a store (DESIGN §3). */
export const storePaths = {
  runs: (root: string): string => join(root, "runs"),
  runDir: (root: string, runId: string): string => join(root, "runs", runId),
  manifest: (root: string, runId: string): string => join(root, "runs", runId, "manifest.json"),
  lock: (root: string, runId: string): string => join(root, "runs", runId, "lock"),
  cache: (root: string): string => join(root, ".cache"),
  analytics: (root: string): string => join(root, ".cache", "analytics.duckdb"),
};
