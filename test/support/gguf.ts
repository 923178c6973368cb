/**
 * A small GGUF (v3) reader and writer, and a tiny random-weight Llama model built with them.
 * No weights can be downloaded here, so the llama_cpp tests make their own model: the
 * tokenizer is taken from llama.cpp's vocabulary-only `ggml-vocab-llama-spm.gguf`, which the
 * node-llama-cpp package carries inside its llama.cpp git bundle; the weights are seeded
 * random numbers. The model knows nothing, but at temperature 0 it answers the same tokens on
 * every run, which is what the tests need.
 */
import { NODE_LLAMA_CPP } from "../../src/plugins/engines/_llama_runtime.ts";
import { fromFileUrl } from "../../src/cli/from_file_url.ts";
import { seededRandom } from "../../src/core/prng.ts";

/** GGUF value types (the numbers are the file format's). */
export const GgufType = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

/** One metadata value: its GGUF type, and the element type of an array. */
export interface GgufEntry {
  type: number;
  value: unknown;
  itemType?: number;
}

/** A tensor of a GGUF file (`dims` innermost first, as ggml counts them). */
export interface GgufTensor {
  name: string;
  dims: number[];
  /** ggml type: 0 = F32, 1 = F16. */
  ggmlType: number;
  /** The raw little-endian data (writer); empty when read. */
  data: Uint8Array;
}

/** What {@linkcode readGguf} finds: metadata in file order and the tensor infos. */
export interface GgufFile {
  version: number;
  metadata: Map<string, GgufEntry>;
  tensors: GgufTensor[];
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const ALIGNMENT = 32;
type Scalar = [
  size: number,
  get: (view: DataView, at: number) => unknown,
  set: (view: DataView, at: number, value: unknown) => void,
];
const big = (v: unknown) => BigInt(v as number);
/** Size, reader and writer of each fixed-size GGUF value type (little-endian). */
const SCALARS: Record<number, Scalar> = {
  0: [1, (d, p) => d.getUint8(p), (d, p, v) => d.setUint8(p, v as number)],
  1: [1, (d, p) => d.getInt8(p), (d, p, v) => d.setInt8(p, v as number)],
  2: [2, (d, p) => d.getUint16(p, true), (d, p, v) => d.setUint16(p, v as number, true)],
  3: [2, (d, p) => d.getInt16(p, true), (d, p, v) => d.setInt16(p, v as number, true)],
  4: [4, (d, p) => d.getUint32(p, true), (d, p, v) => d.setUint32(p, v as number, true)],
  5: [4, (d, p) => d.getInt32(p, true), (d, p, v) => d.setInt32(p, v as number, true)],
  6: [4, (d, p) => d.getFloat32(p, true), (d, p, v) => d.setFloat32(p, v as number, true)],
  7: [1, (d, p) => d.getUint8(p) !== 0, (d, p, v) => d.setUint8(p, v ? 1 : 0)],
  10: [8, (d, p) => Number(d.getBigUint64(p, true)), (d, p, v) => d.setBigUint64(p, big(v), true)],
  11: [8, (d, p) => Number(d.getBigInt64(p, true)), (d, p, v) => d.setBigInt64(p, big(v), true)],
  12: [8, (d, p) => d.getFloat64(p, true), (d, p, v) => d.setFloat64(p, v as number, true)],
};

/** Typed metadata values for {@linkcode writeGguf}. */
export const gguf = {
  u32: (value: number): GgufEntry => ({ type: GgufType.u32, value }),
  f32: (value: number): GgufEntry => ({ type: GgufType.f32, value }),
  bool: (value: boolean): GgufEntry => ({ type: GgufType.bool, value }),
  string: (value: string): GgufEntry => ({ type: GgufType.string, value }),
};

/**
 * Read a GGUF file's header: its metadata and tensor infos (tensor data is not read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gguf, readGguf, writeGguf } from "./gguf.ts";
 * const bytes = writeGguf(new Map([["general.name", gguf.string("x")]]), []);
 * assert.equal(readGguf(bytes).metadata.get("general.name")?.value, "x");
 * ```
 */
export function readGguf(bytes: Uint8Array): GgufFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  let at = 0;
  const u32 = () => (at += 4, view.getUint32(at - 4, true));
  const u64 = () => (at += 8, Number(view.getBigUint64(at - 8, true)));
  const string = () => {
    const length = u64();
    at += length;
    return decoder.decode(bytes.subarray(at - length, at));
  };
  const scalar = (type: number): unknown => {
    if (type === GgufType.string) return string();
    const known = SCALARS[type];
    if (known === undefined) throw new Error(`GGUF: unknown value type ${type} at byte ${at}`);
    at += known[0];
    return known[1](view, at - known[0]);
  };
  if (u32() !== MAGIC) throw new Error("GGUF: not a GGUF file (bad magic)");
  const version = u32();
  if (version !== 3) throw new Error(`GGUF: version ${version} is not supported (3 is)`);
  const tensorCount = u64();
  const kvCount = u64();
  const metadata = new Map<string, GgufEntry>();
  for (let i = 0; i < kvCount; i++) {
    const key = string();
    const type = u32();
    if (type !== GgufType.array) {
      metadata.set(key, { type, value: scalar(type) });
      continue;
    }
    const itemType = u32();
    const values = Array.from({ length: u64() }, () => scalar(itemType));
    metadata.set(key, { type, itemType, value: values });
  }
  const tensors: GgufTensor[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = string();
    const dims = Array.from({ length: u32() }, () => u64());
    const ggmlType = u32();
    u64(); // offset into the data section
    tensors.push({ name, dims, ggmlType, data: new Uint8Array() });
  }
  return { version, metadata, tensors };
}

