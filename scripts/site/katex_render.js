// Render TeX to HTML at build time with the vendored KaTeX (called by scripts/site/math.py).
// stdin: JSON [[tex, displayMode], ...]; stdout: JSON [{html} | {error}, ...] in the same order.
"use strict";
const path = require("path");
const katex = require(path.join(__dirname, "..", "..", "docs", "assets", "vendor", "katex", "katex.min.js"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(([tex, display]) => {
    try {
      return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, output: "htmlAndMathml" }) };
    } catch (err) {
      return { error: String(err.message || err) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
