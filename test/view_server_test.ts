/**
 * `themis view` over HTTP, without a browser: it only reads (every endpoint, every method, the
 * SQL guard, the store's files byte for byte), it admits only its own machine or its token,
 * its answers agree with SQL, a store change reaches the event stream, and a busy port or a
 * missing store is a clear error.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { serveView, type ViewServer } from "../src/view/mod.ts";
import { benchmark, type Fixture, openFixture } from "./results_fixture_test.ts";
import { runCli } from "./support/cli.ts";

interface Served {
  f: Fixture;
  view: ViewServer;
  runId: string;
  cand: string;
}

async function serveFixture(options: { host?: string; pollMs?: number } = {}): Promise<Served> {
  const f = await openFixture();
  const result = await f.orchestrator.run(benchmark());
  const [{ cand }] = await f.store.sql(
    `select cand from work_items where stage = 'generation' order by cand limit 1`,
  );
  const view = await serveView({ root: f.store.root, ...options });
  await view.ready;
  return { f, view, runId: result.runId, cand: String(cand) };
}

async function close(s: Served) {
  await s.view.close();
  s.f.close();
}

/** Every file under runs/ with its size and content hash. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string) {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else {
        const bytes = await Deno.readFile(path);
        out[relative(root, path)] = `${bytes.length}:${
          createHash("sha256").update(bytes).digest("hex")
        }`;
      }
    }
  }
  await walk(join(root, "runs"));
  return out;
}

function endpoints(s: Served): string[] {
  const q = encodeURIComponent("select model_id, count(*) as n from trials group by all");
  return [
    "/",
    `/runs/${s.runId}`,
    "/compare",
    "/sql",
    "/assets/view.css",
    "/assets/view.js",
    "/api/runs",
    `/api/runs/${s.runId}/head`,
    `/api/runs/${s.runId}/overview`,
    `/api/runs/${s.runId}/items?q=m1&status=completed`,
    `/api/runs/${s.runId}/candidates/${s.cand}`,
    `/api/compare?mode=models&run=${s.runId}&a=solver&b=echo`,
    `/api/sql?q=${q}`,
    `/api/sql.csv?q=${q}`,
    `/api/sql.parquet?q=${q}`,
  ];
}

const origin = (view: ViewServer) => new URL(view.url).origin;

Deno.test("themis view only reads: GET answers, other methods are refused, the store is untouched", async () => {
  const s = await serveFixture();
  try {
    const before = await snapshot(s.f.store.root);
    for (const path of endpoints(s)) {
      const response = await fetch(origin(s.view) + path);
      await response.body?.cancel();
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const refused = await fetch(origin(s.view) + path, { method, body: "x" });
        assert.equal(refused.status, 405, `${method} ${path}`);
        assert.equal(refused.headers.get("allow"), "GET, HEAD");
        await refused.body?.cancel();
      }
    }
    const events = await fetch(`${origin(s.view)}/api/events`, { method: "POST" });
    assert.equal(events.status, 405);
    await events.body?.cancel();
    assert.deepEqual(await snapshot(s.f.store.root), before, "not one byte of runs/ changed");
  } finally {
    await close(s);
  }
});

Deno.test("themis view refuses SQL that writes, as themis sql does, and files outside runs/", async () => {
  const s = await serveFixture();
  try {
    const sql = async (path: string, query: string) => {
      const response = await fetch(`${origin(s.view)}${path}?q=${encodeURIComponent(query)}`);
      return { status: response.status, text: await response.text() };
    };
    const target = join(await Deno.makeTempDir(), "out.csv");
    for (
      const query of [
        "drop table trials",
        "delete from work_items",
        "select 1; drop table trials",
        `copy trials to '${target}'`,
        "create table x as select 1",
        "attach ':memory:' as other",
        "set memory_limit = '1GB'",
      ]
    ) {
      for (const path of ["/api/sql", "/api/sql.csv", "/api/sql.parquet"]) {
        const answer = await sql(path, query);
        assert.equal(answer.status, 400, `${path} ${query}`);
        assert.match(answer.text, /SQL_READ_ONLY|SQL_INVALID/, `${path} ${query}`);
      }
    }
    assert.equal(await Deno.stat(target).then(() => true, () => false), false);
    const counted = await sql("/api/sql", "select count(*) as n from trials");
    assert.match(counted.text, /<td class="num">42<\/td>/, "the tables are all there");
    for (const path of ["/runs/..%2F..%2Fetc", "/api/runs/..%2F..%2Fetc/head", "/nowhere"]) {
      const response = await fetch(origin(s.view) + path);
      await response.body?.cancel();
      assert.equal(response.status, 404, path);
    }
  } finally {
    await close(s);
  }
});

/** A request with a Host header of our choosing (fetch would set its own). */
async function rawGet(port: number, path: string, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    return new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
  } catch (error) {
    conn.close();
    throw error;
  }
}

