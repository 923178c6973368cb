import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { EventWriter } from "./event_log.ts";
import { type NewEvent, serializeEvent } from "./events.ts";
import { iterRunEvents, lastRunEvent } from "./read_segments.ts";
import { listSegments, SEGMENT_DIR } from "./segments.ts";

const fixedNow = () => new Date("2026-01-02T03:04:05.000Z");
const TS = "2026-01-02T03:04:05.000Z";

const started: NewEvent = {
  type: "run.started",
  data: {
    stages: ["generation"],
    executor: "inline",
    tool_version: "test",
    counts: { trials: 0, candidates: 0, parses: 0, scores: 0 },
  },
};
const finished: NewEvent = {
  type: "run.finished",
  data: { stages: ["generation"], counts: {}, cancelled: false },
};
const generated = (cand: string, text = "x"): NewEvent => ({
  type: "generation.completed",
  trial: "t",
  cand,
  overlay: "gen",
  data: {
    sample: 0,
    model: "m",
    text,
    finish_reason: null,
    usage: { prompt_tokens: null, completion_tokens: null },
    latency_ms: 1,
    attempts: 1,
    meta: {},
  },
});

async function readAll(runDir: string) {
  return await Array.fromAsync(iterRunEvents(runDir));
}

function segmentText(path: string): string {
  const bytes = Deno.readFileSync(path);
  return new TextDecoder().decode(path.endsWith(".gz") ? gunzipSync(bytes) : bytes);
}

Deno.test("EventWriter numbers events from 0 and the log reads them back in order", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await EventWriter.open(dir, "r1", { now: fixedNow });
  writer.append(started);
  writer.append(generated("c1"));
  writer.close();
  const events = await readAll(dir);
  assert.deepEqual(events.map((e) => [e.v, e.seq, e.ts, e.run, e.type]), [
    [2, 0, TS, "r1", "run.started"],
    [2, 1, TS, "r1", "generation.completed"],
  ]);
  const [segment] = listSegments(dir);
  assert.equal(segment.compressed, true);
  assert.equal(
    segmentText(segment.path).split("\n")[0],
    `{"v":2,"seq":0,"ts":"${TS}","run":"r1","type":"run.started","data":{"counts":{"candidates":0,` +
      `"parses":0,"scores":0,"trials":0},"executor":"inline","stages":["generation"],` +
      `"tool_version":"test"}}`,
  );
});

Deno.test("a writer that writes nothing leaves the run directory as it was", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await EventWriter.open(dir, "r1");
  writer.defer([started]);
  writer.close();
  assert.deepEqual(listSegments(dir), []);
  assert.deepEqual([...Deno.readDirSync(join(dir, SEGMENT_DIR))], []);
});

Deno.test("deferred events are written first, once something else is", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await EventWriter.open(dir, "r1", { now: fixedNow });
  writer.defer([started]);
  writer.append(generated("c1"));
  writer.close();
  assert.deepEqual((await readAll(dir)).map((e) => [e.seq, e.type]), [
    [0, "run.started"],
    [1, "generation.completed"],
  ]);
});

Deno.test("segments rotate at the size bound; closed segments never change again", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await EventWriter.open(dir, "r1", { now: fixedNow, segmentBytes: 1000 });
  for (let i = 0; i < 40; i++) {
    writer.append(generated(`c${i}`));
    writer.flush();
  }
  writer.close();
  const segments = listSegments(dir);
  assert.ok(segments.length >= 8, `${segments.length} segments`);
  assert.ok(segments.every((s) => s.compressed));
  for (const s of segments) {
    assert.ok(segmentText(s.path).length <= 1000 + 400, `${s.name} is over the bound`);
  }
  const before = segments.map((s) => [s.name, Deno.readFileSync(s.path)]);
  const again = await EventWriter.open(dir, "r1", { now: fixedNow, segmentBytes: 1000 });
  again.append(finished);
  again.close();
  for (const [name, bytes] of before) {
    assert.deepEqual(Deno.readFileSync(join(dir, SEGMENT_DIR, name as string)), bytes);
  }
  const events = await readAll(dir);
  assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 41 }, (_, i) => i));
  assert.equal(listSegments(dir).length, segments.length + 1);
});

Deno.test("a torn last line is ignored on read, then cut and closed by the next writer", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await EventWriter.open(dir, "r1", { now: fixedNow });
  writer.append(started);
  writer.flush();
  // A crash: the segment stays open (plain) with half a line at its end.
  const [open] = listSegments(dir);
  assert.equal(open.compressed, false);
  const good = Deno.readTextFileSync(open.path);
  Deno.writeTextFileSync(open.path, good + '{"v":2,"seq":1,"ts":"x","run":"r1","ty');
  assert.deepEqual((await readAll(dir)).map((e) => e.seq), [0]);

  const again = await EventWriter.open(dir, "r1", { now: fixedNow });
  again.append(finished);
  again.close();
  const segments = listSegments(dir);
  assert.deepEqual(segments.map((s) => s.compressed), [true, true]);
  assert.equal(segmentText(segments[0].path), good);
  assert.deepEqual((await readAll(dir)).map((e) => [e.seq, e.type]), [
    [0, "run.started"],
    [1, "run.finished"],
  ]);
});

