/**
 * `themis view` in headless Chromium (Debian `chromium` + `playwright-core`), started as a
 * user starts it (a child process): a run started during the test appears on the runs page
 * and its counts rise without a reload; the run page shows the report's charts; search
 * narrows the items (on the server); a row opens the candidate's timeline; compare shows
 * paired deltas and flips; the SQL page returns rows and refuses a write. Screenshots go to
 * test/artifacts/view-*.png. Skipped (with a message) where /usr/bin/chromium is absent:
 * `apt-get install -y chromium`.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { fromFileUrl } from "../src/cli/from_file_url.ts";
import { type BenchmarkSpecInput, createRegistry, Orchestrator } from "../mod.ts";
import { benchmark, type Fixture, openFixture } from "./results_fixture_test.ts";
import { CHROMIUM, chromiumAvailable, launchChromium } from "./support/chromium.ts";
import { startView } from "./support/view_process.ts";

const available = await chromiumAvailable();
if (!available) {
  console.warn(
    `view_browser_test: ${CHROMIUM} is absent, so themis view is not checked in a browser ` +
      `(install it with: apt-get install -y chromium)`,
  );
}

// Generous: the machine is shared; these bound a wait, they never pace the test.
const WAIT = { timeout: 120_000 };

/** Generations the test lets through one permit at a time. */
function gate() {
  let permits = 0;
  const waiting: Array<() => void> = [];
  const drain = () => {
    while (permits > 0 && waiting.length > 0) (permits--, waiting.shift()!());
  };
  return {
    release(n: number) {
      permits += n;
      drain();
    },
    wait: () => new Promise<void>((resolve) => (waiting.push(resolve), drain())),
  };
}

const LIVE_ITEMS = Array.from(
  { length: 12 },
  (_, i) => ({ id: `g${i}`, q: `${i} + 2`, answer: String(i + 2) }),
);

function liveBenchmark(): BenchmarkSpecInput {
  return {
    benchmark_id: "live",
    models: [{ model_id: "gated", provider: "gated" }],
    prompt_variants: [{ id: "plain", messages: [{ role: "user", content: "{item.q}" }] }],
    slices: [{
      slice_id: "sums",
      dataset: { kind: "inline", items: LIVE_ITEMS },
      parses: [{ name: "num", extractors: [{ id: "first_number" }] }],
      scores: [{ name: "acc", parse: "num", metrics: [{ id: "exact_match" }] }],
    }],
  };
}

function liveOrchestrator(f: Fixture, permits: ReturnType<typeof gate>): Orchestrator {
  const registry = createRegistry().registerEngine({
    id: "gated",
    async generate(request) {
      await permits.wait();
      return {
        text: `It is ${request.item.payload.answer}`,
        usage: { prompt_tokens: 3, completion_tokens: 3 },
      };
    },
  });
  return Orchestrator.fromProjectSpec({
    project_name: "fixture",
    executor: { kind: "inline" },
    execution_policy: { max_in_flight: 2 },
  }, { store: f.store, registry });
}

const artifact = (name: string) => fromFileUrl(new URL(`./artifacts/${name}`, import.meta.url));

async function shoot(page: Page, name: string, fullPage = true) {
  await Deno.mkdir(artifact(""), { recursive: true });
  await page.screenshot({ path: artifact(name), fullPage });
}

/** The generation count the runs page shows for a run. */
const generationDone = (page: Page, runId: string) =>
  page.locator(`tr[data-run="${runId}"] td[data-stage="generation"]`).getAttribute("data-done");

