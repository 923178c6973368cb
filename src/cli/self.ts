import { fromFileUrl } from "./from_file_url.ts";
import { relative } from "node:path";
import type { CliIo } from "./io.ts";

/** How to invoke this CLI from the user's current folder, for hints that can be pasted. */
export function selfCommand(io: CliIo): string {
  const url = new URL("../../cli.ts", import.meta.url);
  if (url.protocol !== "file:") return `deno run -A ${url.href}`;
  const rel = relative(io.cwd, fromFileUrl(url));
  return `deno run -A ${rel.includes(" ") ? JSON.stringify(rel) : rel}`;
}
