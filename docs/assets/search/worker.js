/* Site search: a worker that speaks Material for MkDocs' search protocol (SETUP -> READY,
 * QUERY -> RESULT), so Material's search dialog, keyboard shortcuts and result list stay.
 *
 * How it matches (see scripts/site/search.py for the index it reads):
 * - Text is folded the same way on both sides: lower case, full-width -> half-width,
 *   British -ise/-isation -> -ize/-ization. Folding keeps the length, so a match in the
 *   folded text is highlighted at the same place in the original.
 * - Every query term is matched as a substring: a Chinese run anywhere (any run of
 *   characters on a page finds it, no dictionary needed), a Latin word at a word start
 *   (prefixes match as you type; plurals match their singular). A space is optional
 *   between Chinese and Latin (采样softmax = 采样 softmax), and space, "-" and "_" are
 *   interchangeable in names (cross entropy = cross-entropy = CrossEntropy).
 * - Synonyms and abbreviations come from the glossary: a query naming a term also
 *   matches its other names in both languages, and ranks the term's page first.
 * - A Chinese run that is not on any page is split into glossary terms and character
 *   pairs, so a longer question still finds the page that has most of it.
 * Ranking: rare terms count more (idf); title > heading > keywords > code names > text;
 * pages must cover the query; results in the reader's language come first.
 *
 * Runs as a Web Worker, as Material's iframe-worker shim (offline, file://), and under
 * Node for the tests (module.exports).
 */
"use strict";

