// Practice page: review (SM-2, self-graded), mock interview, spot the wrong answer, and the
// progress file. The page holds an empty shell per card (#practice-deck, built by
// scripts/site/cards.py); their rendered text is in practice-deck.js beside the page, loaded
// by a script tag (works over file://) when a session starts. The logic is practice-core.js.
// Progress stays in this browser.
(function () {
  "use strict";
  var P = window.DLPractice;
  var ZH = document.documentElement.lang === "zh";
  var T = ZH ? {
    kind: { "30s": "30 秒回答", q: "追问", fix: "原笔记更正" },
    grades: ["重来", "困难", "良好", "简单"],
    rates: ["没答上", "答了一部分", "基本答对", "完全答对"],
    inMin: function (m) { return m + " 分钟后"; },
    inDays: function (d) { return d + " 天后"; },
    status: function (d, n, w) { return "到期 " + d + " 张，今天可学新卡 " + n + " 张（未学过的共 " + w + " 张）"; },
    left: function (k, n) { return "第 " + k + " 张，共 " + n + " 张"; },
    done: function (n, when) { return "本轮完成：评了 " + n + " 张。" + (when ? "下一张到期：" + when + "。" : ""); },
    nothing: function (when) { return "现在没有到期或新的卡片。" + (when ? "下一张到期：" + when + "。" : ""); },
    graded: function (g, when) { return "评为“" + g + "”。这张卡下次到期：" + when + "。"; },
    blocked: "浏览器禁止本站存储数据，进度无法保存。仍可练习，进度只保留到离开本页。",
    full: "存储空间已满，本次进度只保存在内存中。请导出进度文件以免丢失。",
    corrupt: function (e) { return "已保存的进度无法读取（" + e + "）。原数据未被改动：可先下载备份，再重置。"; },
    backup: "下载备份", reset: "重置进度",
    resetAsk: "确定删除本浏览器中的全部练习进度吗？",
    imported: function (n, r) { return "已导入 " + n + " 张卡片的进度" + (r.length ? "；拒绝 " + r.length + " 项：" + r.slice(0, 5).join("；") + (r.length > 5 ? "……" : "") : "") + "。"; },
    importFail: function (e) { return "未导入：" + e + "。"; },
    resetDone: "进度已清空。",
    step: function (k, n) { return "第 " + k + " 题，共 " + n + " 题"; },
    summary: "本次模拟面试", colQ: "问题", colT: "用时", colR: "自评",
    reread: "建议重读：", allGood: "每题都答得不错。",
    history: "历史记录", noHistory: "还没有模拟面试记录。",
    avg: function (a) { return "平均自评 " + a + "/4"; },
    quizAsk: "下面哪一条是错的？",
    quizRight: "答对了：这正是原笔记的说法，它是错的。",
    quizWrong: "不对：你选的这条是正确的。错的是标出的那条。",
    quizNone: "这个主题还没有“找错”题。",
    quizScore: function (ok, n) { return "已答 " + n + " 题，答对 " + ok + " 题。"; },
    correction: "更正", read: "阅读原文：",
    random: "随机",
    deckFail: "卡片内容没能加载（网络断开？）。请检查连接后再点一次开始。"
  } : {
    kind: { "30s": "30-second answer", q: "Follow-up", fix: "Correction of the notes" },
    grades: ["Again", "Hard", "Good", "Easy"],
    rates: ["Missed it", "Partly", "Mostly right", "Nailed it"],
    inMin: function (m) { return "in " + m + " min"; },
    inDays: function (d) { return "in " + d + (d === 1 ? " day" : " days"); },
    status: function (d, n, w) { return d + " due, " + n + " new for today (" + w + " not started yet)"; },
    left: function (k, n) { return "card " + k + " of " + n; },
    done: function (n, when) { return "Session done: " + n + " cards graded." + (when ? " Next card due " + when + "." : ""); },
    nothing: function (when) { return "Nothing due and no new cards left for today." + (when ? " Next card due " + when + "." : ""); },
    graded: function (g, when) { return "Graded " + g + ". This card is next due " + when + "."; },
    blocked: "This browser blocks site storage, so progress cannot be saved. You can still practise; progress lasts until you leave the page.",
    full: "Storage is full: progress of this visit is kept in memory only. Export it to keep it.",
    corrupt: function (e) { return "Saved progress could not be read (" + e + "). It is left untouched: download a backup, then reset."; },
    backup: "Download a backup", reset: "Reset progress",
    resetAsk: "Delete all practice progress stored in this browser?",
    imported: function (n, r) { return "Imported progress for " + n + " cards" + (r.length ? "; rejected " + r.length + ": " + r.slice(0, 5).join("; ") + (r.length > 5 ? "…" : "") : "") + "."; },
    importFail: function (e) { return "Nothing imported: " + e + "."; },
    resetDone: "Progress cleared.",
    step: function (k, n) { return "Question " + k + " of " + n; },
    summary: "Mock interview summary", colQ: "Question", colT: "Time", colR: "Self-rating",
    reread: "Reread: ", allGood: "Every answer rated well.",
    history: "History", noHistory: "No mock interviews yet.",
    avg: function (a) { return "average " + a + "/4"; },
    quizAsk: "Which statement is wrong?",
    quizRight: "Right: that is the original notes' claim, and it is wrong.",
    quizWrong: "Not that one: the statement you picked is true. The wrong one is marked.",
    quizNone: "No spot-the-wrong-answer items for this topic yet.",
    quizScore: function (ok, n) { return n + " answered, " + ok + " right."; },
    correction: "Correction", read: "Read: ",
    random: "Random",
    deckFail: "The cards could not be loaded (offline?). Check the connection and press start again."
  };

  function $(id) { return document.getElementById(id); }
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function show(el, on) { el.hidden = !on; }
  function now() { return Date.now(); }
  function when(t) {
    if (t === null || t === undefined) return "";
    var d = new Date(t), loc = ZH ? "zh-CN" : "en-GB";
    var s = d.toLocaleDateString(loc, { year: "numeric", month: "short", day: "numeric", weekday: "short" });
    return t - now() < 864e5 && d.getHours() + d.getMinutes() > 0 ? s + " " + d.toLocaleTimeString(loc, { hour: "2-digit", minute: "2-digit" }) : s;
  }
  function shuffle(a) {
    for (var i = a.length - 1; i > 0; i--) { var j = Math.floor(Math.random() * (i + 1)); var t = a[i]; a[i] = a[j]; a[j] = t; }
    return a;
  }

  var root = $("practice");
  var deckEl = $("practice-deck");
  if (!root || !deckEl || !P) return;
  var cards = {}, order = [];
  all(".pq-card", deckEl).forEach(function (el) {
    var c = { id: el.dataset.id, kind: el.dataset.kind, topic: el.dataset.topic, tags: (el.dataset.tags || "").split("|"),
      quiz: el.hasAttribute("data-quiz"), el: el };
    cards[c.id] = c; order.push(c.id);
  });

  // ---- the cards' text, loaded once, on the first session -------------------------------
  var deck = { state: "", waiting: [] };       // "" | "loading" | "ready"
  function withDeck(fn) {
    if (deck.state === "ready") return fn();
    if (deck.waiting.indexOf(fn) < 0) deck.waiting.push(fn);     // a double click starts once
    if (deck.state === "loading") return;
    deck.state = "loading";
    root.setAttribute("aria-busy", "true");
    var s = document.createElement("script");
    s.src = deckEl.dataset.src;
    s.onload = function () {
      var got = window.DLPracticeDeck;
      root.removeAttribute("aria-busy");
      if (!got || !got.cards) return deckFailed();
      order.forEach(function (id) { cards[id].el.innerHTML = got.cards[id] || ""; });
      deck.state = "ready";
      var todo = deck.waiting; deck.waiting = [];
      todo.forEach(function (f) { f(); });
    };
    s.onerror = function () { root.removeAttribute("aria-busy"); deckFailed(); };
    document.head.appendChild(s);
  }
  function deckFailed() {
    var asked = deck.waiting.length > 0;       // a prefetch that failed says nothing: a click retries
    deck.state = ""; deck.waiting = [];
    if (asked) say(T.deckFail);
  }
  function prefetch() { if (!deck.state) { withDeck(function () {}); deck.waiting = []; } }
  ["pq-start", "pq-mock-start", "pq-quiz-next"].forEach(function (id) {
    // The reader is about to start: fetch the cards on the way to the click, not after it.
    ["pointerenter", "focus", "touchstart"].forEach(function (ev) {
      $(id).addEventListener(ev, prefetch, { once: true, passive: true });
    });
  });

  // ---- storage -----------------------------------------------------------------------
  var store = null;
  try { store = window.localStorage; } catch (err) { store = null; }
  var blockedStore = { getItem: function () { throw new Error("blocked"); }, setItem: function () { throw new Error("blocked"); } };
  var loaded = P.load(store || blockedStore);
  var data = loaded.data;
  var canSave = loaded.status === "ok" || loaded.status === "new";
  var notice = $("pq-notice");
  function say(text, buttons) {
    notice.textContent = text;
    (buttons || []).forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button"; btn.className = "md-button"; btn.textContent = b[0];
      btn.addEventListener("click", b[1]);
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(btn);
    });
    show(notice, true);
  }
  if (loaded.status === "blocked") say(T.blocked);
  if (loaded.status === "corrupt") {
    say(T.corrupt(loaded.error), [[T.backup, function () { download(loaded.raw, "dlnotes-practice-backup.json"); }],
      [T.reset, function () { resetAll(); }]]);
  }
  if (canSave) P.prune(data, order);
  function persist() {
    if (!canSave) return;
    var r = P.save(store || blockedStore, data);
    if (r !== "ok") { canSave = false; say(r === "full" ? T.full : T.blocked); }
  }
  function resetAll() {
    if (!window.confirm(T.resetAsk)) return;
    data = P.empty();
    canSave = true;
    persist();
    if (canSave) { notice.textContent = T.resetDone; }
    refresh();
  }
  function download(text, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }

  // ---- modes -------------------------------------------------------------------------
  var modes = { review: $("pq-review"), mock: $("pq-mock"), quiz: $("pq-quiz") };
  var mode = "review";
  function setMode(m) {
    mode = m;
    Object.keys(modes).forEach(function (k) { show(modes[k], k === m); });
    all(".pq-mode").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.mode === m)); });
  }
  all(".pq-mode").forEach(function (b) { b.addEventListener("click", function () { setMode(b.dataset.mode); }); });

  function pick(value) {           // "" = all, "tag:x" = a tag, else a topic path
    return order.filter(function (id) {
      var c = cards[id];
      if (!value) return true;
      if (value.indexOf("tag:") === 0) return c.tags.indexOf(value.slice(4)) >= 0;
      return c.topic === value;
    });
  }
  function fill(target, src) {
    target.innerHTML = src ? src.innerHTML : "";
  }
  function srcLink(c) { return c.el.querySelector(".pq-src a"); }

  // ---- review ------------------------------------------------------------------------
  var R = { queue: [], k: 0, total: 0, graded: 0, current: null, revealed: false };
  var topicSel = $("pq-topic"), newInput = $("pq-new");
  newInput.value = data.settings.newPerDay;
  newInput.addEventListener("change", function () {
    var v = Math.round(Number(newInput.value));
    if (!(v >= 0 && v <= 500)) { newInput.value = data.settings.newPerDay; return; }
    data.settings.newPerDay = v; persist(); refresh();
  });
  topicSel.addEventListener("change", refresh);
  function refresh() {
    var ids = pick(topicSel.value), s = P.session(data, ids, now());
    $("pq-status").textContent = T.status(s.due.length, s.fresh.length, s.waiting);
    renderHistory();
  }
  function startReview() {
    var ids = pick(topicSel.value), s = P.session(data, ids, now());
    R.queue = s.due.concat(s.fresh); R.total = R.queue.length; R.k = 0; R.graded = 0;
    R.fresh = {}; s.fresh.forEach(function (id) { R.fresh[id] = true; });
    show($("pq-done"), false);
    nextCard();
  }
  $("pq-start").addEventListener("click", function () { withDeck(startReview); });
  function nextCard() {
    var stage = $("pq-card");
    if (!R.queue.length) {
      show(stage, false);
      R.current = null;
      var ids = pick(topicSel.value);
      $("pq-done").textContent = R.graded ? T.done(R.graded, when(P.nextDue(data, ids))) : T.nothing(when(P.nextDue(data, ids)));
      show($("pq-done"), true);
      $("pq-done").focus();
      refresh();
      return;
    }
    var c = cards[R.queue.shift()];
    R.current = c; R.revealed = false; R.k++;
    $("pq-kind").textContent = T.kind[c.kind];
    var a = srcLink(c);
    $("pq-source").textContent = a ? a.textContent : "";
    $("pq-source").href = a ? a.getAttribute("href") : "#";
    $("pq-left").textContent = T.left(Math.min(R.k, R.total), R.total);
    fill($("pq-front"), c.el.querySelector(".pq-front"));
    fill($("pq-back"), c.el.querySelector(".pq-back"));
    show($("pq-back"), false); show($("pq-grades"), false); show($("pq-reveal"), true);
    var pv = P.preview(data.cards[c.id]);
    all("#pq-grades button").forEach(function (b, i) {
      var hint = pv[i].minutes ? T.inMin(pv[i].minutes) : T.inDays(pv[i].days);
      b.querySelector("small").textContent = hint;
      b.setAttribute("aria-label", T.grades[i] + " (" + (i + 1) + "), " + hint);
    });
    show(stage, true);
    $("pq-reveal").focus();
  }
  function reveal() {
    if (!R.current || R.revealed) return;
    R.revealed = true;
    show($("pq-reveal"), false); show($("pq-back"), true); show($("pq-grades"), true);
    $("pq-back").focus();
  }
  $("pq-reveal").addEventListener("click", reveal);
  function gradeCard(g) {
    if (!R.current || !R.revealed) return;
    var c = R.current, t = now();
    if (!data.cards[c.id] && R.fresh[c.id]) P.countNew(data, t);
    data.cards[c.id] = P.grade(data.cards[c.id], g, t);
    R.graded++;
    if (g === 1) { R.queue.push(c.id); R.total++; }
    persist();
    $("pq-last").textContent = T.graded(T.grades[g - 1], when(data.cards[c.id].due));
    nextCard();
  }
  all("#pq-grades button").forEach(function (b) {
    b.addEventListener("click", function () { gradeCard(Number(b.dataset.g)); });
  });

  // ---- mock interview ------------------------------------------------------------------
  var M = null, timer = null;
  var mockTopic = $("pq-mock-topic");
  function startMock() {
    var topics = [];
    all("option", mockTopic).forEach(function (o) { if (o.value) topics.push(o.value); });
    var topic = mockTopic.value || topics[Math.floor(Math.random() * topics.length)];
    var ids = pick(topic);
    var first = ids.filter(function (id) { return cards[id].kind === "30s"; });
    var follow = shuffle(ids.filter(function (id) { return cards[id].kind === "q"; })).slice(0, Number($("pq-mock-n").value) || 3);
    M = { topic: topic, items: first.concat(follow).map(function (id) { return { id: id, s: 0, r: 0 }; }), k: -1 };
    show($("pq-mock-summary"), false);
    show($("pq-mock-stage"), true);
    nextMock();
  }
  $("pq-mock-start").addEventListener("click", function () { withDeck(startMock); });
  function tick() {
    var it = M.items[M.k], s = Math.floor((now() - it.start) / 1000);
    it.s = s;
    var el = $("pq-timer");
    el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    el.classList.toggle("pq-over", M.k === 0 && s > 30);
  }
  function nextMock() {
    M.k++;
    if (M.k >= M.items.length) return finishMock();
    var it = M.items[M.k], c = cards[it.id];
    it.start = now(); M.revealed = false;
    $("pq-mock-step").textContent = T.step(M.k + 1, M.items.length);
    fill($("pq-mock-front"), c.el.querySelector(".pq-front"));
    fill($("pq-mock-back"), c.el.querySelector(".pq-back"));
    show($("pq-mock-back"), false); show($("pq-mock-rates"), false); show($("pq-mock-reveal"), true);
    $("pq-timer-limit").hidden = M.k !== 0;
    clearInterval(timer); tick(); timer = setInterval(tick, 250);
    $("pq-mock-reveal").focus();
  }
  function revealMock() {
    if (!M || M.revealed || M.k >= M.items.length) return;
    M.revealed = true;
    clearInterval(timer); tick();
    show($("pq-mock-reveal"), false); show($("pq-mock-back"), true); show($("pq-mock-rates"), true);
    $("pq-mock-back").focus();
  }
  $("pq-mock-reveal").addEventListener("click", revealMock);
  function rateMock(r) {
    if (!M || !M.revealed) return;
    M.items[M.k].r = r;
    nextMock();
  }
  all("#pq-mock-rates button").forEach(function (b) {
    b.addEventListener("click", function () { rateMock(Number(b.dataset.r)); });
  });
  function finishMock() {
    clearInterval(timer);
    show($("pq-mock-stage"), false);
    var rows = M.items.map(function (it) {
      var c = cards[it.id], a = srcLink(c);
      var q = c.el.querySelector(".pq-front").textContent.trim();
      return "<tr><td>" + esc(q) + "</td><td>" + Math.floor(it.s / 60) + ":" + String(it.s % 60).padStart(2, "0") +
        "</td><td>" + it.r + "/4 " + esc(T.rates[it.r - 1]) + "</td></tr>";
    });
    var weak = [], seenHref = {};
    M.items.forEach(function (it) {
      var a = srcLink(cards[it.id]);
      if (it.r <= 2 && a && !seenHref[a.getAttribute("href")]) {
        seenHref[a.getAttribute("href")] = true;
        weak.push('<a href="' + esc(a.getAttribute("href")) + '">' + esc(cards[it.id].el.querySelector(".pq-front").textContent.trim()) + "</a>");
      }
    });
    var box = $("pq-mock-summary");
    box.innerHTML = "<h3 tabindex=\"-1\">" + esc(T.summary) + "</h3><div class=\"md-typeset__table\"><table><thead><tr><th>" + esc(T.colQ) +
      "</th><th>" + esc(T.colT) + "</th><th>" + esc(T.colR) + "</th></tr></thead><tbody>" + rows.join("") + "</tbody></table></div>" +
      "<p>" + (weak.length ? esc(T.reread) + "</p><ul><li>" + weak.join("</li><li>") + "</li></ul>" : esc(T.allGood) + "</p>");
    show(box, true);
    box.querySelector("h3").focus();
    data.mocks.push({ t: now(), topic: M.topic, items: M.items.map(function (it) { return { id: it.id, r: it.r, s: it.s }; }) });
    data.mocks = data.mocks.slice(-50);
    persist();
    M = null;
    renderHistory();
  }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (ch) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[ch]; }); }
  function topicName(path) {
    var o = mockTopic.querySelector('option[value="' + path + '"]');
    return o ? o.textContent : path;
  }
  function renderHistory() {
    var list = $("pq-history");
    if (!data.mocks.length) { list.innerHTML = "<li>" + esc(T.noHistory) + "</li>"; return; }
    list.innerHTML = data.mocks.slice(-5).reverse().map(function (m) {
      var rated = m.items.filter(function (i) { return i.r; });
      var avg = rated.length ? (rated.reduce(function (a, i) { return a + i.r; }, 0) / rated.length).toFixed(1) : "–";
      return "<li>" + esc(when(m.t)) + " · " + esc(topicName(m.topic)) + " · " + esc(T.avg(avg)) + "</li>";
    }).join("");
  }

  // ---- spot the wrong answer ----------------------------------------------------------
  var Q = null, quizTopic = $("pq-quiz-topic");
  function nextQuiz() {
    var pool = pick(quizTopic.value).filter(function (id) { return cards[id].quiz; });
    var box = $("pq-quiz-item");
    show($("pq-quiz-feedback"), false);
    if (!pool.length) { box.innerHTML = "<p>" + esc(T.quizNone) + "</p>"; show($("pq-quiz-check"), false); return; }
    var fresh = pool.filter(function (id) { return !data.quiz[id]; });
    var id = (fresh.length ? fresh : pool)[Math.floor(Math.random() * (fresh.length || pool.length))];
    var c = cards[id];
    Q = { id: id, answered: false };
    var sts = shuffle(all(".pq-st", c.el));
    box.innerHTML = '<fieldset class="pq-choices"><legend>' + esc(T.quizAsk) + "</legend></fieldset>";
    var fs = box.querySelector("fieldset");
    sts.forEach(function (st, i) {
      var label = document.createElement("label");
      label.className = "pq-choice";
      var input = document.createElement("input");
      input.type = "radio"; input.name = "pq-choice"; input.value = st.dataset.wrong;
      var span = document.createElement("span");
      span.innerHTML = st.innerHTML;
      label.appendChild(input); label.appendChild(span);
      fs.appendChild(label);
    });
    show($("pq-quiz-check"), true);
    fs.querySelector("input").focus();
  }
  function checkQuiz() {
    if (!Q || Q.answered) return;
    var chosen = document.querySelector('input[name="pq-choice"]:checked');
    if (!chosen) return;
    Q.answered = true;
    var ok = chosen.value === "true", c = cards[Q.id];
    all('input[name="pq-choice"]').forEach(function (i) {
      i.disabled = true;
      if (i.value === "true") i.parentNode.classList.add("pq-is-wrong");
    });
    chosen.parentNode.classList.add(ok ? "pq-picked-ok" : "pq-picked-bad");
    data.quiz[Q.id] = { ok: ok, t: now() };
    persist();
    var fb = $("pq-quiz-feedback"), a = srcLink(c);
    fb.innerHTML = "<p><strong>" + esc(ok ? T.quizRight : T.quizWrong) + "</strong></p><p><strong>" + esc(T.correction) +
      ":</strong></p>" + c.el.querySelector(".pq-back").innerHTML + (a ? "<p>" + esc(T.read) + '<a href="' + esc(a.getAttribute("href")) + '">' + esc(a.textContent) + "</a></p>" : "");
    fb.className = "pq-feedback " + (ok ? "pq-ok" : "pq-bad");
    show(fb, true); show($("pq-quiz-check"), false);
    fb.focus();
    var done = Object.keys(data.quiz), right = done.filter(function (k) { return data.quiz[k].ok; });
    $("pq-quiz-score").textContent = T.quizScore(right.length, done.length);
  }
  $("pq-quiz-next").addEventListener("click", function () { withDeck(nextQuiz); });
  $("pq-quiz-check").addEventListener("click", checkQuiz);

  // ---- progress file ------------------------------------------------------------------
  $("pq-export").addEventListener("click", function () {
    download(JSON.stringify(data, null, 1), "dlnotes-practice-" + P.dayKey(now()) + ".json");
  });
  $("pq-import").addEventListener("change", function () {
    var f = this.files && this.files[0], input = this;
    if (!f) return;
    if (f.size > P.MAX_IMPORT_BYTES) { say(T.importFail(ZH ? "文件超过 1 MB" : "file larger than 1 MB")); input.value = ""; return; }
    var reader = new FileReader();
    reader.onload = function () {
      try {
        var r = P.importText(String(reader.result), order);
        data = r.data; canSave = store !== null; persist();
        say(T.imported(r.imported, r.rejected));
        newInput.value = data.settings.newPerDay;
        refresh();
      } catch (err) { say(T.importFail(err.message)); }
      input.value = "";
    };
    reader.readAsText(f);
  });
  $("pq-reset").addEventListener("click", resetAll);

  // ---- keyboard: Space reveals, 1-4 grade/rate ------------------------------------------
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target && e.target.tagName) || "";
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(tag) || (e.target && e.target.isContentEditable)) return;
    var active = mode === "review" ? R.current && !$("pq-card").hidden : mode === "mock" ? M !== null : false;
    if (!active) return;
    if (e.key === " " || e.key === "Spacebar") {
      if (/^(BUTTON|A|SUMMARY)$/.test(tag)) return;        // native activation
      e.preventDefault();
      if (mode === "review") reveal(); else revealMock();
    } else if (/^[1-4]$/.test(e.key)) {
      e.preventDefault();
      if (mode === "review") gradeCard(Number(e.key)); else rateMock(Number(e.key));
    }
  });

  // ---- start ---------------------------------------------------------------------------
  var params = new URLSearchParams(window.location.search);
  var want = params.get("topic");
  if (want && topicSel.querySelector('option[value="' + want.replace(/"/g, "") + '"]')) {
    topicSel.value = want; mockTopic.value = want; quizTopic.value = want;
  }
  var m = params.get("mode");
  setMode(m === "mock" || m === "quiz" ? m : "review");
  refresh();
  if (want && (!m || m === "review")) withDeck(startReview);
})();
