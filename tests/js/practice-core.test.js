// Unit tests of docs/assets/js/practice-core.js, run by tests/test_practice_core.py (`node --test`).
"use strict";
process.env.TZ = "UTC";
const test = require("node:test");
const assert = require("node:assert/strict");
const P = require("../../docs/assets/js/practice-core.js");

const DAY = 864e5;
const T0 = Date.UTC(2026, 0, 10, 15, 30);       // 10 Jan 2026, 15:30 local (UTC)

function run(grades, t = T0) {
  let s = null;
  const out = [];
  for (const g of grades) { s = P.grade(s, g, t); out.push(s); t = Math.max(t, s.due); }
  return out;
}

test("Good from new: SM-2's 1, 6, then interval x ease (6 x 2.5 = 15, 15 x 2.5 = 37.5 -> 38)", () => {
  assert.deepEqual(run([3, 3, 3, 3]).map((s) => s.i), [1, 6, 15, 38]);
});

test("Easy: 4, 8, then i x ease x 1.3 with the ease raised by 0.15 each time", () => {
  const s = run([4, 4, 4]);
  assert.deepEqual(s.map((x) => x.i), [4, 8, 29]);           // 8 x 2.80 x 1.3 = 29.12
  assert.deepEqual(s.map((x) => x.e), [2.65, 2.8, 2.95]);
});

test("Hard grows slowly and lowers the ease; Again resets and comes back in 10 minutes", () => {
  assert.deepEqual(run([2, 2, 2, 2]).map((s) => s.i), [1, 2, 3, 4]);
  const again = P.grade(run([3, 3, 3])[2], 1, T0);
  assert.equal(again.n, 0); assert.equal(again.i, 0); assert.equal(again.l, 1);
  assert.equal(again.e, 2.3); assert.equal(again.due, T0 + 10 * 60000);
  assert.equal(P.grade(again, 3, T0).i, 1);                   // relearned: 1 day again
});

test("the ease never falls below 1.3", () => {
  let s = null;
  for (let k = 0; k < 20; k++) s = P.grade(s, 1, T0);
  assert.equal(s.e, 1.3);
});

test("due dates fall on local midnight: a card graded Good at 23:59 is due at 00:00", () => {
  const late = Date.UTC(2026, 0, 10, 23, 59);
  assert.equal(P.grade(null, 3, late).due, Date.UTC(2026, 0, 11));
  assert.equal(P.grade(null, 3, T0).due, Date.UTC(2026, 0, 11));
});

test("a bad grade is refused", () => {
  assert.throws(() => P.grade(null, 5, T0), RangeError);
});

test("session: due cards oldest first, then new ones up to the daily allowance", () => {
  const d = P.empty();
  d.settings.newPerDay = 2;
  d.cards.b = P.grade(null, 3, T0 - 3 * DAY);
  d.cards.a = P.grade(null, 3, T0 - 5 * DAY);
  d.cards.c = P.grade(null, 4, T0);                           // not due yet
  const s = P.session(d, ["a", "b", "c", "n1", "n2", "n3"], T0);
  assert.deepEqual(s.due, ["a", "b"]);
  assert.deepEqual(s.fresh, ["n1", "n2"]);
  P.countNew(d, T0); P.countNew(d, T0);
  assert.deepEqual(P.session(d, ["n1", "n2", "n3"], T0).fresh, []);
  assert.deepEqual(P.session(d, ["n1", "n2", "n3"], T0 + DAY).fresh, ["n1", "n2"]);   // a new day
});

test("stats count seen, due and mastered (interval >= 21 days)", () => {
  const d = P.empty();
  d.cards.a = run([3, 3, 3, 3])[3];                           // 38 days
  d.cards.b = P.grade(null, 1, T0 - DAY);                       // due
  assert.deepEqual(P.stats(d, ["a", "b", "c"], T0), { total: 3, seen: 2, due: 1, mastered: 1 });
});

function memoryStorage(init) {
  const m = new Map(Object.entries(init || {}));
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), m };
}

test("storage: round trip, blocked, full and corrupt never throw", () => {
  const st = memoryStorage();
  assert.equal(P.load(st).status, "new");
  const d = P.empty(); d.cards.x = P.grade(null, 3, T0);
  assert.equal(P.save(st, d), "ok");
  assert.deepEqual(P.load(st).data.cards.x, d.cards.x);
  const blocked = { getItem() { throw new Error("SecurityError"); }, setItem() { throw new Error("SecurityError"); } };
  assert.equal(P.load(blocked).status, "blocked");
  assert.equal(P.save(blocked, d), "blocked");
  const full = { getItem: () => null, setItem() { const e = new Error("full"); e.name = "QuotaExceededError"; throw e; } };
  assert.equal(P.save(full, d), "full");
  for (const bad of ["{not json", "[1,2]", '{"schema": 99}', '{"cards": {}}']) {
    const r = P.load(memoryStorage({ [P.KEY]: bad }));
    assert.equal(r.status, "corrupt", bad);
    assert.equal(r.raw, bad);
  }
});

test("migrations run from an old schema to the current one", () => {
  const saved = Object.assign({}, P.MIGRATIONS);
  try {
    // Pretend schema 0 stored {schema: 0, reviews: {id: state}}.
    P.MIGRATIONS[0] = (old) => ({ schema: 1, cards: old.reviews });
    const st = memoryStorage({ [P.KEY]: JSON.stringify({ schema: 0, reviews: { x: P.grade(null, 3, T0) } }) });
    const r = P.load(st);
    assert.equal(r.status, "ok");
    assert.equal(r.data.cards.x.i, 1);
  } finally {
    delete P.MIGRATIONS[0];
    Object.assign(P.MIGRATIONS, saved);
  }
  assert.equal(P.load(memoryStorage({ [P.KEY]: '{"schema": 0}' })).status, "corrupt");
});

test("import validates: size, JSON, schema, states, unknown cards", () => {
  const d = P.empty();
  d.cards["t#a"] = P.grade(null, 3, T0);
  d.cards["t#gone"] = P.grade(null, 3, T0);
  d.cards["t#bad"] = { n: -1 };
  const r = P.importText(JSON.stringify(d), ["t#a", "t#bad"]);
  assert.equal(r.imported, 1);
  assert.deepEqual(r.rejected.sort(), ["t#bad: invalid review state", "t#gone: no such card on this site"]);
  assert.throws(() => P.importText("x".repeat(P.MAX_IMPORT_BYTES + 1)), /1 MB/);
  assert.throws(() => P.importText("nope"), /JSON/);
  assert.throws(() => P.importText('{"schema": 7}'), /newer/);
});

test("prune drops cards that left the site", () => {
  const d = P.empty();
  d.cards.a = P.grade(null, 3, T0); d.cards.z = P.grade(null, 3, T0);
  assert.equal(P.prune(d, ["a", "b"]), 1);
  assert.deepEqual(Object.keys(d.cards), ["a"]);
});
