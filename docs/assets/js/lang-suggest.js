/* Suggest the other language when the browser prefers it: a dismissible toast, never a redirect.
   English page + a browser that ranks Chinese before English -> "本页有中文版 — 切换到中文";
   Chinese page + a browser that does not -> "This page is also available in English — Switch to English".
   The link is the header's language-menu link (the twin page). "Switch" and "dismiss" (also the
   header menu) are remembered in localStorage; if storage fails, the toast still works for this
   page view. Fixed to the bottom of the viewport, so it moves nothing (CLS 0); hidden in print. */
(function () {
  var KEY = "dlnotes.lang-suggest";
  var TEXT = {
    zh: { msg: "本页有中文版", go: "切换到中文", close: "关闭，不再提示" },
    en: { msg: "This page is also available in English", go: "Switch to English",
          close: "Dismiss, don't suggest again" }
  };
  var CSS =
    ".dl-lang-suggest{position:fixed;z-index:4;left:50%;bottom:1rem;transform:translateX(-50%);" +
    "box-sizing:border-box;width:max-content;max-width:calc(100vw - 1rem);display:flex;align-items:center;" +
    "gap:.25rem;padding:.25rem .25rem .25rem .8rem;border-radius:.2rem;font-size:.7rem;line-height:1.4;" +
    "background:#2e2f33;color:#f1f1f4;box-shadow:0 .2rem .6rem rgba(0,0,0,.35);animation:dl-lang-in .25s ease-out}" +
    ".dl-lang-suggest a{color:#c5cae9;text-decoration:underline;text-underline-offset:.15em;font-weight:700}" +
    ".dl-lang-suggest__close{flex:none;width:2.2rem;height:2.2rem;border:0;border-radius:.2rem;padding:0;" +
    "background:none;color:inherit;font:inherit;font-size:1.1rem;line-height:1;cursor:pointer}" +
    ".dl-lang-suggest__close:hover{background:rgba(255,255,255,.12)}" +
    ".dl-lang-suggest :focus-visible{outline:.1rem solid currentColor;outline-offset:.1rem}" +
    "[data-md-color-scheme=slate] .dl-lang-suggest{background:#e4e4e8;color:#1d1d20}" +
    "[data-md-color-scheme=slate] .dl-lang-suggest a{color:#283593}" +
    "[data-md-color-scheme=slate] .dl-lang-suggest__close:hover{background:rgba(0,0,0,.08)}" +
    ".dl-lang-suggest:empty{opacity:0}" +
    "@keyframes dl-lang-in{from{opacity:0;transform:translate(-50%,.5rem)}}" +
    "@media (prefers-reduced-motion:reduce){.dl-lang-suggest{animation:none}}" +
    "@media print{.dl-lang-suggest{display:none!important}}";

  function load() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }
  function save(v) { try { localStorage.setItem(KEY, v); } catch (e) { /* disabled or full: this view only */ } }

  // The site language the browser ranks first; if it ranks neither, the default (English).
  function preferred() {
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < langs.length; i++) {
      var l = String(langs[i] || "").toLowerCase().slice(0, 2);
      if (l === "zh" || l === "en") return l;
    }
    return "en";
  }

  function init() {
    var here = (document.documentElement.lang || "").toLowerCase().slice(0, 2) === "zh" ? "zh" : "en";
    var want = preferred();
    var menu = document.querySelectorAll("a.md-select__link[hreflang]");
    for (var i = 0; i < menu.length; i++) menu[i].addEventListener("click", function () { save("switched"); });
    if (want === here || load()) return;
    var twin = document.querySelector('a.md-select__link[hreflang="' + want + '"]');
    if (!twin || !twin.href) return;

    var t = TEXT[want];
    var style = document.createElement("style");
    style.textContent = CSS;
    document.head.appendChild(style);

    var box = document.createElement("div");
    box.className = "dl-lang-suggest";
    box.setAttribute("role", "status");           // a polite live region: read out once, not focus-stealing
    box.lang = want === "zh" ? "zh-CN" : "en";
    var msg = document.createElement("span");
    msg.appendChild(document.createTextNode(t.msg + " — "));
    var go = document.createElement("a");
    go.href = twin.href;
    go.hreflang = want;
    go.textContent = t.go;
    msg.appendChild(go);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "dl-lang-suggest__close";
    close.setAttribute("aria-label", t.close);
    close.title = t.close;
    close.textContent = "×";

    function dismiss() { save("dismissed"); if (box.parentNode) box.parentNode.removeChild(box); }
    go.addEventListener("click", function () { save("switched"); });
    close.addEventListener("click", dismiss);
    box.addEventListener("keydown", function (e) { if (e.key === "Escape") dismiss(); });

    // Early in the tab order (right after Material's skip link) and painted under the header.
    var skip = document.querySelector('body > [data-md-component="skip"]');
    document.body.insertBefore(box, skip ? skip.nextSibling : document.body.firstChild);
    // Filled after insertion so screen readers announce it.
    setTimeout(function () { box.appendChild(msg); box.appendChild(close); }, 50);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
