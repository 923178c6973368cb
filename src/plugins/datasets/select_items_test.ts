import assert from "node:assert/strict";
import { assignItemIds, selectItems } from "./select_items.ts";

const items = Array.from(
  { length: 20 },
  (_, i) => ({ id: `item-${i}`, payload: { n: i, even: i % 2 === 0 } }),
);

Deno.test("subset with the same seed picks the same golden items on every run and machine", () => {
  assert.deepEqual(
    selectItems(items, { kind: "subset", count: 5, seed: 0 }).map((i) => i.id),
    ["item-1", "item-4", "item-8", "item-9", "item-17"],
  );
  assert.deepEqual(
    selectItems(items, { kind: "subset", count: 5, seed: 1 }).map((i) => i.id),
    ["item-2", "item-6", "item-7", "item-13", "item-18"],
  );
});

Deno.test("subset does not depend on the order of the rows", () => {
  const shuffled = [...items].reverse();
  const a = selectItems(items, { kind: "subset", count: 5, seed: 0 }).map((i) => i.id).sort();
  const b = selectItems(shuffled, { kind: "subset", count: 5, seed: 0 }).map((i) => i.id).sort();
  assert.deepEqual(a, b);
});

Deno.test("subset larger than the dataset keeps every item", () => {
  assert.equal(selectItems(items, { kind: "subset", count: 100, seed: 0 }).length, 20);
});

Deno.test("item_ids keeps the order asked for and names missing ids", () => {
  assert.deepEqual(
    selectItems(items, { kind: "item_ids", ids: ["item-3", "item-1"] }).map((i) => i.id),
    ["item-3", "item-1"],
  );
  assert.throws(
    () => selectItems(items, { kind: "item_ids", ids: ["item-1", "nope"] }),
    /dataset_query names item ids the dataset does not have: nope/,
  );
});

Deno.test("filter keeps items whose metadata equals every value", () => {
  assert.deepEqual(
    selectItems(items, { kind: "filter", where: { even: true } }).map((i) => i.id).length,
    10,
  );
});

Deno.test("assignItemIds() uses the id field, else a payload hash, and refuses duplicates", () => {
  const out = assignItemIds([{ id: 7, q: "a" }, { q: "b" }], { idField: "id", source: "inline" });
  assert.equal(out[0].id, "7");
  assert.match(out[1].id, /^[0-9a-f]{12}$/);
  assert.throws(
    () =>
      assignItemIds([{ id: "x" }, { id: "y" }, { id: "x" }], {
        idField: "id",
        source: "data.jsonl",
      }),
    /data\.jsonl: rows 1 and 3 share the id "x"/,
  );
  assert.throws(
    () => assignItemIds([{ id: { a: 1 } }], { idField: "id", source: "data.jsonl" }),
    /row 1 has an "id" that is not a string or number/,
  );
});

Deno.test("stratified picks a seeded, proportional share of each value and keeps the dataset order", () => {
  const picked = selectItems(items, { kind: "stratified", count: 5, field: "even", seed: 0 });
  // 10 odd and 10 even: 2.5 each; the tie on remainder and size goes to the smaller key
  // (canonical JSON "false" < "true"), so 3 odd and 2 even.
  assert.deepEqual(picked.map((i) => i.id), ["item-1", "item-4", "item-8", "item-9", "item-17"]);
  assert.deepEqual(picked.filter((i) => i.payload.even).length, 2);
  const again = selectItems([...items].reverse(), {
    kind: "stratified",
    count: 5,
    field: "even",
    seed: 0,
  });
  assert.deepEqual(again.map((i) => i.id).sort(), picked.map((i) => i.id).sort());
});

Deno.test("subset and stratified filter with where first; filter reads nested fields", () => {
  const nested = items.map((i) => ({ ...i, payload: { ...i.payload, meta: { n: i.payload.n } } }));
  assert.deepEqual(
    selectItems(nested, { kind: "subset", count: 3, seed: 0, where: { even: false } })
      .map((i) => i.id),
    ["item-1", "item-9", "item-17"],
  );
  assert.deepEqual(
    selectItems(nested, { kind: "filter", where: { "meta.n": 7 } }).map((i) => i.id),
    ["item-7"],
  );
});

Deno.test("stratified refuses an item without the field, naming it", () => {
  assert.throws(
    () =>
      selectItems([...items, { id: "odd-one", payload: {} }], {
        kind: "stratified",
        count: 2,
        field: "even",
        seed: 0,
      }),
    {
      code: "DATASET_INVALID",
      message: 'dataset_query stratifies by "even", which item "odd-one" does not have',
    },
  );
});

Deno.test("assignItemIds() with a required id field names the first row without one", () => {
  assert.throws(
    () =>
      assignItemIds([{ qid: "a" }, { q: "b" }], {
        idField: "qid",
        source: "data.jsonl",
        required: true,
      }),
    {
      code: "DATASET_INVALID",
      message: 'data.jsonl: row 2 has no "qid" (the dataset\'s id_field)',
    },
  );
});
