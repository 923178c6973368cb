/**
 * The floor of the HTTP bench: `inFlight` loops that each POST a chat completion request with
 * `fetch` and read its JSON answer, until `requests` were sent; no themis code on the path. The
 * server that measures it is the bench's own (bench/http_throughput.ts), in another process.
 *
 * `deno run -A bench/fetch_loop.ts <url> <in flight> <requests>`
 */
const [url, inFlightArg, requestsArg] = Deno.args;
const inFlight = Number(inFlightArg);
const requests = Number(requestsArg);
if (!url || !(inFlight >= 1) || !(requests >= 1)) {
  console.error("usage: deno run -A bench/fetch_loop.ts <url> <in flight> <requests>");
  Deno.exit(2);
}

let sent = 0;
async function loop(): Promise<void> {
  while (sent < requests) {
    const body = JSON.stringify({
      model: "bench",
      messages: [{ role: "user", content: `${sent++}` }],
    });
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer none" },
      body,
    });
    if (!response.ok) throw new Error(`the bench server answered ${response.status}`);
    await response.json();
  }
}
await Promise.all(Array.from({ length: inFlight }, loop));
