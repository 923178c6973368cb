import assert from "node:assert/strict";
import { join } from "node:path";
import { completeLength, EventWriter, readEvents } from "./event_log.ts";
import { serializeEvent } from "./events.ts";

const fixedNow = () => new Date("2026-01-02T03:04:05.000Z");

async function tempEvents(): Promise<string> {
  return join(await Deno.makeTempDir(), "events.jsonl");
}

Deno.test("EventWriter numbers events from 0 and readEvents returns them in order", async () => {
  const file = await tempEvents();
  const writer = EventWriter.open(file, "r1", { now: fixedNow });
  writer.append({ type: "run.started", data: { b: 1, a: 2 } });
  writer.append({ type: "trial.planned", trial: "t1", data: {} });
  writer.close();
  const { events, torn } = await readEvents(file);
  assert.equal(torn, false);
  assert.deepEqual(events, [
    {
      v: 1,
      seq: 0,
      ts: "2026-01-02T03:04:05.000Z",
      run: "r1",
      type: "run.started",
      data: { a: 2, b: 1 },
    },
    {
      v: 1,
      seq: 1,
      ts: "2026-01-02T03:04:05.000Z",
      run: "r1",
      type: "trial.planned",
      trial: "t1",
      data: {},
    },
  ]);
  const text = await Deno.readTextFile(file);
  assert.equal(
    text.split("\n")[0],
    '{"v":1,"seq":0,"ts":"2026-01-02T03:04:05.000Z","run":"r1","type":"run.started","data":{"a":2,"b":1}}',
  );
});

Deno.test("a torn last line is ignored on read and truncated before the next append", async () => {
  const file = await tempEvents();
  const writer = EventWriter.open(file, "r1", { now: fixedNow });
  writer.append({ type: "run.started", data: {} });
  writer.close();
  const good = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, good + '{"v":1,"seq":1,"ts":"x","run":"r1","ty');
  const before = await readEvents(file);
  assert.equal(before.torn, true);
  assert.equal(before.events.length, 1);
  assert.deepEqual(completeLength(file), { complete: good.length, size: good.length + 38 });

  const again = EventWriter.open(file, "r1", { now: fixedNow });
  again.append({ type: "run.finished", data: {} });
  again.close();
  const after = await readEvents(file);
  assert.equal(after.torn, false);
  assert.deepEqual(after.events.map((e) => [e.seq, e.type]), [[0, "run.started"], [
    1,
    "run.finished",
  ]]);
});

Deno.test("a torn line longer than the tail window is still repaired", async () => {
  const file = await tempEvents();
  const writer = EventWriter.open(file, "r1", { now: fixedNow });
  writer.append({ type: "generation.completed", cand: "c", data: { text: "x".repeat(200_000) } });
  writer.close();
  const good = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, good + '{"v":1,"seq":1,"data":{"text":"' + "y".repeat(300_000));
  const again = EventWriter.open(file, "r1", { now: fixedNow });
  again.append({ type: "run.finished", data: {} });
  again.close();
  const { events } = await readEvents(file);
  assert.deepEqual(events.map((e) => e.seq), [0, 1]);
  assert.equal((events[0].data.text as string).length, 200_000);
});

Deno.test("a corrupt middle line fails with the file and line number", async () => {
  const file = await tempEvents();
  const line = (seq: number) =>
    serializeEvent({ v: 1, seq, ts: "t", run: "r1", type: "run.started", data: {} });
  await Deno.writeTextFile(file, `${line(0)}\n${line(1)}\nnot json at all\n${line(3)}\n`);
  await assert.rejects(
    () => readEvents(file),
    (error: Error & { code?: string; details?: { line?: number } }) => {
      assert.equal(error.code, "STORE_CORRUPT");
      assert.equal(error.details?.line, 3);
      assert.match(error.message, /events\.jsonl": line 3 is not valid JSON/);
      return true;
    },
  );
});

Deno.test("a line that is JSON but not an event is corrupt too", async () => {
  const file = await tempEvents();
  await Deno.writeTextFile(file, `{"hello":"world"}\n`);
  await assert.rejects(() => readEvents(file), /line 1 is not a themis event/);
});

Deno.test("an event from a newer themis is refused with an upgrade hint", async () => {
  const file = await tempEvents();
  await Deno.writeTextFile(
    file,
    `{"v":99,"seq":0,"ts":"t","run":"r","type":"run.started","data":{}}\n`,
  );
  await assert.rejects(() => readEvents(file), /event version 99.*upgrade themis/);
});

Deno.test("a missing events file reads as no events", async () => {
  const { events } = await readEvents(join(await Deno.makeTempDir(), "none.jsonl"));
  assert.deepEqual(events, []);
});
