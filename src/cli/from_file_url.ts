import { fileURLToPath } from "node:url";

/** A file URL as a path. */
export const fromFileUrl = (url: URL): string => fileURLToPath(url);
