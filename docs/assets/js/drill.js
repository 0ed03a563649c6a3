// Drill page: tag filter and a random-question button. Plain JavaScript, no network.
(function () {
  function init() {
    var topics = Array.prototype.slice.call(document.querySelectorAll(".drill-topic"));
    var tagBox = document.getElementById("drill-tags");
    var count = document.getElementById("drill-count");
    var random = document.getElementById("drill-random");
    if (!topics.length || !tagBox || !random) return;
    var zh = document.documentElement.lang === "zh";
    var active = null;

    function visibleQuestions() {
      return topics.filter(function (t) { return !t.hidden; })
        .reduce(function (all, t) { return all.concat(Array.prototype.slice.call(t.querySelectorAll("details"))); }, []);
    }
    function update() {
      topics.forEach(function (t) {
        t.hidden = active !== null && ("|" + t.dataset.tags + "|").indexOf("|" + active + "|") < 0;
      });
      Array.prototype.forEach.call(tagBox.querySelectorAll("button"), function (b) {
        b.setAttribute("aria-pressed", String(b.dataset.tag === (active || "")));
      });
      var n = visibleQuestions().length;
      count.textContent = zh ? "共 " + n + " 题" : n + (n === 1 ? " question" : " questions");
    }
    // The build renders one button per tag (no layout shift); here they only get wired up.
    Array.prototype.forEach.call(tagBox.querySelectorAll("button"), function (b) {
      b.addEventListener("click", function () { active = b.dataset.tag || null; update(); });
    });

    random.addEventListener("click", function () {
      var qs = visibleQuestions();
      if (!qs.length) return;
      qs.forEach(function (d) { d.open = false; d.classList.remove("drill-picked"); });
      var pick = qs[Math.floor(Math.random() * qs.length)];
      pick.classList.add("drill-picked");
      pick.scrollIntoView({ block: "center" });
      var summary = pick.querySelector("summary");
      if (summary) summary.focus();
    });
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
