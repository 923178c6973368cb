import { join } from "node:path";

/** Copy a folder's files (recursively) into another folder. */
export async function copy(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) {
      if (entry.name === "themis-store") continue;
      await copy(source, target);
    } else if (entry.isFile) await Deno.copyFile(source, target);
  }
}