Deno.test("themis view on loopback answers only pages of this machine (no DNS rebinding)", async () => {
  const s = await serveFixture();
  try {
    assert.equal(s.view.token, null);
    assert.equal(s.view.url, `http://127.0.0.1:${s.view.port}/`);
    const own = await rawGet(s.view.port, "/api/runs", `localhost:${s.view.port}`);
    assert.match(own, /^HTTP\/1\.1 200/);
    const foreign = await rawGet(s.view.port, "/api/runs", `evil.example:${s.view.port}`);
    assert.match(foreign, /^HTTP\/1\.1 403/);
    assert.match(foreign, /only pages served from this machine/);
  } finally {
    await close(s);
  }
});

Deno.test("themis view beyond loopback requires its token (URL once, then a cookie)", async () => {
  const s = await serveFixture({ host: "0.0.0.0" });
  try {
    const token = s.view.token!;
    assert.match(token, /^[0-9a-f]{32}$/);
    assert.ok(s.view.url.endsWith(`:${s.view.port}/?token=${token}`), s.view.url);
    const base = `http://127.0.0.1:${s.view.port}`;
    const near = token.slice(0, 31) + (token.endsWith("0") ? "1" : "0"); // one digit off
    for (const path of ["/", "/api/runs", "/api/events", `/api/sql?q=select%201`]) {
      for (const suffix of ["", "?token=", `?token=${near}`]) {
        const refused = await fetch(base + path + suffix);
        assert.equal(refused.status, 403, path + suffix);
        assert.match(await refused.text(), /needs its token/);
      }
    }
    const first = await fetch(`${base}/?token=${token}`);
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const cookie = first.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^themis_view_token=[0-9a-f]{32}; Path=\/; HttpOnly; SameSite=Strict$/);
    const next = await fetch(`${base}/api/runs`, { headers: { cookie: cookie.split(";")[0] } });
    assert.equal(next.status, 200);
    assert.match(await next.text(), new RegExp(s.runId));
    const forged = await fetch(`${base}/api/runs`, { headers: { cookie: "themis_view_token=0" } });
    assert.equal(forged.status, 403);
    await forged.body?.cancel();
  } finally {
    await close(s);
  }
});

