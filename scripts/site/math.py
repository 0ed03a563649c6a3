"""Math rendered to HTML at build time with the vendored KaTeX (one node call per page,
cached by formula). Pages ship KaTeX's CSS and fonts but no math JavaScript, so math
shows with JavaScript off, offline and in print, and costs no main-thread time.

Events: ``on_post_page`` (``render_page``: arithmatex spans of Markdown pages and the
``$…$`` of lab Markdown cells). Owns: ``.cache/katex-cache.json``. Bad TeX fails the
build naming the page. Must not touch: anything outside math elements.
"""
from __future__ import annotations

import html as _html
import json
import re
import shutil
import subprocess

from scripts.site.common import CACHE_DIR, ROOT

KATEX_JS = ROOT / "scripts" / "site" / "katex_render.js"
KATEX_CACHE = CACHE_DIR / "katex-cache.json"
MATH_RE = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])\s*</(?P=tag)>',
    re.S)
# Notebook Markdown cells keep Jupyter's $...$ / $$...$$ (nbconvert passes them through).
NB_MD_RE = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.S)
NB_MATH_RE = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)\$", re.S)
_katex_cache: dict | None = None


def _load_cache() -> dict:
    global _katex_cache
    if _katex_cache is None:
        try:
            _katex_cache = json.loads(KATEX_CACHE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _katex_cache = {}
    return _katex_cache


def render_tex(items: list[tuple[str, bool]], where: str) -> list[str]:
    """KaTeX HTML for each (tex, display); raises naming the page on bad TeX."""
    cache = _load_cache()
    key = lambda tex, display: f"{int(display)}{tex}"  # noqa: E731
    todo = sorted({(t, d) for t, d in items if key(t, d) not in cache})
    if todo:
        node = shutil.which("node")
        if node is None:
            raise SystemExit("node (Node.js) is needed to render math at build time: apt-get install nodejs")
        proc = subprocess.run([node, str(KATEX_JS)], input=json.dumps(todo), capture_output=True,
                              text=True, check=True)
        for (tex, display), res in zip(todo, json.loads(proc.stdout)):
            if "error" in res:
                raise SystemExit(f"{where}: KaTeX cannot render {tex!r}: {res['error']}")
            cache[key(tex, display)] = res["html"]
        KATEX_CACHE.parent.mkdir(parents=True, exist_ok=True)
        KATEX_CACHE.write_text(json.dumps(cache, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return [cache[key(t, d)] for t, d in items]


def render_page(output: str, where: str) -> str:
    """Every formula of a built page as KaTeX HTML."""
    found = [(m, _html.unescape(m["inline"] if m["inline"] is not None else m["display"]),
              m["display"] is not None) for m in MATH_RE.finditer(output)]
    if found:
        rendered = iter(render_tex([(t, d) for _, t, d in found], where))
        output = MATH_RE.sub(lambda m: f'<{m["tag"]} class="arithmatex">{next(rendered)}</{m["tag"]}>', output)
    if "jp-RenderedMarkdown" in output:
        def cell(m):
            body = m.group(2)
            hits = [(_html.unescape(h["inline"] if h["inline"] is not None else h["display"]),
                     h["display"] is not None) for h in NB_MATH_RE.finditer(body)]
            if not hits:
                return m.group(0)
            it = iter(render_tex(hits, where))
            body = NB_MATH_RE.sub(lambda h: f'<span class="arithmatex">{next(it)}</span>', body)
            return m.group(1) + body + m.group(3)
        output = NB_MD_RE.sub(cell, output)
    return output
