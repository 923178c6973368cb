import assert from "node:assert/strict";
import { parseCsvHeader } from "./read_csv_header.ts";

Deno.test("parseCsvHeader() reads quoted names, doubled quotes, delimiters inside quotes and CRLF", () => {
  assert.deepEqual(parseCsvHeader('id,"a ""b""","c,d"\r\n1,2,3\r\n', ","), ["id", 'a "b"', "c,d"]);
  assert.deepEqual(parseCsvHeader("id\tquestion\n", "\t"), ["id", "question"]);
  assert.deepEqual(parseCsvHeader('"multi\nline",b\n', ","), ["multi\nline", "b"]);
});

Deno.test("parseCsvHeader() is undefined until the first record ends", () => {
  assert.equal(parseCsvHeader("id,quest", ","), undefined);
  assert.equal(parseCsvHeader('id,"open\n', ","), undefined);
});