/** Grows as it is written; little-endian throughout. */
class ByteWriter {
  #buffer = new Uint8Array(1 << 16);
  #view = new DataView(this.#buffer.buffer);
  length = 0;

  #reserve(n: number): number {
    if (this.length + n > this.#buffer.length) {
      const next = new Uint8Array(Math.max(this.#buffer.length * 2, this.length + n));
      next.set(this.#buffer.subarray(0, this.length));
      this.#buffer = next;
      this.#view = new DataView(next.buffer);
    }
    this.length += n;
    return this.length - n;
  }

  scalar(type: number, value: unknown): void {
    if (type === GgufType.string) {
      const bytes = new TextEncoder().encode(value as string);
      this.scalar(GgufType.u64, bytes.length);
      this.bytes(bytes);
      return;
    }
    const [size, , set] = SCALARS[type];
    const p = this.#reserve(size); // first: it may replace the buffer and its view
    set(this.#view, p, value);
  }

  bytes(bytes: Uint8Array): void {
    const p = this.#reserve(bytes.length); // first: it may replace the buffer
    this.#buffer.set(bytes, p);
  }

  align(): void {
    this.#reserve((ALIGNMENT - (this.length % ALIGNMENT)) % ALIGNMENT);
  }

  result(): Uint8Array {
    return this.#buffer.slice(0, this.length);
  }
}

/**
 * Write a GGUF v3 file: metadata in the order given, then the tensors, each aligned to 32 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gguf, writeGguf } from "./gguf.ts";
 * const bytes = writeGguf(new Map([["general.architecture", gguf.string("llama")]]), []);
 * assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "GGUF");
 * ```
 */
export function writeGguf(metadata: Map<string, GgufEntry>, tensors: GgufTensor[]): Uint8Array {
  const out = new ByteWriter();
  out.scalar(GgufType.u32, MAGIC);
  out.scalar(GgufType.u32, 3);
  out.scalar(GgufType.u64, tensors.length);
  out.scalar(GgufType.u64, metadata.size);
  for (const [key, entry] of metadata) {
    out.scalar(GgufType.string, key);
    out.scalar(GgufType.u32, entry.type);
    if (entry.type !== GgufType.array) {
      out.scalar(entry.type, entry.value);
      continue;
    }
    const values = entry.value as unknown[];
    out.scalar(GgufType.u32, entry.itemType!);
    out.scalar(GgufType.u64, values.length);
    for (const value of values) out.scalar(entry.itemType!, value);
  }
  let offset = 0;
  for (const tensor of tensors) {
    out.scalar(GgufType.string, tensor.name);
    out.scalar(GgufType.u32, tensor.dims.length);
    for (const dim of tensor.dims) out.scalar(GgufType.u64, dim);
    out.scalar(GgufType.u32, tensor.ggmlType);
    out.scalar(GgufType.u64, offset);
    offset += Math.ceil(tensor.data.length / ALIGNMENT) * ALIGNMENT;
  }
  out.align();
  for (const tensor of tensors) {
    out.bytes(tensor.data);
    out.align();
  }
  return out.result();
}

/** Sizes of the tiny Llama model. */
export interface TinyLlamaOptions {
  layers?: number;
  embd?: number;
  heads?: number;
  ff?: number;
  contextLength?: number;
  /** Seed of the random weights. */
  seed?: number;
}

// A plain chat template, so prompts are formatted the same way on every machine.
const CHAT_TEMPLATE = "{% for message in messages %}{{ message['role'] }}: " +
  "{{ message['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";

function randomTensor(
  name: string,
  dims: number[],
  options: { random: () => number; scale: number; half?: boolean },
): GgufTensor {
  const count = dims.reduce((a, b) => a * b, 1);
  const values = options.half ? new Float16Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (options.random() * 2 - 1) * options.scale;
  return {
    name,
    dims,
    ggmlType: options.half ? 1 : 0,
    data: new Uint8Array(values.buffer),
  };
}

function onesTensor(name: string, size: number): GgufTensor {
  return {
    name,
    dims: [size],
    ggmlType: 0,
    data: new Uint8Array(new Float32Array(size).fill(1).buffer),
  };
}

/**
 * A tiny Llama model (default: 2 layers, 64 embd, 4 heads, 128 ff) with seeded random weights
 * and the tokenizer entries of `vocab` (the `tokenizer.*` metadata of a GGUF file).
 *
 * @example
 * ```ts ignore
 * import { bundledVocab, tinyLlama } from "./gguf.ts";
 * const bytes = tinyLlama(await bundledVocab());
 * ```
 */
export function tinyLlama(vocab: Map<string, GgufEntry>, options: TinyLlamaOptions = {}) {
  const { layers = 2, embd = 64, heads = 4, ff = 128, contextLength = 2048, seed = 1 } = options;
  const tokens = vocab.get("tokenizer.ggml.tokens")?.value as string[] | undefined;
  if (tokens === undefined) throw new Error("the vocabulary has no tokenizer.ggml.tokens");
  const metadata = new Map<string, GgufEntry>([
    ["general.architecture", gguf.string("llama")],
    ["general.name", gguf.string("themis tiny random llama")],
    ["general.file_type", gguf.u32(1)],
    ["llama.context_length", gguf.u32(contextLength)],
    ["llama.embedding_length", gguf.u32(embd)],
    ["llama.block_count", gguf.u32(layers)],
    ["llama.feed_forward_length", gguf.u32(ff)],
    ["llama.attention.head_count", gguf.u32(heads)],
    ["llama.attention.head_count_kv", gguf.u32(heads)],
    ["llama.attention.layer_norm_rms_epsilon", gguf.f32(1e-5)],
    ["llama.rope.dimension_count", gguf.u32(embd / heads)],
    ["llama.vocab_size", gguf.u32(tokens.length)],
  ]);
  for (const [key, entry] of vocab) if (key.startsWith("tokenizer.")) metadata.set(key, entry);
  metadata.set("tokenizer.chat_template", gguf.string(CHAT_TEMPLATE));
  const random = seededRandom(seed);
  const weight = (name: string, dims: number[], scale: number, half = false) =>
    randomTensor(name, dims, { random, scale, half });
  const tensors = [
    weight("token_embd.weight", [embd, tokens.length], 1, true),
    onesTensor("output_norm.weight", embd),
    weight("output.weight", [embd, tokens.length], 0.5, true),
  ];
  const attention = 1 / Math.sqrt(embd);
  for (let i = 0; i < layers; i++) {
    tensors.push(
      onesTensor(`blk.${i}.attn_norm.weight`, embd),
      weight(`blk.${i}.attn_q.weight`, [embd, embd], attention),
      weight(`blk.${i}.attn_k.weight`, [embd, embd], attention),
      weight(`blk.${i}.attn_v.weight`, [embd, embd], attention),
      weight(`blk.${i}.attn_output.weight`, [embd, embd], attention),
      onesTensor(`blk.${i}.ffn_norm.weight`, embd),
      weight(`blk.${i}.ffn_gate.weight`, [embd, ff], attention),
      weight(`blk.${i}.ffn_up.weight`, [embd, ff], attention),
      weight(`blk.${i}.ffn_down.weight`, [ff, embd], 1 / Math.sqrt(ff)),
    );
  }
  return writeGguf(metadata, tensors);
}

/** Where node-llama-cpp keeps llama.cpp's source as a git bundle (installed on demand). */
async function bundlePath(): Promise<string> {
  await import(NODE_LLAMA_CPP); // installs the package into node_modules when it is missing
  const root = new URL("../../node_modules/.deno/node-llama-cpp@3.21.1/", import.meta.url);
  const path = fromFileUrl(new URL("node_modules/node-llama-cpp/llama/gitRelease.bundle", root));
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(`no llama.cpp bundle at ${path}: run with nodeModulesDir "auto"`);
  }
  return path;
}

async function git(args: string[]): Promise<Uint8Array> {
  const output = await new Deno.Command("git", { args, stdout: "piped", stderr: "piped" })
    .output()
    .catch((error) => {
      throw new Error(`cannot run git (needed to read llama.cpp's vocabulary files): ${error}`);
    });
  if (!output.success) {
    throw new Error(`git ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return output.stdout;
}

/**
 * The `tokenizer.*` metadata of llama.cpp's `models/ggml-vocab-<name>.gguf`, read from the git
 * bundle inside the node-llama-cpp package (needs `git`).
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { bundledVocab } from "./gguf.ts";
 * const vocab = await bundledVocab("llama-spm");
 * assert.equal((vocab.get("tokenizer.ggml.tokens")!.value as string[]).length, 32000);
 * ```
 */
export async function bundledVocab(name = "llama-spm"): Promise<Map<string, GgufEntry>> {
  const dir = await Deno.makeTempDir({ prefix: "themis-llama-src-" });
  try {
    await git(["clone", "--quiet", "--bare", await bundlePath(), dir]);
    const bytes = await git([
      "--git-dir",
      dir,
      "cat-file",
      "blob",
      `HEAD:models/ggml-vocab-${name}.gguf`,
    ]);
    return readGguf(bytes).metadata;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Write the tiny test model to `path` (see {@linkcode tinyLlama}); returns its size in bytes.
 *
 * @example
 * ```ts ignore
 * import { writeTinyLlama } from "./gguf.ts";
 * await writeTinyLlama("/tmp/tiny-llama.gguf");
 * ```
 */
export async function writeTinyLlama(path: string, options: TinyLlamaOptions = {}) {
  const bytes = tinyLlama(await bundledVocab(), options);
  await Deno.writeFile(path, bytes);
  return bytes.length;
}

let cached: Promise<string> | undefined;

/**
 * The tiny test model's path, written once per test module into a temporary folder that is
 * removed when the process ends.
 *
 * @example
 * ```ts ignore
 * import { testModelPath } from "./gguf.ts";
 * const path = await testModelPath();
 * ```
 */
export function testModelPath(): Promise<string> {
  cached ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "themis-tiny-llama-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    const path = `${dir}/tiny-llama.gguf`;
    await writeTinyLlama(path);
    return path;
  })();
  return cached;
}
