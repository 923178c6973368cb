/**
 * Who may talk to the view. On a loopback address only pages served from that address (a
 * `Host` check defeats DNS rebinding); on any other address only holders of the random token
 * printed at start (in the URL once, then in a same-site cookie).
 */

/** The cookie that carries the token after the first page load. */
export const TOKEN_COOKIE = "themis_view_token";

/** What the server admits. */
export interface AccessPolicy {
  /** Required token, or null on a loopback address. */
  token: string | null;
  /** `Host` header values a loopback server answers (null: any, the token decides). */
  hosts: ReadonlySet<string> | null;
}

/** The outcome of checking one request. */
export type AccessDecision =
  | { ok: true; setCookie?: string }
  | { ok: false; status: 403; message: string };

/**
 * True for an address that only this machine reaches.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./view_access.ts";
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("localhost"), true);
 * assert.equal(isLoopback("0.0.0.0"), false);
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** A fresh random token: 128 bits, hex. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The access policy of a server bound to `host`:`port`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accessPolicy } from "./view_access.ts";
 * assert.equal(accessPolicy("127.0.0.1", 8080).token, null);
 * assert.equal(accessPolicy("0.0.0.0", 8080).token?.length, 32);
 * ```
 */
export function accessPolicy(host: string, port: number): AccessPolicy {
  if (!isLoopback(host)) return { token: newToken(), hosts: null };
  const names = ["127.0.0.1", "localhost", "[::1]", host.includes(":") ? `[${host}]` : host];
  return { token: null, hosts: new Set(names.map((n) => `${n}:${port}`)) };
}

function sameText(a: string, b: string): boolean {
  // Constant time in the length of the expected token: no early exit on the first difference.
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i) | 0) ^ b.charCodeAt(i);
  return diff === 0;
}

function cookieToken(request: Request): string | undefined {
  const cookies = request.headers.get("cookie") ?? "";
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === TOKEN_COOKIE) return value.join("=");
  }
  return undefined;
}

/**
 * Admit or refuse a request. A valid `?token=` earns a cookie so that links, fetches and the
 * event stream of the page need not carry it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAccess } from "./view_access.ts";
 * const policy = { token: "s3cret", hosts: null };
 * const url = new URL("http://10.0.0.5:8080/?token=s3cret");
 * assert.equal(checkAccess(new Request(url), url, policy).ok, true);
 * const bare = new URL("http://10.0.0.5:8080/");
 * assert.equal(checkAccess(new Request(bare), bare, policy).ok, false);
 * ```
 */
export function checkAccess(request: Request, url: URL, policy: AccessPolicy): AccessDecision {
  if (policy.hosts !== null) {
    const host = request.headers.get("host") ?? url.host;
    if (!policy.hosts.has(host.toLowerCase())) {
      return {
        ok: false,
        status: 403,
        message: `This view answers only pages served from this machine, not from "${host}"`,
      };
    }
  }
  if (policy.token === null) return { ok: true };
  const given = url.searchParams.get("token");
  if (given !== null && sameText(given, policy.token)) {
    return {
      ok: true,
      setCookie: `${TOKEN_COOKIE}=${policy.token}; Path=/; HttpOnly; SameSite=Strict`,
    };
  }
  const cookie = cookieToken(request);
  if (cookie !== undefined && sameText(cookie, policy.token)) return { ok: true };
  return {
    ok: false,
    status: 403,
    message: "This view needs its token: open the URL (with ?token=…) that themis view printed",
  };
}

/** Headers on every response: nothing from elsewhere runs, nothing leaks, no framing. */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'self'; script-src 'self'; " +
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};
