/**
 * The HTML report in headless Chromium (Debian `chromium` + `playwright-core`): it renders
 * offline, its charts are there, search filters the item rows, a row opens the candidate's
 * timeline. Leaves a screenshot in test/artifacts/report.png. Skipped (with a message) on a
 * machine without /usr/bin/chromium: `apt-get install -y chromium`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { runCli } from "./support/cli.ts";
import { benchmark, openFixture } from "./results_fixture_test.ts";
import { CHROMIUM, chromiumAvailable, launchChromium } from "./support/chromium.ts";

const available = await chromiumAvailable();
if (!available) {
  console.warn(
    `report_html_test: ${CHROMIUM} is absent, so the HTML report is not checked in a browser ` +
      `(install it with: apt-get install -y chromium)`,
  );
}

async function writeReport(): Promise<{ path: string; runId: string }> {
  const f = await openFixture();
  try {
    await f.orchestrator.run(benchmark());
    const spec = benchmark();
    spec.slices[0].scores!.push({ name: "again", parse: "num", metrics: [{ id: "exact_match" }] });
    const result = await f.orchestrator.run(spec);
    const path = join(await Deno.makeTempDir({ prefix: "themis-html-" }), "report.html");
    const out = await runCli(["report", result.runId, "--store", f.store.root, "--out", path]);
    assert.equal(out.code, 0, out.stderr);
    return { path, runId: result.runId };
  } finally {
    f.close();
  }
}

Deno.test({
  name: "the HTML report renders offline in Chromium: charts, item search, candidate timelines",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { path, runId } = await writeReport();
    const html = await Deno.readTextFile(path);
    assert.doesNotMatch(
      html,
      /(src|href)\s*=\s*["']?(https?:)?\/\//i,
      "nothing loads from the network",
    );
    assert.doesNotMatch(html, /<link\b/i);
    const context = await launchChromium({ width: 1200, offline: true });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await page.goto(`file://${path}`);
      assert.equal(await page.title(), `fixture — run ${runId}`);
      assert.deepEqual(
        await page.locator("svg.chart").evaluateAll((svgs) =>
          svgs.map((s) => s.getAttribute("data-chart"))
        ),
        ["leaderboard", "heatmap", "paired"],
      );
      assert.equal(await page.locator("svg[data-chart=leaderboard] rect.bar").count(), 3);
      assert.equal(await page.locator("svg[data-chart=heatmap] rect.cell").count(), 6);
      // echo and flaky against the solver on both slices: the echo's unparsed text answers
      // count as wrong (0), so echo/text has pairs too.
      assert.equal(await page.locator("svg[data-chart=paired] circle.point").count(), 4);
      const box = await page.locator("svg[data-chart=heatmap]").boundingBox();
      assert.ok(
        box && box.width > 300 && box.height > 60,
        "the heatmap is drawn at a readable size",
      );

      const rows = page.locator("#items tbody tr");
      assert.equal(await rows.count(), 42);
      assert.equal(await page.locator("#item-count").textContent(), "42 of 42 rows");
      await page.fill("#item-search", "t3");
      assert.equal(await page.locator("#items tbody tr:visible").count(), 3);
      assert.equal(await page.locator("#item-count").textContent(), "3 of 42 rows");
      await page.fill("#item-search", "flaky t3");
      assert.equal(await page.locator("#items tbody tr:visible").count(), 1);
      await page.fill("#item-search", "");
      await page.selectOption("#item-status", "failed");
      assert.equal(await page.locator("#items tbody tr:visible").count(), 2);
      await page.selectOption("#item-status", "");

      await page.fill("#item-search", "solver m1");
      const row = page.locator("#items tbody tr:visible").first();
      const cand = await row.getAttribute("data-cand");
      await row.click();
      const dialog = page.locator("dialog#timeline");
      assert.ok(await dialog.isVisible(), "a click opens the timeline");
      assert.equal(await page.locator("#timeline-title").textContent(), `Candidate ${cand}`);
      const text = await dialog.innerText();
      for (
        const part of [
          "Lineage",
          "Prompt",
          "1 + 1",
          "Output",
          "The answer is 2",
          "Parses",
          "Scores",
          "Events",
          "generation.completed",
          "score.completed",
        ]
      ) {
        assert.ok(text.includes(part), `the timeline shows ${part}`);
      }
      await page.click("#timeline-close");
      assert.ok(!(await dialog.isVisible()));
      await page.fill("#item-search", "");

      await Deno.mkdir(fromFileUrl(new URL("./artifacts/", import.meta.url)), { recursive: true });
      await page.screenshot({
        path: fromFileUrl(new URL("./artifacts/report.png", import.meta.url)),
        fullPage: true,
      });
      assert.deepEqual(errors, []);
      assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), [], "no network request");
    } finally {
      await context.close();
    }
  },
});
