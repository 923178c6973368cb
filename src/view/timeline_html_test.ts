import assert from "node:assert/strict";
import type { CandidateTimeline } from "../results/candidate_timeline.ts";
import { timelineHtml } from "./timeline_html.ts";

const origin = { status: "completed" as const, run: "r1", reusedFrom: null, skipReason: null };

function timeline(text: string): CandidateTimeline {
  return {
    cand: "c1",
    sample: 0,
    lineage: {
      run: "r1",
      generatedIn: "r1",
      reusedFrom: null,
      plannedIn: ["r1"],
      trial: "t1",
      model: "solver",
      provider: "mock",
      slice: "math",
      promptVariant: "plain",
      paramsIndex: 0,
      params: {},
      itemId: "m1",
      dimensions: {},
    },
    prompt: [{ role: "user", content: "What is 1 + 1?" }],
    item: { id: "m1", answer: "2" },
    candidate: {
      ...origin,
      cand: "c1",
      sample: 0,
      text,
      finishReason: "stop",
      tokensIn: 7,
      tokensOut: 5,
      latencyMs: 12,
      cost: null,
      parses: [{
        ...origin,
        hash: "p1",
        name: "num",
        answer: 2,
        extractor: "last_number",
        attempts: [
          { extractor: "json_field", ok: false, error: "no JSON object in the text" },
          { extractor: "last_number", ok: true },
        ],
      }],
      scores: [{ ...origin, hash: "s1", name: "judged", parseHash: null, metrics: { verdict: 1 } }],
    },
    details: { s1: { verdict: { reason: "right" } } },
    judgeCalls: [{
      callId: "j1",
      scoreHash: "s1",
      metric: "verdict",
      model: "judge",
      provider: "mock",
      messages: [{ role: "user", content: "Is <b>2</b> right?" }],
      text: "VERDICT: yes",
      tokensIn: 9,
      tokensOut: 2,
      latencyMs: 3,
      run: "r1",
    }],
    errors: [{
      type: "attempt.retried",
      overlay: "gen",
      code: "PROVIDER_TIMEOUT",
      message: "slow",
      attempt: 1,
      run: "r1",
      ts: "2026-01-01T00:00:00.000Z",
    }],
    events: [{
      v: 2,
      seq: 4,
      ts: "2026-01-01T00:00:01.000Z",
      run: "r1",
      type: "generation.completed",
      trial: "t1",
      cand: "c1",
      overlay: "gen",
      data: {
        sample: 0,
        text,
        finish_reason: "stop",
        usage: { prompt_tokens: 7, completion_tokens: 5 },
        latency_ms: 12,
        attempts: 2,
        meta: {},
      },
    }],
  };
}

Deno.test("timelineHtml shows every parse attempt, the judge's prompt and verdict, errors and events", () => {
  const html = timelineHtml(timeline("It is 2"));
  for (
    const part of [
      "<h3>Lineage</h3>",
      "<b>user:</b> What is 1 + 1?",
      "<pre>It is 2</pre>",
      "7 tokens in, 5 out · 12 ms · finish: stop",
      "<td>json_field</td><td>✗ no answer</td><td>no JSON object in the text</td>",
      "<td>last_number</td><td>✓ answer</td>",
      'answer <code>2</code> <span class="muted">by last_number</span>',
      "verdict = 1",
      "verdict: <code>{&quot;reason&quot;:&quot;right&quot;}</code>",
      "<summary>verdict · judge",
      "<b>user:</b> Is &lt;b&gt;2&lt;/b&gt; right?",
      "<pre>VERDICT: yes</pre>",
      "<td>PROVIDER_TIMEOUT</td><td>slow</td>",
      "<td>generation.completed</td>",
    ]
  ) {
    assert.ok(html.includes(part), `the timeline shows ${part}`);
  }
});

Deno.test("timelineHtml escapes what a model wrote: no markup from an output runs", () => {
  const html = timelineHtml(timeline(`<img src=x onerror="alert(1)"><script>alert(2)</script>`));
  assert.doesNotMatch(html, /<img|<script/);
  assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;"));
});
