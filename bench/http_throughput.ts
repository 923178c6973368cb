/**
 * Throughput against a local OpenAI-compatible server that answers every request after a
 * fixed latency: the run is a child `themis run` process (default executor settings,
 * `max_in_flight` requests at once); the server counts requests in this process.
 *
 * `deno run -A bench/http_throughput.ts [--stages] [in flight …]` prints one line per setting;
 * `--stages` adds a parse and a score to every candidate, as a real benchmark has.
 */
const here = new URL(".", import.meta.url).pathname;

/** Settings of the measurement. */
export interface HttpThroughputOptions {
  latencyMs: number;
  inFlight: number;
  requests: number;
  /** Parse and score every answer (first_number, exact_match), as a real benchmark does. */
  stages?: boolean;
}

/** What it measured. */
export interface HttpThroughput {
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

export async function measureHttpThroughput(
  options: HttpThroughputOptions,
): Promise<HttpThroughput> {
  let served = 0;
  let first = 0;
  let last = 0;
  let active = 0;
  let peak = 0;
  let busy = 0; // sum over requests of time spent inside the server

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    const arrived = performance.now();
    if (served === 0 && active === 0) first = arrived;
    peak = Math.max(peak, ++active);
    await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
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
  const dir = await Deno.makeTempDir({ prefix: "themis-http-bench-" });
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
extras = { base_url = "http://127.0.0.1:${server.addr.port}/v1", model = "bench" }
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
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${here}../cli.ts`, "run", "bench.toml", "--quiet"],
    cwd: dir,
    stdout: "null",
    stderr: "inherit",
  }).output();
  await server.shutdown();
  if (!result.success) throw new Error(`the HTTP bench run failed (exit ${result.code})`);
  // From the first request to the last answer: process start and planning are not the
  // engine's throughput.
  const seconds = (last - first) / 1000;
  const perSecond = served / seconds;
  const ideal = options.inFlight / (options.latencyMs / 1000);
  return {
    requests: served,
    seconds,
    perSecond,
    ideal,
    fraction: perSecond / ideal,
    peakConcurrency: peak,
    meanConcurrency: busy / (last - first),
    meanLatencyMs: busy / served,
  };
}

if (import.meta.main) {
  const stages = Deno.args.includes("--stages");
  const numbers = Deno.args.filter((a) => a !== "--stages").map(Number);
  const settings = numbers.length > 0 ? numbers : [64, 256];
  for (const inFlight of settings) {
    const http = await measureHttpThroughput({
      latencyMs: 50,
      inFlight,
      requests: inFlight * 40,
      stages,
    });
    console.log(
      `${inFlight} in flight${stages ? " (with a parse and a score)" : ""}: ` +
        `${http.requests} requests in ${http.seconds.toFixed(2)} s = ` +
        `${http.perSecond.toFixed(0)}/s; ideal ${http.ideal}/s; fraction of ideal ` +
        `${http.fraction.toFixed(3)}; peak concurrency ${http.peakConcurrency}, mean ` +
        `${http.meanConcurrency.toFixed(1)}`,
    );
  }
}