Deno.test({
  name: "themis view in Chromium: live runs, items, timelines, compare, SQL",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const f = await openFixture();
    const first = await f.orchestrator.run(benchmark());
    const spec = benchmark();
    spec.slices[0].scores!.push({ name: "again", parse: "num", metrics: [{ id: "exact_match" }] });
    const second = await f.orchestrator.run(spec);
    const view = await startView(["--store", f.store.root, "--poll", "200"]);
    const origin = new URL(view.url).origin;
    const context = await launchChromium();
    const errors: string[] = [];
    const foreign: string[] = [];
    try {
      const page = await context.newPage();
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("request", (r) => !r.url().startsWith(origin) && foreign.push(r.url()));

      await t.step(
        "a run started meanwhile appears and its counts rise without a reload",
        async () => {
          const navigations: string[] = [];
          page.on(
            "framenavigated",
            (frame) => frame === page.mainFrame() && navigations.push(frame.url()),
          );
          await page.goto(view.url);
          await page.waitForSelector(`tr[data-run="${second.runId}"]`, WAIT);
          assert.equal(await page.locator("#runs-table tbody tr").count(), 2);
          await page.waitForSelector("#live.on", WAIT);
          await page.evaluate(() => ((globalThis as Record<string, unknown>).themisMarker = 1));

          const permits = gate();
          const live = liveOrchestrator(f, permits);
          const runId = (await live.plan(liveBenchmark())).run_id;
          const running = live.run(liveBenchmark());
          await page.waitForSelector(`tr[data-run="${runId}"][data-status="running"]`, WAIT);
          assert.equal(await generationDone(page, runId), "0");
          permits.release(3);
          // Three generations or more: the count left 0, 1 and 2 behind.
          await page.waitForSelector(
            `tr[data-run="${runId}"] td[data-stage="generation"]` +
              `:not([data-done="0"]):not([data-done="1"]):not([data-done="2"])`,
            WAIT,
          );
          const midway = Number(await generationDone(page, runId));
          assert.ok(midway >= 3 && midway < LIVE_ITEMS.length, `counts rise by steps (${midway})`);
          await shoot(page, "view-runs-live.png");
          permits.release(LIVE_ITEMS.length);
          await running;
          await page.waitForSelector(`tr[data-run="${runId}"][data-status="finished"]`, WAIT);
          assert.equal(await generationDone(page, runId), String(LIVE_ITEMS.length));
          assert.equal(
            await page.locator(`tr[data-run="${runId}"] td[data-stage="score"]`).getAttribute(
              "data-done",
            ),
            String(LIVE_ITEMS.length),
          );
          assert.equal(
            await page.evaluate(() => (globalThis as Record<string, unknown>).themisMarker),
            1,
            "the page was never reloaded",
          );
          assert.deepEqual(navigations, [view.url], "one navigation: the first");
          await shoot(page, "view-runs.png");
        },
      );

      await t.step("the run page shows the report and searches items on the server", async () => {
        await page.click(`tr[data-run="${second.runId}"] a`);
        await page.waitForSelector("#overview svg[data-chart=paired]", WAIT);
        assert.deepEqual(
          await page.locator("#overview svg.chart").evaluateAll((s) =>
            s.map((x) => x.getAttribute("data-chart"))
          ),
          ["leaderboard", "heatmap", "paired"],
        );
        assert.match(await page.locator("#run-head").innerText(), /finished/);
        const count = page.locator("#item-count");
        await page.waitForSelector("#items tbody tr[data-cand]", WAIT);
        assert.equal(await count.textContent(), "1–42 of 42 trials");
        assert.equal(await page.locator("#items tbody tr").count(), 42);
        await page.fill("#item-search", "t3");
        await page.waitForSelector('#items[data-matching="3"]', WAIT);
        assert.equal(await page.locator("#items tbody tr").count(), 3);
        assert.equal(await count.textContent(), "1–3 of 3 matching · 3 of 42 trials");
        assert.match(page.url(), /\?q=t3$/, "the address keeps the search");
        await page.fill("#item-search", "flaky t3");
        await page.waitForSelector('#items[data-matching="1"]', WAIT);
        await page.fill("#item-search", "");
        await page.selectOption("#item-status", "failed");
        await page.waitForSelector('#items[data-matching="2"]', WAIT);
        assert.deepEqual(
          await page.locator("#items tbody tr").evaluateAll((rows) =>
            rows.map((r) => r.getAttribute("data-status"))
          ),
          ["failed", "failed"],
        );
        await page.selectOption("#item-status", "");
        await page.selectOption("#item-model", "solver");
        await page.waitForSelector('#items[data-matching="14"]', WAIT);
        await page.selectOption("#item-model", "");
        await page.waitForSelector('#items[data-matching="42"]', WAIT);
        await shoot(page, "view-run.png");
      });

      await t.step("a row opens the candidate's timeline", async () => {
        await page.fill("#item-search", "solver m1");
        await page.waitForSelector('#items[data-matching="1"]', WAIT);
        const row = page.locator("#items tbody tr[data-cand]").first();
        const cand = await row.getAttribute("data-cand");
        await row.click();
        const dialog = page.locator("dialog#timeline");
        await page.waitForSelector("#timeline-body h3", WAIT);
        assert.ok(await dialog.isVisible());
        assert.equal(await page.locator("#timeline-title").textContent(), `Candidate ${cand}`);
        const text = await dialog.innerText();
        for (
          const part of [
            "Lineage",
            "Prompt",
            "1 + 1",
            "Raw output",
            "The answer is 2",
            "Parses",
            "first_number",
            "✓ answer",
            "Scores",
            "exact_match = 1",
            "Judge calls",
            "Events",
            "generation.completed",
            "score.completed",
          ]
        ) {
          assert.ok(text.includes(part), `the timeline shows ${part}`);
        }
        await shoot(page, "view-timeline.png", false);
        await page.click("#timeline-close");
        assert.ok(!(await dialog.isVisible()));
      });

      await t.step("compare: two runs, then two models with their flipped items", async () => {
        await page.goto(`${origin}/compare?mode=runs&a=${first.runId}&b=${second.runId}`);
        await page.waitForSelector("#comparison svg[data-chart=paired]", WAIT);
        assert.match(await page.locator("#comparison h2").innerText(), /run .* − run /);
        await Promise.all([
          page.waitForURL(/mode=models/, WAIT),
          page.selectOption("#compare-models select[name=run]", second.runId),
        ]);
        await page.selectOption("#compare-models select[name=a]", "solver");
        await page.selectOption("#compare-models select[name=b]", "echo");
        await page.click("#compare-models button[type=submit]");
        await page.waitForSelector("#flips table", WAIT);
        assert.equal(await page.locator("#comparison h2").innerText(), "echo − solver");
        const flips = await page.locator("#flips tbody tr").count();
        assert.ok(flips > 0, "solver and echo disagree on some items");
        assert.match(await page.locator("#flips h2").innerText(), new RegExp(`\\(${flips}\\)`));
        await shoot(page, "view-compare.png");
      });

      await t.step("the SQL page returns rows and refuses a write", async () => {
        await page.click("nav.top a[href='/sql']");
        await page.fill(
          "#sql-query",
          "select model_id, count(*) as n from trials group by all order by 1",
        );
        await page.click("#sql-form button[type=submit]");
        await page.waitForSelector("#sql-table tbody tr", WAIT);
        assert.deepEqual(
          await page.locator("#sql-table tbody tr").evaluateAll((rows) =>
            rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent))
          ),
          [["echo", "14"], ["flaky", "14"], ["gated", "12"], ["solver", "14"]],
        );
        const csv = await page.request.get(
          new URL(await page.locator("#sql-csv").getAttribute("href") ?? "", origin).href,
        );
        assert.equal(await csv.text(), "model_id,n\necho,14\nflaky,14\ngated,12\nsolver,14\n");
        const parquet = await page.request.get(
          new URL(await page.locator("#sql-parquet").getAttribute("href") ?? "", origin).href,
        );
        assert.equal(new TextDecoder().decode((await parquet.body()).subarray(0, 4)), "PAR1");
        await shoot(page, "view-sql.png");
        await page.fill("#sql-query", "drop table trials");
        await page.press("#sql-query", "Control+Enter");
        await page.waitForSelector("#sql-result .error", WAIT);
        assert.match(await page.locator("#sql-result .error").innerText(), /SQL_READ_ONLY/);
        await shoot(page, "view-sql-refused.png");
        await page.fill("#sql-query", "select count(*) as n from trials");
        await page.click("#sql-form button[type=submit]");
        await page.waitForSelector("#sql-table", WAIT);
        assert.equal(await page.locator("#sql-table td").textContent(), "54");
      });

      assert.deepEqual(
        errors,
        ["Failed to load resource: the server responded with a status of 400 (Bad Request)"],
        "the refused write is the only failed request, and no script failed",
      );
      assert.deepEqual(foreign, [], "nothing loads from anywhere but the view");
    } finally {
      await context.close();
      const code = await view.stop();
      f.close();
      assert.equal(code, 0, view.output().stderr);
      assert.match(view.output().stdout, /themis view stopped/);
    }
  },
});
