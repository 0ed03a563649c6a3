// Run a query set through the search worker's engine under Node, against a built site.
// usage: node tests/search/recall.js SITE_DIR QUERIES.tsv  ->  one JSON line per query:
// {"lang", "query", "expected", "found": [top page paths, best first]}
"use strict";
const fs = require("fs");
const path = require("path");

const [site, queries] = process.argv.slice(2);
const engine = require(path.resolve(site, "assets/search/worker.js"));
global.self = {};
const stub = JSON.parse(fs.readFileSync(path.join(site, "search/search_index.json"), "utf8")).config.dl;
const index = {};
for (const [lang, file] of Object.entries(stub.files)) {
  require(path.resolve(site, "assets/search", file));
  index[lang] = engine.prepare(self.__dlSearch[lang]);
}
const pageOf = loc => loc.replace(/#.*$/, "").replace(/^(\.\.\/|zh\/)/, "").replace(/\/$/, "");
for (const line of fs.readFileSync(queries, "utf8").split("\n").slice(1)) {
  if (!line.trim() || line.startsWith("#")) continue;
  const [lang, query, expected] = line.split("\t");
  const other = index[lang === "en" ? "zh" : "en"];
  const t0 = process.hrtime.bigint();
  const result = engine.search(index[lang], other, query);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const found = result.items.filter(group => !(group[0].tags || []).length).map(group => pageOf(group.find(d => !d.location.includes("#")).location));
  process.stdout.write(JSON.stringify({ lang, query, expected, found, ms }) + "\n");
}
