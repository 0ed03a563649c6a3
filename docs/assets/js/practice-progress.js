// The reader's practice progress on the topic pages (next to "Test yourself") and on the home
// page's topic map: cards seen / due / mastered per topic, read with practice-core.js.
// The build reserves each line (span.pq-prog: data-topic, data-cards = the topic's card keys,
// text "N cards · not practised yet"); this only replaces its text. Storage blocked, empty or
// unreadable leaves a short text and never throws: this runs on every topic page.
(function () {
  "use strict";
  try {
    var P = window.DLPractice;
    var els = document.querySelectorAll(".pq-prog[data-topic]");
    if (!P || !els.length) return;
    var store = null;
    try { store = window.localStorage; } catch (err) { return; }
    if (!store) return;
    var loaded = P.load(store);
    if (loaded.status === "blocked" || loaded.status === "new") return;
    var ZH = document.documentElement.lang === "zh";
    var now = Date.now();
    Array.prototype.forEach.call(els, function (el) {
      var topic = el.getAttribute("data-topic");
      var ids = (el.getAttribute("data-cards") || "").split(" ").filter(Boolean)
        .map(function (k) { return topic + "#" + k; });
      var text;
      if (loaded.status === "corrupt") {
        text = ZH ? "练习进度无法读取" : "practice progress unreadable";
      } else {
        var s = P.stats(loaded.data, ids, now);
        if (!s.seen) return;              // the build's text: "N cards · not practised yet"
        text = ZH ? "已练 " + s.seen + "/" + s.total + " · 到期 " + s.due + " · 已掌握 " + s.mastered
          : s.seen + "/" + s.total + " seen · " + s.due + " due · " + s.mastered + " mastered";
      }
      el.textContent = text;
      el.classList.add("pq-prog--on");
    });
  } catch (err) { /* progress is a nicety: never break the page */ }
})();