Deno.test("a torn line longer than the tail window is still cut", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await EventWriter.open(dir, "r1", { now: fixedNow });
  writer.append(generated("c", "x".repeat(200_000)));
  writer.flush();
  const [open] = listSegments(dir);
  Deno.writeTextFileSync(
    open.path,
    Deno.readTextFileSync(open.path) + '{"v":2,"seq":1,"data":{"text":"' + "y".repeat(300_000),
  );
  const again = await EventWriter.open(dir, "r1", { now: fixedNow });
  again.append(finished);
  again.close();
  const events = await readAll(dir);
  assert.deepEqual(events.map((e) => e.seq), [0, 1]);
  assert.equal(events[0].type === "generation.completed" && events[0].data.text.length, 200_000);
});

function writeSegment(dir: string, name: string, text: string): void {
  Deno.mkdirSync(join(dir, SEGMENT_DIR), { recursive: true });
  Deno.writeTextFileSync(join(dir, SEGMENT_DIR, name), text);
}

const line = (seq: number) => serializeEvent({ v: 2, seq, ts: TS, run: "r1", ...started } as never);

Deno.test("a corrupt middle line fails naming the segment and the line", async () => {
  const dir = await Deno.makeTempDir();
  writeSegment(
    dir,
    "000001-0a1b2c3d.jsonl",
    `${line(0)}\n${line(1)}\nnot json at all\n${line(3)}\n`,
  );
  await assert.rejects(
    () => readAll(dir),
    (error: Error & { code?: string; details?: { line?: number } }) => {
      assert.equal(error.code, "STORE_CORRUPT");
      assert.equal(error.details?.line, 3);
      assert.match(error.message, /000001-0a1b2c3d\.jsonl": line 3 is not valid JSON/);
      return true;
    },
  );
});

Deno.test("a line that is JSON but not an event is corrupt too, and so is a bad time", async () => {
  const dir = await Deno.makeTempDir();
  writeSegment(dir, "000001-0a1b2c3d.jsonl", `{"hello":"world"}\n`);
  await assert.rejects(() => readAll(dir), /line 1 is not a themis event/);
  const other = await Deno.makeTempDir();
  writeSegment(other, "000001-0a1b2c3d.jsonl", line(0).replace(TS, "yesterday") + "\n");
  await assert.rejects(() => readAll(other), /line 1 is not a themis event: .*valid time/);
});

Deno.test("an event from a newer themis is refused with an upgrade hint", async () => {
  const dir = await Deno.makeTempDir();
  writeSegment(dir, "000001-0a1b2c3d.jsonl", line(0).replace('"v":2', '"v":99') + "\n");
  await assert.rejects(() => readAll(dir), /event version 99.*upgrade themis/);
});

Deno.test("a version 1 events.jsonl is the first segment; a new writer continues after it", async () => {
  const dir = await Deno.makeTempDir();
  const v1 = serializeEvent({ v: 1, seq: 0, ts: TS, run: "r1", ...started } as never);
  Deno.writeTextFileSync(join(dir, "events.jsonl"), v1 + "\n");
  const writer = await EventWriter.open(dir, "r1", { now: fixedNow });
  writer.append(finished);
  writer.close();
  assert.deepEqual(Deno.readTextFileSync(join(dir, "events.jsonl")), v1 + "\n");
  assert.deepEqual((await readAll(dir)).map((e) => [e.v, e.seq]), [[1, 0], [2, 1]]);
  assert.equal((await lastRunEvent(dir))?.seq, 1);
});

Deno.test("two writers of the same run in two clones pick different segment names", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  for (const dir of [a, b]) {
    const writer = await EventWriter.open(dir, "r1", { now: fixedNow });
    writer.append(started);
    writer.close();
  }
  assert.notEqual(listSegments(a)[0].name, listSegments(b)[0].name);
});

Deno.test("a plain segment left beside its compressed twin (a crash) is not read twice", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await EventWriter.open(dir, "r1", { now: fixedNow });
  writer.append(started);
  writer.close();
  const [closed] = listSegments(dir);
  const plain = closed.path.slice(0, -3);
  Deno.writeFileSync(plain, gunzipSync(Deno.readFileSync(closed.path)));
  assert.equal((await readAll(dir)).length, 1);
  const again = await EventWriter.open(dir, "r1", { now: fixedNow });
  again.close();
  assert.throws(() => Deno.statSync(plain), Deno.errors.NotFound);
});

Deno.test("a missing run directory reads as no events", async () => {
  assert.deepEqual(await readAll(join(await Deno.makeTempDir(), "none")), []);
});
