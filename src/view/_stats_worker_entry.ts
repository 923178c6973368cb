/// <reference lib="deno.worker" />
/**
 * The statistics worker's script (started by `StatsWorker`): it runs jobs, asking the server
 * for every query's rows.
 */
import type { Row, SqlParams } from "../analytics/duckdb.ts";
import { runStatsJob } from "./stats_jobs.ts";
import { fromWire, type FromWorker, toWire, type ToWorker } from "./stats_worker.ts";

const waiting = new Map<number, { resolve: (rows: Row[]) => void; reject: (e: Error) => void }>();
let next = 0;

const post = (message: FromWorker) => self.postMessage(message);

// The analytics of the jobs' scopes: each query travels to the server and back.
const analytics = {
  root: "",
  all(sql: string, params: SqlParams = []): Promise<Row[]> {
    const id = ++next;
    return new Promise<Row[]>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      post({ type: "query", id, sql, params });
    });
  },
};

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "rows") {
    const query = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) query?.reject(fromWire(message.error));
    else query?.resolve(message.rows ?? []);
    return;
  }
  analytics.root = message.root;
  try {
    post({ type: "done", id: message.id, html: await runStatsJob(message.job, analytics) });
  } catch (error) {
    post({ type: "done", id: message.id, error: toWire(error) });
  }
};
