import { canonicalJson } from "../../core/canonical.ts";
import type { JsonObject } from "../../core/json.ts";
import type { DatasetItem } from "./select_items.ts";

/** Items per chunk of joined payload text. */
const CHUNK = 4096;

/**
 * A slice's selected items, kept compactly: each item's id and its payload as canonical JSON
 * text, joined in chunks. A million items take about the size of their text (~70 MB for short
 * rows) rather than ~500 MB of objects; an item's payload object is made when asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ItemList } from "./item_list.ts";
 * const items = ItemList.from([{ id: "a", payload: { q: 1, a: 2 } }]);
 * assert.equal(items.length, 1);
 * assert.equal(items.canonical(0), '{"a":2,"q":1}');
 * assert.deepEqual(items.get(0), { id: "a", payload: { a: 2, q: 1 } });
 * ```
 */
export class ItemList implements Iterable<DatasetItem> {
  readonly #ids: string[] = [];
  readonly #chunks: string[] = [];
  /** Start of each item's text in its chunk; one extra per chunk marks its end. */
  readonly #starts: number[][] = [];
  #pending: string[] = [];

  /** A list of items given as objects. */
  static from(items: Iterable<DatasetItem>): ItemList {
    const list = new ItemList();
    for (const item of items) list.add(item.id, canonicalJson(item.payload));
    return list.done();
  }

  /** Add an item: its id and its payload's canonical JSON. */
  add(id: string, canonical: string): void {
    this.#ids.push(id);
    this.#pending.push(canonical);
    if (this.#pending.length === CHUNK) this.#seal();
  }

  /** Finish adding (seals the last chunk); returns the list. */
  done(): this {
    if (this.#pending.length > 0) this.#seal();
    return this;
  }

  #seal(): void {
    const starts: number[] = [];
    let at = 0;
    for (const text of this.#pending) {
      starts.push(at);
      at += text.length;
    }
    starts.push(at);
    this.#chunks.push(this.#pending.join(""));
    this.#starts.push(starts);
    this.#pending = [];
  }

  get length(): number {
    return this.#ids.length;
  }

  id(i: number): string {
    return this.#ids[i];
  }

  /** The canonical JSON of item `i`'s payload. */
  canonical(i: number): string {
    const chunk = Math.floor(i / CHUNK);
    if (chunk >= this.#chunks.length) return this.#pending[i - chunk * CHUNK];
    const starts = this.#starts[chunk];
    const k = i - chunk * CHUNK;
    return this.#chunks[chunk].slice(starts[k], starts[k + 1]);
  }

  payload(i: number): JsonObject {
    return JSON.parse(this.canonical(i));
  }

  get(i: number): DatasetItem {
    return { id: this.#ids[i], payload: this.payload(i) };
  }

  *[Symbol.iterator](): Iterator<DatasetItem> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /** Every item as an object (for small lists: tests, inline datasets). */
  toArray(): DatasetItem[] {
    return [...this];
  }
}
