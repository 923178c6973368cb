import process from "node:process";
import { errorMessage, ThemisError } from "../core/errors.ts";

/** What a lock file holds. */
interface LockInfo {
  pid: number;
  hostname: string;
  started: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as { code?: string }).code === "EPERM";
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path)) as LockInfo;
  } catch {
    return undefined;
  }
}

/** A held run lock; release it when the run ends. */
export interface RunLock {
  release(): void;
}

/**
 * Take the one-writer lock of a run directory. A lock held by a live process fails fast with
 * `STORE_LOCKED`; a lock left by a dead process (same host) is taken over.
 *
 * @example
 * ```ts
 * import { acquireRunLock } from "./run_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = acquireRunLock(`${dir}/lock`);
 * lock.release();
 * ```
 */
export function acquireRunLock(path: string, options: { now?: () => Date } = {}): RunLock {
  const hostname = Deno.hostname();
  const info: LockInfo = {
    pid: Deno.pid,
    hostname,
    started: (options.now?.() ?? new Date()).toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = Deno.openSync(path, { write: true, createNew: true });
      file.writeSync(new TextEncoder().encode(JSON.stringify(info) + "\n"));
      file.close();
      return {
        release() {
          const held = readLock(path);
          if (held?.pid === Deno.pid) {
            try {
              Deno.removeSync(path);
            } catch {
              // already gone
            }
          }
        },
      };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) {
        throw new ThemisError("STORE_IO", `Cannot create lock "${path}": ${errorMessage(error)}`);
      }
    }
    const holder = readLock(path);
    const stale = holder === undefined ||
      (holder.hostname === hostname && holder.pid !== Deno.pid && !isAlive(holder.pid));
    if (!stale) {
      throw new ThemisError(
        "STORE_LOCKED",
        `Run directory is in use by process ${holder.pid} on ${holder.hostname} (since ` +
          `${holder.started}); wait for it to finish, or stop it. Lock file: ${path}`,
        { file: path, pid: holder.pid },
      );
    }
    try {
      Deno.removeSync(path);
    } catch {
      // another process took it over first; try again
    }
  }
  throw new ThemisError("STORE_LOCKED", `Cannot take the lock "${path}": it keeps changing`);
}
