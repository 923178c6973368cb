import assert from "node:assert/strict";
import { SandboxOutput } from "./sandbox_output.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("SandboxOutput separates nonce lines from the program's output, across chunk boundaries", () => {
  const out = new SandboxOutput("abc123", 10_000);
  const stream = 'hello\n\nabc123 {"type":"ready","ms":0}\nno newline\nabc123 {"type":"test",' +
    '"index":0,"outcome":{"ok":true},"ms":3}\n\n\nblank lines kept\n';
  // Feed one byte at a time: lines and UTF-8 split anywhere must come out whole.
  for (const byte of bytes(stream + "é")) out.stdout(new Uint8Array([byte]));
  out.stderr(bytes("warning\n"));
  out.end();
  assert.deepEqual(out.lines, [
    { type: "ready", ms: 0 },
    { type: "test", index: 0, outcome: { ok: true }, ms: 3 },
  ]);
  assert.equal(out.stdoutText(), "hello\nno newline\n\n\nblank lines kept\né");
  assert.equal(out.stderrText(), "warning\n");
});

Deno.test("SandboxOutput treats a line with another nonce, or broken JSON, as the program's output", () => {
  const out = new SandboxOutput("real", 10_000);
  out.stdout(bytes('fake {"type":"done","kind":null,"message":null,"ms":0}\nreal {"type":"do\n'));
  out.end();
  assert.deepEqual(out.lines, []);
  assert.equal(
    out.stdoutText(),
    'fake {"type":"done","kind":null,"message":null,"ms":0}\nreal {"type":"do\n',
  );
});

Deno.test("SandboxOutput counts the program's bytes (not the protocol's) against the cap", () => {
  const out = new SandboxOutput("n", 10);
  out.stdout(bytes('\nn {"type":"ready","ms":0}\n'));
  assert.equal(out.overflowed, false);
  out.stdout(bytes("0123456789"));
  assert.equal(out.overflowed, false);
  out.stderr(bytes("!"));
  assert.equal(out.overflowed, true);
});

Deno.test("SandboxOutput keeps the start and the end of a long output and says what it left out", () => {
  const out = new SandboxOutput("n", 1e9);
  out.stdout(bytes("A".repeat(3000) + "B".repeat(3000) + "C".repeat(3000)));
  out.end();
  assert.equal(
    out.stdoutText(),
    "A".repeat(2000) + "\n… 5000 characters left out …\n" + "C".repeat(2000),
  );
});
