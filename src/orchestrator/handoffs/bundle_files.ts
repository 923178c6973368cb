import { createHash } from "node:crypto";
import { join } from "node:path";
import { canonicalJson, contentHash } from "../../core/canonical.ts";
import { errorMessage } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import type { RunManifest } from "../../plan/manifest.ts";
import { type BundleManifest, checkHandoff } from "../../spec/handoff_schemas.ts";
import { writeFileAtomic } from "../../store/write_atomic.ts";
import { bundleInvalid } from "./_errors.ts";

/** The name of a bundle's manifest file. */
export const BUNDLE_MANIFEST = "bundle.json";

/** A bundle as export wrote it. */
export interface ExportedBundle {
  /** The bundle folder. */
  dir: string;
  /** Its `bundle.json`. */
  manifest: BundleManifest;
  /** Lines of work in the bundle (0: nothing pending). */
  items: number;
  /** What the bundle leaves out, and what to do next. */
  notes: string[];
}

/** One line of a bundle's JSONL file. */
export interface BundleLine {
  /** 1-based line number in the file. */
  line: number;
  /** The line's `custom_id`: what a record answering it names. */
  customId: string;
  /** The line as parsed. */
  value: JsonObject;
}

/** A bundle read back and checked against its hashes. */
export interface LoadedBundle {
  /** The bundle folder. */
  dir: string;
  /** Its `bundle.json`. */
  manifest: BundleManifest;
  /** Its work lines. */
  lines: BundleLine[];
}

/** The hash of a line as `line_hashes` holds it. */
export const lineHash = (line: string): string =>
  createHash("sha256").update(line).digest("hex").slice(0, 16);

/** The full hash of the plan a bundle was cut from (the run id covers spec and work). */
export function planHash(manifest: RunManifest): string {
  return createHash("sha256").update(canonicalJson({
    run_id: manifest.run_id,
    experiment: manifest.experiment,
    project: manifest.project,
    datasets: manifest.datasets,
    parses: manifest.parses,
    scores: manifest.scores,
    counts: manifest.counts,
  })).digest("hex");
}

/** The manifest fields export decides; the file hashes and the bundle id are computed. */
export type BundleHead = Omit<BundleManifest, "bundle_id" | "file" | "line_hashes">;

async function writeLines(
  path: string,
  lines: Iterable<string>,
): Promise<{ sha256: string; hashes: string[]; bytes: number }> {
  const file = createHash("sha256");
  const hashes: string[] = [];
  const encoder = new TextEncoder();
  let bytes = 0;
  await writeFileAtomic(path, async (write) => {
    for (const line of lines) {
      const text = line + "\n";
      file.update(text);
      hashes.push(lineHash(line));
      bytes += encoder.encode(text).length;
      await write(text);
    }
  });
  return { sha256: file.digest("hex"), hashes, bytes };
}

/**
 * Write a bundle: its JSONL file (streamed from `lines`), then `bundle.json` with the file's
 * hash, each line's hash and a bundle id derived from them. Without `dir`, the bundle goes to
 * `<bundlesRoot>/<kind>-<run id>-<bundle id>`: the same pending work gives the same folder.
 */
