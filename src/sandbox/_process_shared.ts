import { getEnvironmentData, isMainThread, setEnvironmentData } from "node:worker_threads";

/**
 * A SharedArrayBuffer every thread of the process sees: the main thread creates it when the
 * calling module loads (the registry imports the sandbox before any pool worker starts) and
 * workers inherit it through `setEnvironmentData`. A thread started without it gets its own.
 */
export function processShared(key: string, create: () => SharedArrayBuffer): SharedArrayBuffer {
  const inherited = getEnvironmentData(key);
  if (inherited instanceof SharedArrayBuffer) return inherited;
  const buffer = create();
  if (isMainThread) setEnvironmentData(key, buffer);
  return buffer;
}
