import assert from "node:assert/strict";
import { csvCell, latexEscape, toCsv } from "./render_text.ts";
import { escapeHtml } from "./html_charts.ts";
import { scriptJson } from "./render_html.ts";

Deno.test("CSV cells quote commas, quotes and line breaks, and write objects as JSON", () => {
  assert.equal(
    toCsv(["a", "b"], [[1, 'say "hi", then\nleave'], [null, { x: 1 }]]),
    'a,b\n1,"say ""hi"", then\nleave"\n,"{""x"":1}"\n',
  );
  assert.equal(csvCell(undefined), "");
});

Deno.test("LaTeX escaping covers every special character", () => {
  assert.equal(
    latexEscape("a_b & 50% $x$ #1 {y} ~ ^ \\ 2×3"),
    "a\\_b \\& 50\\% \\$x\\$ \\#1 \\{y\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} 2$\\times$3",
  );
});

Deno.test("HTML text and embedded JSON cannot break out of their element", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
  const json = scriptJson({ text: "</script><script>alert(1)</script>" });
  assert.ok(!json.includes("</script"));
  assert.deepEqual(JSON.parse(json), { text: "</script><script>alert(1)</script>" });
});
