/** Headless Debian Chromium through playwright-core, as the browser tests and the view bench use it. */
import type { BrowserContext } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** True where the browser is installed (`apt-get install -y chromium`). */
export function chromiumAvailable(): Promise<boolean> {
  return Deno.stat(CHROMIUM).then(() => true, () => false);
}

/**
 * A fresh browser context (its own temporary profile).
 *
 * @example
 * ```ts
 * // const context = await launchChromium({ offline: true });
 * // const page = await context.newPage(); … await context.close();
 * ```
 */
export async function launchChromium(
  options: { width?: number; height?: number; offline?: boolean } = {},
): Promise<BrowserContext> {
  const { chromium } = await import("playwright-core");
  const profile = await Deno.makeTempDir({ prefix: "themis-chromium-" });
  return await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    offline: options.offline ?? false,
  });
}