export async function writeBundle(
  head: BundleHead,
  lines: Iterable<string>,
  options: { dir?: string; bundlesRoot: string; fileName: string },
): Promise<{ dir: string; manifest: BundleManifest }> {
  const dir = options.dir ??
    join(options.bundlesRoot, `.tmp-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.mkdir(dir, { recursive: true });
  let written;
  try {
    written = await writeLines(join(dir, options.fileName), lines);
  } catch (error) {
    if (options.dir === undefined) await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  const manifest: BundleManifest = {
    ...head,
    bundle_id: contentHash({ kind: head.kind, plan: head.plan_hash, file: written.sha256 }),
    file: {
      name: options.fileName,
      sha256: written.sha256,
      lines: written.hashes.length,
      bytes: written.bytes,
    },
    line_hashes: written.hashes,
  };
  await writeFileAtomic(join(dir, BUNDLE_MANIFEST), JSON.stringify(manifest, null, 1) + "\n");
  if (options.dir !== undefined) return { dir, manifest };
  const final = join(options.bundlesRoot, `${head.kind}-${head.run_id}-${manifest.bundle_id}`);
  try {
    await Deno.rename(dir, final);
  } catch (error) {
    // The same bundle was exported before (same id, same content): keep the first.
    const exists = await Deno.stat(join(final, BUNDLE_MANIFEST)).then(() => true, () => false);
    await Deno.remove(dir, { recursive: true });
    if (!exists) throw error;
  }
  return { dir: final, manifest };
}

async function readManifest(dir: string): Promise<BundleManifest> {
  const path = join(dir, BUNDLE_MANIFEST);
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file: is this a bundle folder written by themis export?"
      : errorMessage(error);
    throw bundleInvalid(`Cannot read bundle manifest ${path}: ${why}`, { file: path });
  }
  const checked = checkHandoff("bundleManifest", raw);
  if (!checked.ok) {
    throw bundleInvalid(
      `${path} is not a themis bundle manifest:\n${
        checked.issues.map((i) => `  - ${i}`).join("\n")
      }`,
      { file: path },
    );
  }
  return checked.value;
}

function tampered(
  path: string,
  { line, customId, why }: { line: number; customId?: string; why: string },
) {
  return bundleInvalid(
    `Bundle file ${path} line ${line}${
      customId ? ` (custom_id ${customId})` : ""
    } ${why}: the bundle was changed after export. Export it again with "themis export", ` +
      `or restore the original file.`,
    { file: path, line },
  );
}

function customIdOf(text: string): string | undefined {
  try {
    const id = JSON.parse(text)?.custom_id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Name the first line that differs from the hashes the manifest holds. */
function findTamperedLine(
  path: string,
  { texts, manifest }: { texts: string[]; manifest: BundleManifest },
): never {
  const hashes = manifest.line_hashes;
  for (let i = 0; i < Math.max(texts.length, hashes.length); i++) {
    if (i >= texts.length) {
      throw tampered(path, { line: i + 1, why: "is missing" });
    }
    if (i >= hashes.length) {
      throw tampered(path, { line: i + 1, customId: customIdOf(texts[i]), why: "was added" });
    }
    if (lineHash(texts[i]) !== hashes[i]) {
      throw tampered(path, {
        line: i + 1,
        customId: customIdOf(texts[i]),
        why: "does not match its hash",
      });
    }
  }
  throw bundleInvalid(
    `Bundle file ${path} does not match the hash in ${BUNDLE_MANIFEST} (its lines do, so ` +
      `line endings or whitespace changed): export the bundle again, or restore the file.`,
    { file: path },
  );
}

/**
 * Read a bundle and check it: the manifest's schema, the file's hash and each line's hash (a
 * changed line is named), each line's JSON and unique `custom_id`.
 */
export async function loadBundle(dir: string): Promise<LoadedBundle> {
  const manifest = await readManifest(dir);
  const path = join(dir, manifest.file.name);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw bundleInvalid(`Cannot read bundle file ${path}: ${errorMessage(error)}`, { file: path });
  }
  const texts = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const sha = createHash("sha256").update(text).digest("hex");
  if (sha !== manifest.file.sha256 || texts.length !== manifest.line_hashes.length) {
    findTamperedLine(path, { texts, manifest });
  }
  const seen = new Map<string, number>();
  const lines = texts.map((t, i): BundleLine => {
    const value = JSON.parse(t) as JsonObject;
    const customId = value.custom_id;
    if (typeof customId !== "string") {
      throw tampered(path, { line: i + 1, why: "has no custom_id" });
    }
    const first = seen.get(customId);
    if (first !== undefined) {
      throw tampered(path, {
        line: i + 1,
        customId: customId,
        why: `repeats the custom_id of line ${first}`,
      });
    }
    seen.set(customId, i + 1);
    return { line: i + 1, customId, value };
  });
  return { dir, manifest, lines };
}
