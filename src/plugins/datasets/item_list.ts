import { canonicalJson } from "../../core/canonical.ts";
import type { JsonObject } from "../../core/json.ts";
import type { DatasetItem } from "./select_items.ts";

/** Items per chunk of joined text (a power of two: chunk = index >> CHUNK_BITS). */
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;

/** Texts joined into one string, with where each starts (and the last ends). */
class TextChunks {
  readonly #chunks: string[] = [];
  readonly #starts: Int32Array[] = [];
  #pending: string[] = [];

  add(text: string): void {
    const last = this.#starts.at(-1);
    if (this.#pending.length === 0 && last !== undefined && last.length <= CHUNK) {
      // Adding after `done()`: the last, short chunk takes texts again.
      const chunk = this.#chunks.pop()!;
      this.#starts.pop();
      for (let k = 0; k + 1 < last.length; k++) {
        this.#pending.push(chunk.slice(last[k], last[k + 1]));
      }
    }
    this.#pending.push(text);
    if (this.#pending.length === CHUNK) this.seal();
  }

  seal(): void {
    if (this.#pending.length === 0) return;
    const starts = new Int32Array(this.#pending.length + 1);
    let at = 0;
    for (let i = 0; i < this.#pending.length; i++) {
      starts[i] = at;
      at += this.#pending[i].length;
    }
    starts[this.#pending.length] = at;
    this.#chunks.push(this.#pending.join(""));
    this.#starts.push(starts);
    this.#pending = [];
  }

  at(i: number): string {
    const chunk = i >> CHUNK_BITS;
    if (chunk >= this.#chunks.length) return this.#pending[i - (chunk << CHUNK_BITS)];
    const starts = this.#starts[chunk];
    const k = i & (CHUNK - 1);
    return this.#chunks[chunk].slice(starts[k], starts[k + 1]);
  }
}

/**
 * A slice's selected items, kept compactly: each item's id and its payload as canonical JSON
 * text, joined in chunks. A million items take about the size of their text (~70 MB for short
 * rows) rather than ~500 MB of objects, and a million ids about 10 MB rather than 40; an item's
 * payload object is made when asked for.
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
  readonly #ids = new TextChunks();
  readonly #payloads = new TextChunks();
  #length = 0;

  /** A list of items given as objects. */
  static from(items: Iterable<DatasetItem>): ItemList {
    const list = new ItemList();
    for (const item of items) list.add(item.id, canonicalJson(item.payload));
    return list.done();
  }

  /** Add an item: its id and its payload's canonical JSON. */
  add(id: string, canonical: string): void {
    this.#ids.add(id);
    this.#payloads.add(canonical);
    this.#length++;
  }

  /** Finish adding (seals the last chunk); returns the list. */
  done(): this {
    this.#ids.seal();
    this.#payloads.seal();
    return this;
  }

  get length(): number {
    return this.#length;
  }

  id(i: number): string {
    return this.#ids.at(i);
  }

  /** The canonical JSON of item `i`'s payload. */
  canonical(i: number): string {
    return this.#payloads.at(i);
  }

  payload(i: number): JsonObject {
    return JSON.parse(this.canonical(i));
  }

  get(i: number): DatasetItem {
    return { id: this.id(i), payload: this.payload(i) };
  }

  /**
   * The first repeated id as the positions of its first two items (the second as early as
   * possible), or undefined when every id is unique. Found with a hash table of positions, so a
   * million ids take ~12 MB for the check rather than a map of strings.
   */
  repeatedId(): [number, number] | undefined {
    const n = this.#length;
    let size = 1024;
    while (size < n * 2) size *= 2;
    const slots = new Int32Array(size).fill(-1);
    const hashes = new Int32Array(size);
    for (let i = 0; i < n; i++) {
      const id = this.id(i);
      const hash = textHash(id);
      for (let slot = hash & (size - 1);; slot = (slot + 1) & (size - 1)) {
        const j = slots[slot];
        if (j === -1) {
          slots[slot] = i;
          hashes[slot] = hash;
          break;
        }
        if (hashes[slot] === hash && this.id(j) === id) return [j, i];
      }
    }
    return undefined;
  }

  *[Symbol.iterator](): Iterator<DatasetItem> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /** Every item as an object (for small lists: tests, inline datasets). */
  toArray(): DatasetItem[] {
    return [...this];
  }
}

/** FNV-1a over the UTF-16 units of a text, as a 32-bit integer. */
function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}
