import assert from "node:assert/strict";
import { ItemList } from "./item_list.ts";

Deno.test("an ItemList keeps ids and payloads across chunks, sealed or not", () => {
  const list = new ItemList();
  for (let i = 0; i < 2500; i++) list.add(`id-${i}`, `{"n":${i}}`);
  assert.deepEqual([list.id(5), list.canonical(1500), list.id(2499)], [
    "id-5",
    '{"n":1500}',
    "id-2499",
  ]);
  list.done();
  assert.equal(list.length, 2500);
  assert.deepEqual(list.get(2048), { id: "id-2048", payload: { n: 2048 } });
});

Deno.test("repeatedId() finds the first id seen twice, as a scan in order would", () => {
  const list = new ItemList();
  for (const id of ["a", "b", "c", "b", "a", "c"]) list.add(id, "{}");
  assert.deepEqual(list.done().repeatedId(), [1, 3]);
  const unique = new ItemList();
  for (let i = 0; i < 5000; i++) unique.add(String(i), "{}");
  assert.equal(unique.done().repeatedId(), undefined);
  unique.add("4999", "{}");
  assert.deepEqual(unique.done().repeatedId(), [4999, 5000]);
});
