import { dirname } from "node:path";

/**
 * Write a file atomically: a temporary file beside it, synced, then renamed over it, so a
 * reader sees the old content or the new, never half of it.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./write_atomic.ts";
 * await writeFileAtomic(await Deno.makeTempFile(), "{}\n");
 * ```
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    await file.write(new TextEncoder().encode(text));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, path);
}
