// Render \( \) and \[ \] math (from pymdownx.arithmatex, generic mode) with the self-hosted KaTeX.
// Material swaps pages without reload only with navigation.instant (off here), but document$
// also fires on the first load, so this runs once per page.
(function () {
  function render() {
    if (typeof renderMathInElement !== "function") return;
    document.querySelectorAll(".arithmatex").forEach(function (el) {
      renderMathInElement(el, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true }
        ],
        throwOnError: false
      });
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(render);
  } else {
    document.addEventListener("DOMContentLoaded", render);
  }
})();