/** The items fragment's counts and rows. */
async function items(s: Served, query: string) {
  const html = await (await fetch(`${origin(s.view)}/api/runs/${s.runId}/items?${query}`)).text();
  return {
    matching: Number(/data-matching="(\d+)"/.exec(html)?.[1]),
    total: Number(/data-total="(\d+)"/.exec(html)?.[1]),
    rows: [
      ...html.matchAll(
        /<tr data-cand="[^"]*" data-status="([^"]*)"><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g,
      ),
    ]
      .map((m) => `${m[2]}/${m[3]}/${m[4]}:${m[1]}`),
  };
}

Deno.test("themis view's item pages are searched, filtered and paged in the database", async () => {
  const s = await serveFixture();
  try {
    const all = await items(s, "");
    assert.equal(all.total, 42);
    assert.equal(all.matching, 42);
    assert.equal(all.rows.length, 42);
    assert.deepEqual((await items(s, "q=t3")).rows, [
      "text/t3/echo:completed",
      "text/t3/flaky:failed",
      "text/t3/solver:completed",
    ]);
    assert.deepEqual((await items(s, "q=FLAKY+t3")).rows, ["text/t3/flaky:failed"]);
    assert.deepEqual((await items(s, "status=failed")).rows, [
      "math/m3/flaky:failed",
      "text/t3/flaky:failed",
    ]);
    const solverMath = await items(s, "model=solver&slice=math");
    assert.deepEqual(
      solverMath.rows,
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `math/m${i}/solver:completed`),
    );
    const page = await items(s, "limit=10&offset=40");
    assert.deepEqual(page, { matching: 42, total: 42, rows: all.rows.slice(40) });
    assert.deepEqual(await items(s, "offset=100&q=m"), { matching: 24, total: 42, rows: [] });
    const bad = await fetch(`${origin(s.view)}/api/runs/${s.runId}/items?status=done`);
    assert.equal(bad.status, 400);
    assert.match(
      await bad.text(),
      /QUERY_INVALID<\/b> Unknown status &quot;done&quot;: use completed, failed, pending/,
    );
  } finally {
    await close(s);
  }
});

/** Read server-sent events until one named `event` arrives; returns its data. */
async function nextEvent(reader: ReadableStreamDefaultReader<string>, event: string) {
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before a ${event} event`);
    buffer += value;
    const match = new RegExp(`event: ${event}\\ndata: (.*)\\n\\n`).exec(buffer);
    if (match) return JSON.parse(match[1]);
  }
}

Deno.test("a run writing events reaches themis view's event stream, and its answers follow", async () => {
  const s = await serveFixture({ pollMs: 50 });
  try {
    const stream = await fetch(`${origin(s.view)}/api/events`);
    assert.equal(stream.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const hello = await nextEvent(reader, "hello");
    const spec = benchmark();
    spec.slices[0].scores!.push({ name: "again", parse: "num", metrics: [{ id: "exact_match" }] });
    const second = await s.f.orchestrator.run(spec);
    let change = await nextEvent(reader, "change");
    while (!change.runs.includes(second.runId) || change.version <= hello.version) {
      change = await nextEvent(reader, "change");
    }
    // Once the change is announced, every answer includes it.
    const runs = await (await fetch(`${origin(s.view)}/api/runs`)).text();
    assert.match(runs, new RegExp(`data-run="${second.runId}"`));
    const sql = await fetch(
      `${origin(s.view)}/api/sql?q=${encodeURIComponent("select count(*) from runs")}`,
    );
    assert.match(await sql.text(), /<td class="num">2<\/td>/);
    await reader.cancel();
  } finally {
    await close(s);
  }
});

Deno.test("themis view: a busy port and a missing store are clear errors", async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const store = await Deno.makeTempDir();
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    const out = await runCli(["view", "--store", store, "--port", String(port)]);
    assert.equal(out.code, 2);
    assert.equal(
      out.stderr,
      `error [PORT_IN_USE] Port ${port} on 127.0.0.1 is in use: pick another with --port, or ` +
        `leave --port out to get a free one\n`,
    );
  } finally {
    busy.close();
  }
  const missing = join(store, "nowhere");
  const out = await runCli(["view", "--store", missing]);
  assert.equal(out.code, 4);
  assert.match(out.stderr, /^error \[STORE_NOT_FOUND\] No store at .*nowhere: point --store at/);
  const help = await runCli(["view", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^themis view \[options\]/);
  assert.equal((await runCli(["view", "extra"])).code, 2);
  assert.equal((await runCli(["view", "--port", "70000"])).code, 2);
});
