/**
 * Throughput against a local OpenAI-compatible server that answers every request after a
 * fixed latency: the run is a child `themis run` process (default executor settings,
 * `max_in_flight` requests at once); the server counts requests in this process. With
 * `floor`, a bare `fetch` loop (bench/fetch_loop.ts, also a child process) is measured against
 * the same server at the same concurrency: what this machine's runtime gives with no themis
 * code on the path, so the two fractions can be read side by side.
 *
 * `deno run -A bench/http_throughput.ts [--stages] [--floor] [in flight …]` prints one line
 * per setting; `--stages` adds a parse and a score to every candidate, as a real benchmark has.
 * The server reads each request's body, so both clients' requests cost it the same.
 */
const here = new URL(".", import.meta.url).pathname;

/** Settings of the measurement. */
export interface HttpThroughputOptions {
  latencyMs: number;
  inFlight: number;
  requests: number;
  /** Parse and score every answer (first_number, exact_match), as a real benchmark does. */
  stages?: boolean;
  /** Also measure a bare fetch loop at the same concurrency (see the module comment). */
  floor?: boolean;
}

/** What the server saw of one client. */
export interface ServedStats {
  requests: number;
  seconds: number;
  perSecond: number;
  ideal: number;
  fraction: number;
  /** Most requests the server held at once. */
  peakConcurrency: number;
  /** Requests in flight on average, from the first request to the last answer. */
  meanConcurrency: number;
  /** Time a request spent in the server (the latency as served). */
  meanLatencyMs: number;
}

/** What it measured: the themis run, and the bare fetch loop when `floor` was asked for. */
export interface HttpThroughput extends ServedStats {
  floor?: ServedStats;
}

/** Serve chat completions after `latencyMs`, measuring one client at a time. */
function startLatencyServer(latencyMs: number) {
  let served = 0;
  let first = 0;
  let last = 0;
  let active = 0;
  let peak = 0;
  let busy = 0; // sum over requests of time spent inside the server
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const arrived = performance.now();
    if (served === 0 && active === 0) first = arrived;
    peak = Math.max(peak, ++active);
    await req.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    active--;
    served++;
    last = performance.now();
    busy += last - arrived;
    return Response.json({
      id: `chatcmpl-${served}`,
      object: "chat.completion",
      model: "bench",
      choices: [{ index: 0, message: { role: "assistant", content: "42" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    /** From the first request to the last answer: process start and planning are not counted. */
    take(inFlight: number): ServedStats {
      if (served === 0) {
        throw new Error("the bench server was sent no request: see the client's output above");
      }
      const seconds = (last - first) / 1000;
      const ideal = inFlight / (latencyMs / 1000);
      const stats = {
        requests: served,
        seconds,
        perSecond: served / seconds,
        ideal,
        fraction: served / seconds / ideal,
        peakConcurrency: peak,
        meanConcurrency: busy / (last - first),
        meanLatencyMs: busy / served,
      };
      served =
        first =
        last =
        active =
        peak =
        busy =
          0;
      return stats;
    },
    shutdown: () => server.shutdown(),
  };
}

async function runChild(args: string[], cwd?: string): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!result.success) throw new Error(`${args.join(" ")} failed (exit ${result.code})`);
}

export async function measureHttpThroughput(
  options: HttpThroughputOptions,
): Promise<HttpThroughput> {
  const dir = await Deno.makeTempDir({ prefix: "themis-http-bench-" });
  const server = startLatencyServer(options.latencyMs);
  try {
    const items = Array.from(
      { length: options.requests },
      (_, i) => `{"id":"q${i}","q":"${i}","answer":"42"}`,
    );
    await Deno.writeTextFile(`${dir}/items.jsonl`, items.join("\n") + "\n");
    // Default executor settings: the pool's capacity must follow max_in_flight by itself.
    await Deno.writeTextFile(
      `${dir}/themis.toml`,
      `project_name = "http-bench"
[execution_policy]
max_in_flight = ${options.inFlight}
`,
    );
    await Deno.writeTextFile(
      `${dir}/bench.toml`,
      `benchmark_id = "http"
[[models]]
model_id = "local"
provider = "openai"
extras = { base_url = "${server.url}", model = "bench" }
[[prompt_variants]]
id = "p"
messages = [{ role = "user", content = "{item.q}" }]
[[slices]]
slice_id = "s"
dataset = { kind = "jsonl", path = "items.jsonl" }
${
        options.stages
          ? `parses = [{ name = "n", extractors = [{ id = "first_number" }] }]
scores = [{ name = "acc", parse = "n", metrics = [{ id = "exact_match" }] }]
`
          : ""
      }`,
    );
    await runChild(["run", "-A", `${here}../cli.ts`, "run", "bench.toml", "--quiet"], dir);
    const measured: HttpThroughput = server.take(options.inFlight);
    if (options.floor) {
      const url = `${server.url}/chat/completions`;
      await runChild([
        "run",
        "-A",
        `${here}fetch_loop.ts`,
        url,
        String(options.inFlight),
        String(options.requests),
      ]);
      measured.floor = server.take(options.inFlight);
    }
    return measured;
  } finally {
    try {
      await server.shutdown();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

if (import.meta.main) {
  const flags = Deno.args.filter((a) => a.startsWith("--"));
  const numbers = Deno.args.filter((a) => !a.startsWith("--")).map(Number);
  const unknown = flags.filter((f) => f !== "--stages" && f !== "--floor");
  if (unknown.length > 0 || !numbers.every((n) => Number.isInteger(n) && n >= 1)) {
    console.error(
      `bench/http_throughput.ts: ${
        unknown.length > 0
          ? `unknown option ${unknown.join(", ")}`
          : "in flight must be integers ≥ 1"
      }\nusage: deno run -A bench/http_throughput.ts [--stages] [--floor] [in flight …]`,
    );
    Deno.exit(2);
  }
  const stages = flags.includes("--stages");
  const floor = flags.includes("--floor");
  const settings = numbers.length > 0 ? numbers : [64, 256];
  for (const inFlight of settings) {
    const http = await measureHttpThroughput({
      latencyMs: 50,
      inFlight,
      requests: inFlight * 40,
      stages,
      floor,
    });
    console.log(
      `${inFlight} in flight${stages ? " (with a parse and a score)" : ""}: ` +
        `${http.requests} requests in ${http.seconds.toFixed(2)} s = ` +
        `${http.perSecond.toFixed(0)}/s; ideal ${http.ideal}/s; fraction of ideal ` +
        `${http.fraction.toFixed(3)}; peak concurrency ${http.peakConcurrency}, mean ` +
        `${http.meanConcurrency.toFixed(1)}` +
        (http.floor
          ? `; bare fetch loop ${http.floor.fraction.toFixed(3)} (themis / bare ${
            (http.fraction / http.floor.fraction).toFixed(3)
          })`
          : ""),
    );
  }
}