(function () {
  const CJK = "\u3400-\u9fff\uf900-\ufaff";
  const CJK_RE = new RegExp(`[${CJK}]`);
  const FIELD = { title: 8, heading: 4, keywords: 2.5, code: 1.5, text: 1 };
  // Pages that mention every term but explain none: below the topic pages that match.
  const PAGE_WEIGHT = { "": 0.4, "index.html": 0.4, "glossary/": 0.4, "glossary.html": 0.4,
    "attribution/": 0.4, "attribution.html": 0.4 };
  const LAB_WEIGHT = 0.8;      // a lab repeats its topic page's terms: the page explains them
  const LAB_WORDS = /^(labs?|notebooks?|jupyter|实验|练习)$/;   // unless the reader asks for a lab

  // ---------------------------------------------------------------------------
  // Folding and query parsing
  // ---------------------------------------------------------------------------
  const SPELL_RE = /(?<=[a-z]{2})is(?=(?:ations?|e[drs]?|ing|ers)(?![a-z]))|(?<=[a-z])ys(?=(?:e[ds]?|ing)(?![a-z]))/g;

  /** Lower case, full-width ASCII to ASCII, British -is- spellings to -iz-: same length. */
  function fold(s) {
    let low = s.toLowerCase();
    if (low.length !== s.length) {                      // a few letters lower to two chars
      low = Array.from(s, ch => (ch.toLowerCase().length === ch.length ? ch.toLowerCase() : ch)).join("");
    }
    low = low.replace(/[\uff01-\uff5e]/g, ch => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
      .replace(/\u3000/g, " ")
      .replace(/\u00d7/g, "x").replace(/\u2212/g, "-")        // 3×3 = 3x3, −1 = -1
      .replace(/[\u00c0-\u024f]/g, ch => {                 // Krähenbühl = Krahenbuhl
        const base = ch.normalize("NFD")[0];
        return /[a-z]/.test(base) ? base : ch;
      });
    return low.replace(SPELL_RE, m => (m === "is" ? "iz" : "yz"));
  }

  const SPLIT_RE = /[\s,;:!?"'()\[\]{}<>\u3001\u3002\u300a-\u3011\u201c\u201d\u2018\u2019\u00b7\u2014]+/;

  function isCJK(ch) { return CJK_RE.test(ch); }

  /** Query -> terms: NFKC (full width), folded, split at spaces and punctuation. Dots,
   * hyphens, underscores, + and / stay inside a term (nn.Dropout, k-means++, 0.1+0.2). */
  function terms(query) {
    return fold(String(query).normalize("NFKC")).split(SPLIT_RE)
      .map(t => t.replace(/^[.\-_/]+|[.\-_/]+$/g, ""))
      .filter(Boolean);
  }

  /** Singular stems of an English word ("losses" -> "loss", "entropies" -> "entropy"). */
  function stems(word) {
    const out = [];
    if (!/^[a-z]+$/.test(word) || word.length < 4) return out;
    if (word.endsWith("ies")) out.push(word.slice(0, -3) + "y");
    else if (/(?:ss|sh|ch|x|z)es$/.test(word)) out.push(word.slice(0, -2));
    else if (word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us") && !word.endsWith("is")) {
      out.push(word.slice(0, -1));
    }
    return out;
  }

  /** How a name is looked up in the glossary: "cross-entropy" = "cross entropy",
   * "采样 softmax" = "采样softmax". */
  function nameKey(name) {
    return name.replace(/[\-_]+/g, " ").replace(new RegExp(`\\s+(?=[${CJK}])|(?<=[${CJK}])\\s+`, "g"), "")
      .replace(/\s+/g, " ").trim();
  }

  const OPERATOR_RE = /[\/+=*<>]/;     // 0.35/0.05 = 0.35 / 0.05

  const escapeRe = s => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  /** The regular expression that finds one alternative in folded text. */
  function altRegExp(alt) {
    let src = "";
    const chars = Array.from(alt);
    chars.forEach((ch, i) => {
      const prev = chars[i - 1];
      if (/[\s\-_]/.test(ch)) {
        if (!/[\s\-_]/.test(prev || " ")) src += "[\\s\\-_]?";
        return;
      }
      if (prev && !/[\s\-_]/.test(prev)) {
        if (isCJK(prev) !== isCJK(ch) || OPERATOR_RE.test(prev) || OPERATOR_RE.test(ch)) src += "\\s?";
        else if (/[a-z]/.test(prev) && /[0-9]/.test(ch) || /[0-9]/.test(prev) && /[a-z]/.test(ch)) src += "[\\s\\-]?";
      }
      src += escapeRe(ch);
    });
    const first = chars[0];
    const start = /[a-z0-9]/.test(first) ? "(?<![a-z0-9])" : "";
    return new RegExp(start + src, "g");
  }

  // ---------------------------------------------------------------------------
  // The index, prepared once per language
  // ---------------------------------------------------------------------------
  function prepare(data) {
    const pages = data.pages.map(p => ({
      url: p.u, title: p.t, ftitle: fold(p.t), fkeywords: fold(p.k || ""),
      sections: p.s.map(([anchor, heading, text, code]) => ({
        anchor, heading, text, code,
        fheading: fold(heading), ftext: fold(text), fcode: fold(code)
      }))
    }));
    for (const p of pages) {
      p.fall = [p.ftitle, p.fkeywords, ...p.sections.map(s => `${s.fheading}\n${s.ftext}\n${s.fcode}`)].join("\n");
    }
    const groups = data.syn.map(g => ({ names: g.n.map(n => fold(n.normalize("NFKC"))), page: g.p }));
    const byName = new Map();
    for (const g of groups) for (const n of g.names) {
      if (!byName.has(nameKey(n))) byName.set(nameKey(n), []);
      byName.get(nameKey(n)).push(g);
    }
    return { lang: data.lang, pages, groups, byName };
  }

  // ---------------------------------------------------------------------------
  // Concepts: what one part of the query means, with every way it may be written
  // ---------------------------------------------------------------------------
  function concept(label, alts, topics) {
    const uniq = [...new Set(alts.filter(Boolean))];
    return { label, alts: uniq.map((a, i) => ({ text: a, re: altRegExp(a), weight: i === 0 ? 1 : 0.9 })),
      topics: topics || [] };
  }

  function synonymConcept(label, groups, extra) {
    const alts = [label, ...(extra || [])];
    const topics = [];
    for (const g of groups) { alts.push(...g.names); if (g.page) topics.push(g.page); }
    return concept(label, alts, topics);
  }

  /** Group the terms into concepts: the longest run of terms that names a glossary term
   * becomes one concept with all its names; other terms stand alone (plus stems). */
  function concepts(index, words) {
    const out = [];
    for (let i = 0; i < words.length;) {
      let done = false;
      for (let j = Math.min(words.length, i + 5); j > i; j--) {
        const phrase = words.slice(i, j).join(" ");
        const stemmed = j - i === 1 ? stems(phrase) : [];
        const groups = index.byName.get(nameKey(phrase)) || stemmed.flatMap(s => index.byName.get(nameKey(s)) || [])
          .concat(j - i === 1 ? nameStart(index, phrase) : []);
        if (groups.length) {
          out.push(synonymConcept(phrase, groups, stemmed));
          i = j; done = true; break;
        }
      }
      if (!done) {
        const w = words[i];
        if (CJK_RE.test(w) && /[^\u3000-\u9fff\uf900-\uffef]/.test(w)) {
          // Mixed Chinese and Latin (dropout实验): each script run is a concept of its
          // own; the whole run, where a page has it, counts as a phrase (scorePages).
          const runs = w.match(new RegExp(`[${CJK}]+|[^${CJK}]+`, "g"));
          const parts = runs.flatMap(r => (isCJK(r[0]) && !index.byName.has(nameKey(r)) ? [concept(r, [r])] : concepts(index, [r])));
          parts.forEach(p => Object.assign(p, { share: 1 / parts.length, partOf: w }));
          out.push(...parts);
        } else {
          out.push(concept(w, [w, ...stems(w)]));
        }
        i++;
      }
    }
    return out;
  }

  /** The glossary term a word starts, if exactly one does ("brier" -> "brier score"). */
  function nameStart(index, word) {
    if (word.length < 4 || !/^[a-z]+$/.test(word)) return [];
    const groups = new Set();
    for (const [name, gs] of index.byName) if (name.startsWith(word + " ")) gs.forEach(g => groups.add(g));
    return groups.size === 1 ? [...groups] : [];
  }

  /** A Chinese (or mixed) term no page contains, split into what pages may contain:
   * its script runs, glossary terms inside Chinese runs, and pairs of the rest. */
  function splitConcept(index, c) {
    const parts = [];
    const runs = c.label.match(new RegExp(`[${CJK}]+|[^${CJK}]+`, "g")) || [];
    for (const run of runs) {
      if (!isCJK(run[0])) { parts.push(...concepts(index, [run])); continue; }
      let rest = "";
      for (let i = 0; i < run.length;) {
        let hit = "";
        for (let j = run.length; j > i + 1; j--) {
          if (index.byName.has(nameKey(run.slice(i, j)))) { hit = run.slice(i, j); break; }
        }
        if (hit) {
          if (rest) parts.push(...pairs(rest)), rest = "";
          parts.push(synonymConcept(hit, index.byName.get(nameKey(hit))));
          i += hit.length;
        } else { rest += run[i]; i++; }
      }
      if (rest) parts.push(...pairs(rest));
    }
    return parts.map(p => Object.assign(p, { share: 1 / Math.max(1, parts.length), partOf: c.label }));
  }

  function pairs(run) {
    if (run.length < 2) return [];
    if (run.length === 2) return [concept(run, [run])];
    const out = [];
    for (let i = 0; i + 2 <= run.length; i++) out.push(concept(run.slice(i, i + 2), [run.slice(i, i + 2)]));
    return out;
  }

  // ---------------------------------------------------------------------------
  // Matching and scoring
  // ---------------------------------------------------------------------------
  /** Best match of a concept in one folded string: 0, or a weight for how well. */
  function matchField(c, text) {
    let best = 0;
    for (const alt of c.alts) {
      alt.re.lastIndex = 0;
      let m, count = 0, whole = false;
      while ((m = alt.re.exec(text)) !== null) {
        count++;
        const next = text.charAt(m.index + m[0].length);
        if (!/[a-z0-9]/.test(next) || (next === "s" && !/[a-z]/.test(text.charAt(m.index + m[0].length + 1)))) {
          whole = true;
        }
        if (count >= 8) break;
        if (m[0].length === 0) alt.re.lastIndex++;
      }
      if (!count) continue;
      const latin = /[a-z0-9]$/.test(alt.text);
      if (latin && alt.text.length <= 2 && !whole) continue;     // "bn" must be a word, not "bnet"
      const quality = (whole || !latin ? 1 : 0.6) * alt.weight * (1 + 0.25 * Math.log(count));
      if (quality > best) best = quality;
    }
    return best;
  }

  function sectionScores(c, page) {
    if (!c.alts.some(alt => { alt.re.lastIndex = 0; return alt.re.test(page.fall); })) {
      return page.sections.map(() => 0);                  // most terms are on few pages: skip the rest
    }
    const titleHit = matchField(c, page.ftitle) * FIELD.title;
    const keyHit = matchField(c, page.fkeywords) * FIELD.keywords;
    return page.sections.map((s, i) => Math.max(
      matchField(c, s.fheading) * (i === 0 ? FIELD.title : FIELD.heading),
      matchField(c, s.ftext) * FIELD.text,
      matchField(c, s.fcode) * FIELD.code,
      i === 0 ? Math.max(titleHit, keyHit) : 0));
  }

  function rank(index, cs) {
    const n = index.pages.length;
    const matrix = cs.map(c => index.pages.map(p => sectionScores(c, p)));
    const df = matrix.map(rows => rows.filter(r => r.some(v => v > 0)).length);
    return { matrix, df, idf: df.map(d => (d ? Math.log(1 + n / d) : 0)), n };
  }

  /** Pages with their matching sections, best first. */
  function scorePages(index, cs) {
    let { matrix, idf, df } = rank(index, cs);
    // A Chinese or mixed term found on no page: split it and rank again.
    if (cs.some((c, k) => !df[k] && /[^\x00-\x7f]/.test(c.label))) {
      cs = cs.flatMap((c, k) => (!df[k] && /[^\x00-\x7f]/.test(c.label) ? splitConcept(index, c) : [c]));
      ({ matrix, idf, df } = rank(index, cs));
    }
    const weights = cs.map((c, k) => idf[k] * (c.share || 1));
    const total = weights.reduce((a, b) => a + b, 0);
    if (!total) return { pages: [], cs };
    const phrases = phraseRegExps(cs);
    const wantsLab = cs.some(c => LAB_WORDS.test(c.label));
    const pages = [];
    index.pages.forEach((page, p) => {
      const perSection = page.sections.map((_, s) => cs.reduce((sum, c, k) => sum + weights[k] * matrix[k][p][s], 0));
      let covered = 0, termScore = 0, topic = 0;
      cs.forEach((c, k) => {
        const best = Math.max(...matrix[k][p]);
        if (best > 0) { covered += weights[k]; termScore += weights[k] * best; }
        if (c.topics.includes(page.url.replace(/(\.html|index\.html)$/, "/").replace(/\/+$/, "/"))) topic += weights[k];
      });
      if (!covered) return;
      const cover = covered / total;
      let bestSection = Math.max(...perSection);
      if (phrases.length) {
        page.sections.forEach((s, i) => {
          if (phrases.some(re => [s.ftext, s.fheading, i ? "" : page.ftitle].some(f => {
            re.lastIndex = 0;
            return re.test(f);
          }))) perSection[i] *= 1.5;
        });
        bestSection = Math.max(...perSection);
      }
      // A page whose title names every concept is the page about the query.
      const named = cs.every(c => matchField(c, page.ftitle) > 0);
      const lab = /-lab(\/|\.html)$/.test(page.url);
      const weight = (PAGE_WEIGHT[page.url] || (lab && !wantsLab ? LAB_WEIGHT : 1)) * (named ? 1.25 : 1) *
        (topic > 0 && !lab ? 1.5 : 1);
      const score = ((termScore + bestSection) * cover * cover + 6 * topic) * weight;
      pages.push({ page, score, cover, perSection });
    });
    const top = Math.max(0, ...pages.map(p => p.cover));
    return { pages: pages.filter(p => p.cover >= 0.5 * top).sort((a, b) => b.score - a.score), cs };
  }

  /** Phrases whose exact occurrence in a section is worth more than its words apart:
   * the whole query when it is several Latin words, and every mixed-script term. */
  function phraseRegExps(cs) {
    const out = [...new Set(cs.map(c => c.partOf).filter(Boolean))].map(altRegExp);
    const words = cs.filter(c => !c.partOf).map(c => c.label);
    if (words.length >= 2 && words.every(w => /^[a-z0-9.\-_+]+$/.test(w))) {
      out.push(new RegExp("(?<![a-z0-9])" + words.map(escapeRe).join("[\\s\\-_]+"), "g"));
    }
    return out;
  }

  // ---------------------------------------------------------------------------
  // Results in Material's shape
  // ---------------------------------------------------------------------------
  const escapeHtml = s => s.replace(/[&<>"]/g, ch => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[ch]));

  /** ``text`` escaped, with every match of the concepts' alternatives in <mark>. */
  function highlight(text, ftext, cs, from, to) {
    const marks = [];
    for (const c of cs) for (const alt of c.alts) {
      alt.re.lastIndex = from;
      let m;
      while ((m = alt.re.exec(ftext)) !== null && m.index < to) {
        if (m[0].length) marks.push([m.index, m.index + m[0].length]); else alt.re.lastIndex++;
      }
    }
    marks.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let out = "", at = from;
    for (const [s, e] of marks) {
      if (s < at) continue;
      const end = Math.min(e, to);
      out += escapeHtml(text.slice(at, s)) + "<mark>" + escapeHtml(text.slice(s, end)) + "</mark>";
      at = end;
    }
    return out + escapeHtml(text.slice(at, to));
  }

  /** About 200 characters of a section around its first match. */
  function snippet(section, cs) {
    let first = -1;
    for (const c of cs) for (const alt of c.alts) {
      alt.re.lastIndex = 0;
      const m = alt.re.exec(section.ftext);
      if (m && (first < 0 || m.index < first)) first = m.index;
    }
    const text = section.text;
    if (first < 0) first = 0;
    let from = Math.max(0, first - 60);
    let to = Math.min(text.length, from + 220);
    if (from > 0) { const sp = text.indexOf(" ", from); if (sp > 0 && sp < first && !CJK_RE.test(text[from])) from = sp + 1; }
    const body = highlight(text, section.ftext, cs, from, to);
    return `<p>${from > 0 ? "… " : ""}${body}${to < text.length ? " …" : ""}</p>`;
  }

  function items(result, cs, prefix, tag) {
    return result.pages.map(({ page, score, perSection }) => {
      const docs = [];
      const order = perSection.map((s, i) => [s, i]).filter(([s, i]) => s > 0 && i > 0)
        .sort((a, b) => b[0] - a[0]).slice(0, 5);
      order.push([perSection[0], 0]);                    // the page itself, always (Material needs it)
      order.sort((a, b) => b[0] - a[0]);
      for (const [s, i] of order) {
        const section = page.sections[i];
        const found = {};
        for (const c of cs) found[c.partOf || c.label] = found[c.partOf || c.label] || matchAny(c, section, page, i);
        docs.push({
          location: prefix + page.url + (section.anchor ? "#" + section.anchor : ""),
          title: i === 0 ? highlight(page.title, page.ftitle, cs, 0, page.title.length)
            : highlight(section.heading, section.fheading, cs, 0, section.heading.length),
          text: s > 0 ? snippet(section, cs) : "",
          score: i === 0 ? score : score * (s / Math.max(...perSection)),
          terms: found,
          ...(tag ? { tags: [tag] } : {})
        });
      }
      return docs;
    });
  }

  function matchAny(c, section, page, i) {
    return [section.fheading, section.ftext, section.fcode].concat(i === 0 ? [page.ftitle, page.fkeywords] : [])
      .some(f => matchField(c, f) > 0);
  }

  /** Edit distance with a cut-off (for "did you mean"). */
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      prev = cur;
    }
    return prev[b.length];
  }

  const NO_MATCH = {
    en: (q, near) => ({ title: `Nothing on the site matches “${escapeHtml(q)}”`,
      text: `<p>${near.length ? `Did you mean <mark>${near.map(escapeHtml).join("</mark>, <mark>")}</mark>? ` : ""}` +
        "The glossary lists every term in English and Chinese, with the page that explains it.</p>" }),
    zh: (q, near) => ({ title: `站内没有找到“${escapeHtml(q)}”`,
      text: `<p>${near.length ? `你是不是要找 <mark>${near.map(escapeHtml).join("</mark>、<mark>")}</mark>？` : ""}` +
        "术语表按中英文列出了全站的术语，并链接到讲解它的页面。</p>" })
  };

  function noMatch(index, query, glossary) {
    const q = terms(query).join(" ");
    const near = [];
    if (q.length >= 3) {
      const scored = [];
      for (const name of index.byName.keys()) {
        const d = distance(q, name, 2);
        if (d <= (q.length > 5 ? 2 : 1)) scored.push([d, name]);
      }
      scored.sort((a, b) => a[0] - b[0]);
      near.push(...scored.slice(0, 3).map(([, n]) => n));
    }
    const msg = NO_MATCH[index.lang === "zh" ? "zh" : "en"](String(query).trim(), near);
    return [[{ location: glossary || "glossary/", title: msg.title, text: msg.text, score: 0, terms: {} }]];
  }

  /** Material's SearchResult for a query: the reader's language first, then the other. */
  function search(own, other, query, glossary) {
    const words = terms(query);
    if (!words.length) return { items: [] };
    const cs = concepts(own, words);
    const mine = scorePages(own, cs);
    let list = items(mine, mine.cs, "", null);
    if (other) {
      const theirs = scorePages(other, concepts(other, words));
      const full = { pages: theirs.pages.filter(p => p.cover >= 0.999).slice(0, 5) };
      const prefix = own.lang === "en" ? other.lang + "/" : "../";
      list = list.concat(items(full, theirs.cs, prefix, other.lang === "zh" ? "中文" : "English"));
    }
    if (!list.length) list = noMatch(own, query, glossary);
    return { items: list, suggest: [] };
  }

  // ---------------------------------------------------------------------------
  // The worker: loads the reader's language on the first real query, the other after
  // ---------------------------------------------------------------------------
  const api = { fold, terms, stems, prepare, concepts, search, altRegExp };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (typeof importScripts !== "function") return;

  const SELF = (typeof document !== "undefined" && document.currentScript && document.currentScript.src) ||
    self.location.href;
  let setup = null;
  const ready = {};

  const loading = {};

  /** The prepared index of ``lang``, loaded once even when queries overlap (the offline
   * shim's importScripts is asynchronous, so a second query can arrive meanwhile). */
  function load(lang) {
    const file = setup && setup.files[lang];
    if (!file) return Promise.resolve(null);
    loading[lang] = loading[lang] || (async () => {
      await importScripts(new URL(file, SELF).href);
      ready[lang] = prepare(self.__dlSearch[lang]);
      delete self.__dlSearch[lang];
      return ready[lang];
    })();
    return loading[lang];
  }

  async function handle(message) {
    if (message.type === 0) {                            // SETUP
      setup = (message.data.config && message.data.config.dl) || null;
      return { type: 1 };                                 // READY: the index loads on the first query
    }
    if (message.type === 2) {                            // QUERY
      const query = message.data;
      if (!setup || !terms(query).length) return { type: 3, data: { items: [] } };
      const own = await load(setup.lang);
      const otherLang = setup.lang === "en" ? "zh" : "en";
      let other = ready[otherLang] || null;
      let data = search(own, other, query, setup.glossary);
      if (!other && (data.items.length === 0 || data.items[0][0].score === 0)) {
        other = await load(otherLang);                   // nothing here: try the other language now
        data = search(own, other, query, setup.glossary);
      } else if (!other) {
        setTimeout(() => load(otherLang), 2000);         // its results, after ours, from the next query on
      }
      return { type: 3, data };
    }
    throw new TypeError("unknown search message type " + message.type);
  }

  addEventListener("message", async ev => {
    try {
      postMessage(await handle(ev.data));
    } catch (err) {
      console.warn("search:", err);
      postMessage({ type: 3, data: { items: [] } });
    }
  });
})();
