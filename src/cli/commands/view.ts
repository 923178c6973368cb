import { parseArgs } from "node:util";
import { serveView } from "../../view/mod.ts";
import { displayPath, openOrchestrator, STORE_FLAGS_HELP, STORE_OPTIONS } from "../context.ts";
import { EXIT } from "../exit_codes.ts";
import type { CliIo } from "../io.ts";
import { usageError } from "../usage.ts";
import { intFlag } from "./report.ts";

export const VIEW_HELP = `themis view [options]

Browse the store in your browser, live: every run with its progress; a run's
leaderboard, slice × model means, failures and items (search, filters, each
candidate's timeline); paired comparison of two runs or two models; read-only
SQL with CSV/Parquet downloads. Pages follow new events as runs write them.
Serves on 127.0.0.1 only unless --host says otherwise; then the printed URL
carries a token that every request needs. See docs/view.md.

Options:
${STORE_FLAGS_HELP}
  --port N         port to listen on (default: a free one, printed)
  --host H         address to listen on (default 127.0.0.1); any address but
                   loopback requires the printed token
  --open           open the URL in a browser
  --poll MS        how often to look for new events, in ms (default 1000)
  -h, --help       show this help

Example:
  themis view --store themis-store --open
`;

async function openBrowser(url: string, io: CliIo): Promise<void> {
  const command = Deno.build.os === "darwin"
    ? ["open", url]
    : Deno.build.os === "windows"
    ? ["cmd", "/c", "start", "", url]
    : ["xdg-open", url];
  try {
    const child = new Deno.Command(command[0], {
      args: command.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    child.unref();
    await child.status;
  } catch {
    io.err(`could not start a browser (${command[0]}): open ${url} yourself\n`);
  }
}

/** `themis view`. */
export async function viewCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      open: { type: "boolean", default: false },
      poll: { type: "string" },
    },
  });
  if (values.help) {
    io.out(VIEW_HELP);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw usageError("themis view takes no arguments", "view");
  const port = intFlag(values.port, "port", "view");
  if (port !== undefined && port > 65535) throw usageError("--port must be at most 65535", "view");
  const poll = intFlag(values.poll, "poll", "view");
  if (poll === 0) throw usageError("--poll must be at least 1 (ms)", "view");
  const orchestrator = await openOrchestrator(values, io);
  const root = orchestrator.store.root;
  const view = await serveView({
    root,
    host: values.host,
    port,
    pollMs: poll,
    analytics: orchestrator.store.analyticsOptions,
    onError: (error) => io.err(`view: ${(error as Error)?.stack ?? String(error)}\n`),
  });
  io.out(
    `themis view of ${displayPath(root, io)} at ${view.url}\n` +
      (view.token ? "anyone with this URL (and its token) can read the store\n" : "") +
      "Ctrl-C to stop\n",
  );
  if (values.open) await openBrowser(view.url, io);
  // Serve until Ctrl-C (the terminal's signal); then stop cleanly.
  await new Promise<void>((done) => {
    if (io.signal?.aborted) return done();
    io.signal?.addEventListener("abort", () => done(), { once: true });
  });
  await view.close();
  io.out("themis view stopped\n");
  return EXIT.OK;
}
