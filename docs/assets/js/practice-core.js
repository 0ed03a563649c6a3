// Practice mode, the logic without the page: the SM-2 scheduler, the stored progress
// (schema, migrations, validation, import) and per-topic counts. No DOM, no network:
// the same file runs in the browser (window.DLPractice) and under `node --test`.
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.DLPractice = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var SCHEMA = 1;
  var KEY = "dlnotes-practice";
  var MINUTE = 60000;
  var AGAIN_MINUTES = 10;        // a failed card comes back in the same session
  var MASTERED_DAYS = 21;        // Anki's "mature" threshold
  var MIN_EASE = 1.3, START_EASE = 2.5;
  var MAX_IMPORT_BYTES = 1 << 20;

  // Migrations: MIGRATIONS[n] turns schema n into schema n + 1. Schema 1 is the first
  // published layout, so the table is empty; a future schema 2 adds MIGRATIONS[1].
  var MIGRATIONS = {};

  function localDay(t, add) {    // local midnight, `add` days after the day of t
    var d = new Date(t);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() + (add || 0)).getTime();
  }
  function dayKey(t) {
    var d = new Date(t);
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  // SM-2 (Wozniak 1990) with Anki's four buttons. A card's state: n successful reviews in a
  // row, i the interval in days, e the ease factor, l lapses, due (ms), last review (ms).
  //   Again: n = 0, ease - 0.20, due in 10 minutes.
  //   Hard:  interval 1 day if new, else max(i + 1, round(1.2 i)); ease - 0.15.
  //   Good:  1 day, then 6 days, then round(i * ease)      (SM-2's I(1), I(2), I(n)); ease kept.
  //   Easy:  4 days, then 8, then round(i * ease * 1.3);  ease + 0.15.
  // Intervals count local days: a card due in 1 day is due at the next local midnight.
  function interval(s, g) {
    var n = s ? s.n : 0, i = s ? s.i : 0, e = s ? s.e : START_EASE;
    if (g === 1) return 0;
    if (g === 2) return n === 0 ? 1 : Math.max(i + 1, Math.round(i * 1.2));
    if (g === 3) return n === 0 ? 1 : n === 1 ? 6 : Math.max(i + 1, Math.round(i * e));
    return n === 0 ? 4 : n === 1 ? 8 : Math.max(i + 1, Math.round(i * e * 1.3));
  }
  function grade(s, g, now) {
    if (g !== 1 && g !== 2 && g !== 3 && g !== 4) throw new RangeError("grade must be 1-4, got " + g);
    var e = s ? s.e : START_EASE, l = s ? s.l : 0, n = s ? s.n : 0;
    var i = interval(s, g);
    e = Math.max(MIN_EASE, Math.round((e + [0, -0.2, -0.15, 0, 0.15][g]) * 100) / 100);
    if (g === 1) return { n: 0, i: 0, e: e, l: l + 1, due: now + AGAIN_MINUTES * MINUTE, last: now };
    return { n: n + 1, i: i, e: e, l: l, due: localDay(now, i), last: now };
  }
  // What each button would do, for its label: minutes for Again, days otherwise.
  function preview(s) {
    return [1, 2, 3, 4].map(function (g) { return g === 1 ? { minutes: AGAIN_MINUTES } : { days: interval(s, g) }; });
  }

  function empty() {
    return { schema: SCHEMA, cards: {}, settings: { newPerDay: 10 }, newDay: { d: "", n: 0 }, mocks: [], quiz: {} };
  }
  function isObj(x) { return x !== null && typeof x === "object" && !Array.isArray(x); }
  function num(x) { return typeof x === "number" && isFinite(x); }
  function validCard(c) {
    return isObj(c) && num(c.n) && c.n >= 0 && num(c.i) && c.i >= 0 && c.i < 36500 && num(c.e) &&
      c.e >= MIN_EASE && c.e <= 10 && num(c.l) && c.l >= 0 && num(c.due) && num(c.last);
  }

  // Parsed JSON -> {data, rejected: [reasons]} or throws Error(message) when it is not ours.
  function upgrade(raw) {
    if (!isObj(raw) || !num(raw.schema)) throw new Error("not practice progress (no schema version)");
    if (raw.schema > SCHEMA) throw new Error("saved by a newer version of the site (schema " + raw.schema + ")");
    var v = raw.schema;
    while (v < SCHEMA) {
      if (!MIGRATIONS[v]) throw new Error("schema " + v + " cannot be upgraded");
      raw = MIGRATIONS[v](raw);
      v += 1;
    }
    var out = empty(), rejected = [];
    if (isObj(raw.cards)) {
      Object.keys(raw.cards).forEach(function (id) {
        if (validCard(raw.cards[id])) out.cards[id] = raw.cards[id];
        else rejected.push(id + ": invalid review state");
      });
    }
    if (isObj(raw.settings) && num(raw.settings.newPerDay) && raw.settings.newPerDay >= 0 && raw.settings.newPerDay <= 500)
      out.settings.newPerDay = Math.round(raw.settings.newPerDay);
    if (isObj(raw.newDay) && typeof raw.newDay.d === "string" && num(raw.newDay.n)) out.newDay = { d: raw.newDay.d, n: raw.newDay.n };
    if (Array.isArray(raw.mocks)) out.mocks = raw.mocks.filter(function (m) { return isObj(m) && num(m.t) && Array.isArray(m.items); }).slice(-50);
    if (isObj(raw.quiz)) Object.keys(raw.quiz).forEach(function (id) {
      var q = raw.quiz[id];
      if (isObj(q) && typeof q.ok === "boolean" && num(q.t)) out.quiz[id] = { ok: q.ok, t: q.t };
    });
    return { data: out, rejected: rejected };
  }

  // Read from a Storage-like object. status: "ok" | "new" | "blocked" | "corrupt".
  function load(storage) {
    var text;
    try { text = storage.getItem(KEY); } catch (err) { return { status: "blocked", data: empty() }; }
    if (text === null || text === undefined) return { status: "new", data: empty() };
    try {
      var res = upgrade(JSON.parse(text));
      return { status: "ok", data: res.data, rejected: res.rejected };
    } catch (err) {
      return { status: "corrupt", data: empty(), raw: text, error: String(err.message || err) };
    }
  }
  function save(storage, data) {
    try { storage.setItem(KEY, JSON.stringify(data)); return "ok"; } catch (err) {
      return err && (err.name === "QuotaExceededError" || err.code === 22) ? "full" : "blocked";
    }
  }

  // An exported file -> {data, imported, rejected}; throws Error(message) if the file is refused.
  function importText(text, knownIds) {
    if (typeof text !== "string" || text.length > MAX_IMPORT_BYTES) throw new Error("file larger than 1 MB");
    var raw;
    try { raw = JSON.parse(text); } catch (err) { throw new Error("not a JSON file"); }
    var res = upgrade(raw), known = {};
    (knownIds || []).forEach(function (id) { known[id] = true; });
    Object.keys(res.data.cards).forEach(function (id) {
      if (knownIds && !known[id]) { delete res.data.cards[id]; res.rejected.push(id + ": no such card on this site"); }
    });
    return { data: res.data, imported: Object.keys(res.data.cards).length, rejected: res.rejected };
  }

  // Cards that left the site are dropped from the schedule (new ones simply have no state).
  function prune(data, knownIds) {
    var known = {}, dropped = 0;
    knownIds.forEach(function (id) { known[id] = true; });
    Object.keys(data.cards).forEach(function (id) { if (!known[id]) { delete data.cards[id]; dropped++; } });
    return dropped;
  }

  function stats(data, ids, now) {
    var out = { total: ids.length, seen: 0, due: 0, mastered: 0 };
    ids.forEach(function (id) {
      var s = data.cards[id];
      if (!s) return;
      out.seen++;
      if (s.due <= now) out.due++;
      if (s.i >= MASTERED_DAYS) out.mastered++;
    });
    return out;
  }

  // The session: due cards (oldest first), then new cards in page order up to today's allowance.
  function session(data, ids, now) {
    var due = [], fresh = [];
    ids.forEach(function (id) {
      var s = data.cards[id];
      if (!s) fresh.push(id);
      else if (s.due <= now) due.push(id);
    });
    due.sort(function (a, b) { return data.cards[a].due - data.cards[b].due; });
    var today = dayKey(now);
    var used = data.newDay.d === today ? data.newDay.n : 0;
    var allowance = Math.max(0, data.settings.newPerDay - used);
    return { due: due, fresh: fresh.slice(0, allowance), waiting: fresh.length };
  }
  function countNew(data, now) {
    var today = dayKey(now);
    if (data.newDay.d !== today) data.newDay = { d: today, n: 0 };
    data.newDay.n++;
  }
  function nextDue(data, ids) {
    var t = Infinity;
    ids.forEach(function (id) { var s = data.cards[id]; if (s && s.due < t) t = s.due; });
    return t === Infinity ? null : t;
  }

  return {
    SCHEMA: SCHEMA, KEY: KEY, MASTERED_DAYS: MASTERED_DAYS, MIGRATIONS: MIGRATIONS, MAX_IMPORT_BYTES: MAX_IMPORT_BYTES,
    grade: grade, interval: interval, preview: preview, localDay: localDay, dayKey: dayKey,
    empty: empty, upgrade: upgrade, load: load, save: save, importText: importText, prune: prune,
    stats: stats, session: session, countNew: countNew, nextDue: nextDue
  };
});
