/** Server-sent events to every open page of the view: one stream per page, one send to all. */

const encoder = new TextEncoder();

/** The text of one server-sent event. */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The pages listening for changes. `connect()` answers a page's `EventSource` request; `send`
 * reaches every connected page; a comment every `heartbeatMs` keeps proxies from closing idle
 * streams and lets a closed tab be noticed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventHub } from "./event_hub.ts";
 * const hub = new EventHub({ hello: () => ({ version: 1 }) });
 * const response = hub.connect();
 * const reader = response.body!.getReader();
 * const first = new TextDecoder().decode((await reader.read()).value);
 * assert.match(first, /event: hello\ndata: \{"version":1\}/);
 * hub.close();
 * ```
 */
export class EventHub {
  readonly #clients = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #hello: () => unknown;
  readonly #heartbeatMs: number;
  #timer?: ReturnType<typeof setInterval>;

  constructor(options: { hello: () => unknown; heartbeatMs?: number }) {
    this.#hello = options.hello;
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
  }

  /** Pages connected now. */
  get size(): number {
    return this.#clients.size;
  }

  /** A `text/event-stream` response that starts with a `hello` event. */
  connect(): Response {
    let mine: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        mine = controller;
        this.#clients.add(controller);
        controller.enqueue(encoder.encode(`retry: 2000\n${sseMessage("hello", this.#hello())}`));
        this.#beat();
      },
      cancel: () => {
        this.#clients.delete(mine);
        this.#beat();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  }

  /** Send one event to every connected page. */
  send(event: string, data: unknown): void {
    this.#write(encoder.encode(sseMessage(event, data)));
  }

  /** End every stream. */
  close(): void {
    for (const client of this.#clients) {
      try {
        client.close();
      } catch {
        // already closed by the page
      }
    }
    this.#clients.clear();
    this.#beat();
  }

  #write(bytes: Uint8Array): void {
    for (const client of [...this.#clients]) {
      try {
        client.enqueue(bytes);
      } catch {
        this.#clients.delete(client);
      }
    }
  }

  // The heartbeat runs only while someone listens, so an idle server holds no timer.
  #beat(): void {
    if (this.#clients.size > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => this.#write(encoder.encode(": ping\n\n")), this.#heartbeatMs);
    } else if (this.#clients.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
