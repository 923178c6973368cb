import { pathToFileURL } from "node:url";

/** A path as a `file:` URL string. */
export const toFileUrl = (path: string): string => pathToFileURL(path).href;
