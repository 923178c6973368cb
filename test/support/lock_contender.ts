/**
 * A process that competes for run locks on command, for the lock race test. Reads lines on
 * stdin: `go <path>` tries to take the lock and prints `won` or `lost <code>`; `release`
 * releases the lock it holds and prints `released`.
 */
import { acquireRunLock, type RunLock } from "../../src/store/run_lock.ts";

let held: RunLock | undefined;
const encoder = new TextEncoder();
const say = (line: string) => Deno.stdout.writeSync(encoder.encode(line + "\n"));
let buffered = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf("\n")) >= 0) {
    const [command, path] = buffered.slice(0, newline).split(" ");
    buffered = buffered.slice(newline + 1);
    if (command === "go") {
      try {
        held = acquireRunLock(path);
        say("won");
      } catch (error) {
        say(`lost ${(error as { code?: string }).code}`);
      }
    } else if (command === "release") {
      held?.release();
      held = undefined;
      say("released");
    }
  }
}
