/**
 * `themis view`: a local web app over a store that follows it live (docs/view.md; the
 * decisions are in docs/design/view.md).
 */
import { resolve } from "node:path";
import type { AnalyticsOptions } from "../analytics/analytics.ts";
import { errorMessage, ThemisError } from "../core/errors.ts";
import { EventHub } from "./event_hub.ts";
import { JobCache } from "./job_cache.ts";
import { StatsWorker } from "./stats_worker.ts";
import { changedRuns, readStoreSignature, type StoreSignature } from "./store_signature.ts";
import { type AccessPolicy, accessPolicy, checkAccess, SECURITY_HEADERS } from "./view_access.ts";
import { ViewData } from "./view_data.ts";
import { route, type ViewContext } from "./view_routes.ts";

/** Options of `serveView`. */
export interface ServeViewOptions {
  /** The store root. */
  root: string;
  /** Address to listen on (default `127.0.0.1`); any other than loopback requires a token. */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /** How often to look for new event bytes, in ms (default 1000). */
  pollMs?: number;
  /** DuckDB bounds (the project's `[analytics]`). */
  analytics?: AnalyticsOptions;
  /** Errors that are bugs or store problems (default: written to stderr). */
  onError?: (error: unknown) => void;
}

/** A running view. */
export interface ViewServer {
  /** The URL to open (with the token when there is one). */
  url: string;
  host: string;
  port: number;
  /** The token a non-loopback server requires, else null. */
  token: string | null;
  /** Resolves once the analytics cache has caught up with the store for the first time. */
  ready: Promise<void>;
  /** Whether the view's cache started as a copy of the store's shared cache. */
  seeded: boolean;
  /** Stop serving, end every stream, release the cache. */
  close(): Promise<void>;
}

const isDirectory = (path: string) => Deno.stat(path).then((s) => s.isDirectory, () => false);

function listenError(error: unknown, host: string, port: number): ThemisError {
  if (error instanceof Deno.errors.AddrInUse) {
    return new ThemisError(
      "PORT_IN_USE",
      `Port ${port} on ${host} is in use: pick another with --port, or leave --port out to get ` +
        `a free one`,
      { host, port },
    );
  }
  return new ThemisError(
    "USAGE",
    `Cannot listen on ${host}:${port}: ${errorMessage(error)}. Use an address of this machine ` +
      `with --host (default 127.0.0.1)`,
    { host, port },
  );
}

function displayUrl(host: string, port: number, token: string | null): string {
  let name = host;
  if (host === "0.0.0.0" || host === "::") {
    try {
      name = Deno.hostname();
    } catch {
      // no permission to ask: the bind address will do
    }
  }
  if (name.includes(":")) name = `[${name}]`;
  return `http://${name}:${port}/${token ? `?token=${token}` : ""}`;
}

/** Watch the store and refresh the view's cache after each change, until `stopped()`. */
async function follow(
  ctx: ViewContext,
  o: { pollMs: number; stopped: () => boolean; sleep: (ms: number) => Promise<void> },
  onError: (error: unknown) => void,
  ready: () => void,
): Promise<void> {
  let last: StoreSignature | undefined;
  let problem = "";
  while (!o.stopped()) {
    try {
      // Read before refreshing: bytes written meanwhile change the next signature, never lost.
      const now = await readStoreSignature(ctx.data.root);
      const runs = last === undefined ? [...now.keys()] : changedRuns(last, now);
      if (last === undefined || runs.length > 0) {
        await ctx.data.refresh();
        last = now;
        ctx.hub.send("change", { version: ctx.data.version, runs });
      }
      problem = "";
    } catch (error) {
      if (o.stopped()) break;
      if (errorMessage(error) !== problem) {
        problem = errorMessage(error);
        ctx.hub.send("problem", { message: problem });
        onError(error);
      }
    }
    ready();
    if (!o.stopped()) await o.sleep(o.pollMs);
  }
}

/** Follow the store in the background until `stop()`; `ready` once the cache first caught up. */
function startFollowing(ctx: ViewContext, pollMs: number, onError: (error: unknown) => void) {
  let stopped = false;
  let wake = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      wake = () => (clearTimeout(timer), done());
    });
  let markReady = () => {};
  const ready = new Promise<void>((done) => (markReady = done));
  const following = follow(ctx, { pollMs, stopped: () => stopped, sleep }, onError, markReady);
  return {
    ready,
    async stop() {
      stopped = true;
      wake();
      await following;
    },
  };
}

/** The server's answer to a request: access checked, then the route; security headers on all. */
function handler(
  ctx: ViewContext,
  policy: () => AccessPolicy,
  onError: (error: unknown) => void,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const access = checkAccess(request, url, policy());
    const response = access.ok
      ? await route(ctx, request, url, onError)
      : new Response(`${access.message}\n`, {
        status: access.status,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      response.headers.set(name, value);
    }
    if (access.ok && access.setCookie) response.headers.append("set-cookie", access.setCookie);
    return response;
  };
}

/**
 * Serve the view of the store at `root`: on 127.0.0.1 and a free port unless told otherwise,
 * with a token in the URL when the address reaches beyond this machine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveView } from "./serve_view.ts";
 * const view = await serveView({ root: await Deno.makeTempDir() });
 * await view.ready;
 * const page = await fetch(view.url);
 * assert.equal(page.status, 200);
 * assert.match(await page.text(), /themis view/);
 * await view.close();
 * ```
 */
export async function serveView(options: ServeViewOptions): Promise<ViewServer> {
  const root = resolve(options.root);
  const host = options.host ?? "127.0.0.1";
  const onError = options.onError ??
    ((error: unknown) => console.error((error as Error)?.stack ?? String(error)));
  if (!(await isDirectory(root))) {
    throw new ThemisError(
      "STORE_NOT_FOUND",
      `No store at ${root}: point --store at a store folder (the one holding runs/), or run a ` +
        `benchmark first (themis run <spec>)`,
      { root },
    );
  }
  const data = await ViewData.open(root, { analytics: options.analytics });
  const hub = new EventHub({ hello: () => ({ version: data.version }) });
  const ctx: ViewContext = {
    data,
    hub,
    jobs: new JobCache((key) => hub.send("ready", { key })),
    stats: new StatsWorker(root, (sql, params) => data.backgroundQuery(sql, params)),
  };
  let policy: AccessPolicy = { token: null, hosts: new Set() };
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: host, port: options.port ?? 0, onListen: () => {} },
      handler(ctx, () => policy, onError),
    );
  } catch (error) {
    ctx.stats.close();
    await data.close();
    throw listenError(error, host, options.port ?? 0);
  }
  const port = server.addr.port;
  policy = accessPolicy(host, port);
  const following = startFollowing(ctx, options.pollMs ?? 1000, onError);
  return {
    url: displayUrl(host, port, policy.token),
    host,
    port,
    token: policy.token,
    ready: following.ready,
    seeded: data.seeded,
    async close() {
      const stopping = following.stop();
      hub.close();
      ctx.stats.close();
      await server.shutdown();
      // Closing interrupts a refresh in progress; the follower then stops.
      await Promise.all([stopping, data.close()]);
    },
  };
}
