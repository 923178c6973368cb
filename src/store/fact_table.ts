/**
 * A compact hash table from (candidate id, overlay number) to a packed 31-bit value: the store's
 * state at a million trials is millions of facts, which plain `Map`s of strings and objects
 * hold at about ten times the memory. Candidate ids are 12 hex digits (48 bits), which fit a
 * float64 exactly; any other id falls back to a `Map`.
 */

const EMPTY = 0;
const HEX12 = /^[0-9a-f]{12}$/;

/** The number of a 12-hex-digit id, or undefined for any other id. */
export function idNumber(id: string): number | undefined {
  return id.length === 12 && HEX12.test(id) ? parseInt(id, 16) : undefined;
}

/** The id of a number made by `idNumber`. */
export function idOfNumber(n: number): string {
  return n.toString(16).padStart(12, "0");
}

/**
 * Open addressing, linear probing; an overlay number of 0 marks an empty slot (overlays are
 * stored plus one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FactTable } from "./fact_table.ts";
 * const table = new FactTable();
 * table.set("0123456789ab", 3, 42);
 * assert.equal(table.get("0123456789ab", 3), 42);
 * assert.equal(table.get("0123456789ab", 4), undefined);
 * assert.equal(table.size, 1);
 * ```
 */
export class FactTable {
  #keys: Float64Array;
  #overlays: Uint16Array;
  #values: Int32Array;
  #mask: number;
  #size = 0;
  readonly #other = new Map<string, number>();

  constructor(capacity = 1024) {
    let slots = 1024;
    while (slots < capacity * 2) slots *= 2;
    this.#keys = new Float64Array(slots);
    this.#overlays = new Uint16Array(slots);
    this.#values = new Int32Array(slots);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size + this.#other.size;
  }

  #slot(key: number, overlay: number): number {
    // Ids are hash prefixes, already uniform: their low bits spread well.
    let i = ((key % 4294967296) ^ Math.imul(overlay, 0x9e3779b1)) & this.#mask;
    const stored = overlay + 1;
    while (this.#overlays[i] !== EMPTY) {
      if (this.#overlays[i] === stored && this.#keys[i] === key) return i;
      i = (i + 1) & this.#mask;
    }
    return i;
  }

  /** The value of (candidate, overlay), or undefined. */
  get(cand: string, overlay: number): number | undefined {
    const key = idNumber(cand);
    if (key === undefined) return this.#other.get(`${cand}|${overlay}`);
    const i = this.#slot(key, overlay);
    return this.#overlays[i] === EMPTY ? undefined : this.#values[i];
  }

  /** Set the value of (candidate, overlay). */
  set(cand: string, overlay: number, value: number): void {
    const key = idNumber(cand);
    if (key === undefined) {
      this.#other.set(`${cand}|${overlay}`, value);
      return;
    }
    let i = this.#slot(key, overlay);
    if (this.#overlays[i] === EMPTY) {
      // Three quarters full at most: linear probing stays short, memory stays ~19 bytes a fact.
      if ((this.#size + 1) * 4 > this.#keys.length * 3) {
        this.#grow();
        i = this.#slot(key, overlay);
      }
      this.#keys[i] = key;
      this.#overlays[i] = overlay + 1;
      this.#size++;
    }
    this.#values[i] = value;
  }

  #grow(): void {
    const keys = this.#keys;
    const overlays = this.#overlays;
    const values = this.#values;
    this.#keys = new Float64Array(keys.length * 2);
    this.#overlays = new Uint16Array(keys.length * 2);
    this.#values = new Int32Array(keys.length * 2);
    this.#mask = this.#keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      if (overlays[i] === EMPTY) continue;
      const j = this.#slot(keys[i], overlays[i] - 1);
      this.#keys[j] = keys[i];
      this.#overlays[j] = overlays[i];
      this.#values[j] = values[i];
    }
  }

  /** Every entry: candidate id, overlay number, value. */
  *entries(): Generator<[string, number, number]> {
    for (let i = 0; i < this.#keys.length; i++) {
      if (this.#overlays[i] !== EMPTY) {
        yield [idOfNumber(this.#keys[i]), this.#overlays[i] - 1, this.#values[i]];
      }
    }
    for (const [key, value] of this.#other) {
      const bar = key.lastIndexOf("|");
      yield [key.slice(0, bar), Number(key.slice(bar + 1)), value];
    }
  }

  /**
   * The table as byte pieces to write one after the other (a checkpoint; no copy of the
   * arrays), read back by `FactTable.fromBytes` from their concatenation.
   */
  toPieces(): Uint8Array[] {
    const other = new TextEncoder().encode(JSON.stringify([...this.#other]));
    const head = new Uint8Array(16);
    const view = new DataView(head.buffer);
    view.setUint32(0, this.#keys.length, true);
    view.setUint32(4, this.#size, true);
    view.setUint32(8, other.length, true);
    return [
      head,
      new Uint8Array(this.#keys.buffer),
      new Uint8Array(this.#values.buffer),
      new Uint8Array(this.#overlays.buffer),
      other,
    ];
  }

  /**
   * A table from its pieces (`toPieces()`), concatenated. When they start 8-byte aligned in
   * their buffer the arrays are views of it, not copies.
   */
  static fromBytes(bytes: Uint8Array): FactTable {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const slots = view.getUint32(0, true);
    const table = new FactTable();
    const at = bytes.byteOffset;
    const aligned = at % 8 === 0;
    const buffer = (offset: number, length: number) =>
      aligned ? bytes.buffer : bytes.slice(offset, offset + length).buffer;
    const base = (offset: number) => (aligned ? at + offset : 0);
    table.#keys = new Float64Array(buffer(16, slots * 8), base(16), slots);
    table.#values = new Int32Array(buffer(16 + slots * 8, slots * 4), base(16 + slots * 8), slots);
    table.#overlays = new Uint16Array(
      buffer(16 + slots * 12, slots * 2),
      base(16 + slots * 12),
      slots,
    );
    table.#mask = slots - 1;
    table.#size = view.getUint32(4, true);
    const otherLength = view.getUint32(8, true);
    const other = JSON.parse(
      new TextDecoder().decode(bytes.subarray(16 + slots * 14, 16 + slots * 14 + otherLength)),
    ) as Array<[string, number]>;
    for (const [key, value] of other) table.#other.set(key, value);
    return table;
  }
}
