import assert from "node:assert/strict";
import { isThemisError, type ThemisError } from "../../core/errors.ts";
import type { JsonObject } from "../../core/json.ts";
import type { ChatMessage, GenerationRequest } from "../types.ts";
import { testModelPath } from "../../../test/support/gguf.ts";
import { llamaCppEngine } from "./llama_cpp.ts";

const QUESTION: ChatMessage[] = [{ role: "user", content: "What is 2+2?" }];

async function request(
  params: JsonObject = {},
  extras: JsonObject = {},
  messages: ChatMessage[] = QUESTION,
): Promise<GenerationRequest> {
  return {
    model: {
      model_id: "tiny",
      provider: "llama_cpp",
      extras: { model_path: await testModelPath(), ...extras },
    },
    messages,
    params: { max_tokens: 16, ...params },
    seed: 11,
    trialId: "t",
    candidateId: "c",
    sampleIndex: 0,
    item: { id: "i", payload: {} },
  };
}

const generate = async (params: JsonObject = {}, extras: JsonObject = {}, m = QUESTION) =>
  llamaCppEngine.generate(await request(params, extras, m), {});

async function failure(promise: Promise<unknown>): Promise<ThemisError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isThemisError(error), String(error));
    return error;
  }
  assert.fail("expected the call to fail");
}

Deno.test("llamaCppEngine stops at a stop sequence and leaves it out", async () => {
  const free = await generate();
  const words = free.text.split(" ").filter((w) => w.length > 2);
  const stop = words[1];
  assert.ok(stop, `no second word in ${JSON.stringify(free.text)}`);
  const stopped = await generate({ stop: [stop, "never-generated"] });
  assert.equal(stopped.text, free.text.slice(0, free.text.indexOf(stop)));
  assert.equal(stopped.finish_reason, "stop");
  assert.equal(stopped.meta?.stop_reason, "customStopTrigger");
});

Deno.test("llamaCppEngine follows a GBNF grammar and refuses a broken one", async () => {
  const answer = await generate({ grammar: 'root ::= "yes" | "no"' });
  assert.ok(["yes", "no"].includes(answer.text), answer.text);
  assert.equal(answer.finish_reason, "stop");
  const broken = await failure(generate({ grammar: "root ::= undefined-rule" }));
  assert.equal(broken.code, "PROVIDER_BAD_REQUEST");
  assert.match(broken.message, /the grammar \(GBNF\) cannot be used/);
  const both = await failure(generate({ grammar: 'root ::= "a"', response_format: "json" }));
  assert.equal(both.code, "PROVIDER_BAD_REQUEST");
  assert.match(both.message, /either the inference param response_format or grammar/);
});

Deno.test("llamaCppEngine counts the prompt's tokens with the model's tokenizer", async () => {
  const one = await generate({ max_tokens: 1 });
  const longer = await generate({ max_tokens: 1 }, {}, [
    { role: "system", content: "Be brief." },
    ...QUESTION,
  ]);
  // Counted by the model's own (deterministic) tokenizer over the prompt its chat template
  // renders: "user: What is 2+2?\nassistant:", and the same after a "system: Be brief.\n" line.
  assert.deepEqual(one.usage, { prompt_tokens: 15, completion_tokens: 1 });
  assert.deepEqual(longer.usage, { prompt_tokens: 23, completion_tokens: 1 });
});

Deno.test("llamaCppEngine refuses a prompt longer than the context", async () => {
  const long = [{ role: "user" as const, content: "two plus two ".repeat(200) }];
  const error = await failure(generate({}, { context_size: 256 }, long));
  assert.equal(error.code, "PROVIDER_BAD_REQUEST");
  assert.match(error.message, /the prompt has \d+ tokens and the context holds 256; raise/);
  const fits = await generate({ max_tokens: 4 }, { context_size: 256 });
  assert.equal(fits.meta?.context_size, 256);
});

Deno.test("llamaCppEngine answers concurrent calls one at a time, as if alone", async () => {
  const params: JsonObject[] = [{ temperature: 0 }, { temperature: 0.9, seed: 3 }, {
    temperature: 0.9,
  }];
  const alone = [];
  for (const p of params) alone.push((await generate(p)).text);
  const together = await Promise.all(params.map((p) => generate(p)));
  assert.deepEqual(together.map((o) => o.text), alone);
});

Deno.test("llamaCppEngine: a call waiting its turn gives up when its signal aborts", async () => {
  let longEnded = false;
  const long = failure(
    llamaCppEngine.generate(await request({ max_tokens: 100_000 }), {
      signal: AbortSignal.timeout(2000),
    }),
  ).finally(() => (longEnded = true));
  const waiting = await failure(
    llamaCppEngine.generate(await request(), { signal: AbortSignal.timeout(30) }),
  );
  assert.equal(waiting.code, "PROVIDER_TIMEOUT");
  // An order, not a deadline: a call that gave up only when its turn came would end after the
  // long one, however fast or busy the machine.
  assert.equal(longEnded, false, "the waiting call gave up only when its turn came");
  assert.equal((await long).code, "PROVIDER_TIMEOUT");
  assert.equal((await generate({ max_tokens: 2 })).usage?.completion_tokens, 2);
});

Deno.test("llamaCppEngine: a file that is not a GGUF model is a bad request", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notes.gguf`, "not a model");
    const error = await failure(generate({}, { model_path: `${dir}/notes.gguf` }));
    assert.equal(error.code, "PROVIDER_BAD_REQUEST");
    assert.match(error.message, /cannot load ".*notes\.gguf" as a GGUF model: .*GGUF magic/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llamaCppEngine.preflight names a missing model file before any call", () => {
  const model = { model_id: "m", provider: "llama_cpp", extras: { model_path: "/no/such.gguf" } };
  assert.throws(() => llamaCppEngine.preflight!(model, {}), (e: ThemisError) => {
    assert.equal(e.code, "PROVIDER_NOT_FOUND");
    assert.equal(e.details.path, "/no/such.gguf");
    return true;
  });
});

Deno.test({
  name: "llama_cpp.ts loads node-llama-cpp only on the first generation",
  ignore: Deno.build.os !== "linux", // reads /proc/self/maps
  async fn() {
    const engine = new URL("./llama_cpp.ts", import.meta.url).href;
    const script = `
      const { llamaCppEngine } = await import(${JSON.stringify(engine)});
      const loaded = () => Deno.readTextFileSync("/proc/self/maps").includes("llama-addon.node");
      const request = (model_path) => ({ model: { model_id: "m", provider: "llama_cpp",
        extras: { model_path } }, messages: [{ role: "user", content: "Hi" }],
        params: { max_tokens: 1 }, seed: 1, trialId: "t", candidateId: "c", sampleIndex: 0,
        item: { id: "i", payload: {} } });
      const missing = await llamaCppEngine.generate(request("/no/such.gguf"), {}).catch((e) => e.code);
      const before = loaded();
      await llamaCppEngine.generate(request(${JSON.stringify(await testModelPath())}), {});
      console.log(JSON.stringify({ missing, before, after: loaded() }));`;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", script],
      cwd: new URL("../../..", import.meta.url),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    assert.deepEqual(JSON.parse(stdout), {
      missing: "PROVIDER_NOT_FOUND",
      before: false,
      after: true,
    });
  },
});
