/**
 * Slow statistics off the server's thread. The worker holds no database: each query it needs
 * comes back here and runs on the view's background connection (so pages never wait for it);
 * the CPU-heavy part (bootstraps) runs in the worker and the server keeps answering.
 */
import type { Row, SqlParams } from "../analytics/duckdb.ts";
import { type ErrorCode, ThemisError } from "../core/errors.ts";
import type { StatsJob } from "./stats_jobs.ts";

/** An error as it crosses the worker boundary. */
export interface WireError {
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Messages from the server to the worker. */
export type ToWorker =
  | { type: "job"; id: number; job: StatsJob; root: string }
  | { type: "rows"; id: number; rows?: Row[]; error?: WireError };

/** Messages from the worker to the server. */
export type FromWorker =
  | { type: "query"; id: number; sql: string; params: SqlParams }
  | { type: "done"; id: number; html?: string; error?: WireError };

/** An error as plain data (a ThemisError keeps its code and details). */
export function toWire(error: unknown): WireError {
  const e = error as { code?: unknown; message?: unknown; details?: unknown };
  return {
    code: typeof e?.code === "string" ? e.code : undefined,
    message: typeof e?.message === "string" ? e.message : String(error),
    details: typeof e?.details === "object" && e.details !== null
      ? JSON.parse(JSON.stringify(e.details))
      : undefined,
  };
}

/** The error a `WireError` stands for. */
export function fromWire(wire: WireError): Error {
  return wire.code === undefined
    ? new Error(wire.message)
    : new ThemisError(wire.code as ErrorCode, wire.message, wire.details ?? {});
}

type Settle = { resolve: (html: string) => void; reject: (error: Error) => void };

/**
 * The statistics worker: `run(job)` resolves to the job's HTML. Started on first use;
 * a crashed worker fails its jobs and the next job starts a fresh one.
 */
export class StatsWorker {
  readonly #query: (sql: string, params: SqlParams) => Promise<Row[]>;
  readonly #root: string;
  readonly #jobs = new Map<number, Settle>();
  #worker?: Worker;
  #next = 0;

  constructor(root: string, query: (sql: string, params: SqlParams) => Promise<Row[]>) {
    this.#root = root;
    this.#query = query;
  }

  /** Do one job in the worker. */
  run(job: StatsJob): Promise<string> {
    const worker = this.#worker ??= this.#spawn();
    const id = ++this.#next;
    return new Promise<string>((resolve, reject) => {
      this.#jobs.set(id, { resolve, reject });
      worker.postMessage({ type: "job", id, job, root: this.#root } satisfies ToWorker);
    });
  }

  #spawn(): Worker {
    const worker = new Worker(new URL("./_stats_worker_entry.ts", import.meta.url).href, {
      type: "module",
    });
    worker.onmessage = (event: MessageEvent<FromWorker>) => void this.#receive(worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(new ThemisError("INTERNAL", `The statistics worker crashed: ${event.message}`));
    };
    return worker;
  }

  async #receive(worker: Worker, message: FromWorker): Promise<void> {
    if (message.type === "query") {
      let reply: ToWorker;
      try {
        reply = {
          type: "rows",
          id: message.id,
          rows: await this.#query(message.sql, message.params),
        };
      } catch (error) {
        reply = { type: "rows", id: message.id, error: toWire(error) };
      }
      if (this.#worker === worker) worker.postMessage(reply);
      return;
    }
    const job = this.#jobs.get(message.id);
    this.#jobs.delete(message.id);
    if (message.error) job?.reject(fromWire(message.error));
    else job?.resolve(message.html ?? "");
  }

  #fail(error: Error): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const job of this.#jobs.values()) job.reject(error);
    this.#jobs.clear();
  }

  /** Stop the worker; jobs still running fail with `CANCELLED`. */
  close(): void {
    this.#fail(new ThemisError("CANCELLED", "The view is shutting down"));
  }
}
