"""Search: a full-text index of every page per language, and the worker that searches it.

Material's search UI (dialog, keyboard shortcuts, result list) stays; its lunr worker is
replaced by ``docs/assets/search/worker.js``, which speaks the same messages. Why: lunr
matches whole tokens, so Chinese typed without spaces (均方误差, 采样softmax) and any
compound the segmenter split never matched, and the index had to be cut to 80 words a
section to keep pages light. The worker matches substrings of the folded text (every
run of characters on a page finds it), expands synonyms from the glossary, and loads the
full index only when the reader first searches.

Events:
* ``on_page_content`` (``exclude_from_material``): Material's own index is not used;
  its plugin skips every page (it stays for the search UI).
* ``on_post_page`` (``collect`` and ``page_config``): read the HTML of each page (lab
  cells final, math not rendered yet) into sections; point the page's Material config at our
  worker and, on Chinese pages, at /zh/.
* ``on_post_build`` (``write_index``): ``assets/search/index-<lang>.<hash>.js`` per
  language and a small stub where Material fetches its index (``search/search_index.json``
  and, offline, ``search_index.js``) that tells the worker which files to load.

Owns: ``assets/search/`` and ``search/`` in the built site. Must not touch: the visible
page content.
"""
from __future__ import annotations

import functools
import hashlib
import json
import posixpath
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from scripts.site.common import ROOT, DiskMemo, read_glossary

# Sections of a page depend only on its article HTML and this file's code (both in the key).
_SECTIONS_MEMO = DiskMemo("search-sections")
_THIS_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest() + "\n"

WORKER = "assets/search/worker.js"
WORKER_SRC = ROOT / "docs" / WORKER
INDEX_DIR = "assets/search"
LANGS = ("en", "zh")
_pages: dict[str, dict[str, dict]] = {lang: {} for lang in LANGS}


def exclude_from_material(page) -> None:
    """Material's plugin skips every page; ours indexes each page as its front matter says:
    ``search: {exclude: true}`` leaves it out (the print page repeats every page),
    ``search: {intro_only: true}`` keeps only its opening (the drill's questions are the
    topic pages' own, which should be found there)."""
    own = dict(page.meta.get("search") or {})
    page.meta["search"] = {"exclude": True, "dl": own}


def _choice(page, key) -> bool:
    return bool(((page.meta.get("search") or {}).get("dl") or {}).get(key))


# ---------------------------------------------------------------------------
# Reading a built page into sections
# ---------------------------------------------------------------------------
CJK = "\u3400-\u9fff\uf900-\ufaff"
CJK_GAP_RE = re.compile(rf"(?<=[{CJK}，。、；：！？（）])\s+(?=[{CJK}，。、；：！？（）])")
SPACE_RE = re.compile(r"\s+")
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# Words in code that every code block has: searching them finds nothing useful.
CODE_NOISE = frozenset("""and as assert break class continue def del elif else except False finally for from
global if import in is lambda None nonlocal not or pass raise return True try while with yield self print
range len int float str list dict tuple set np plt numpy matplotlib pyplot fig ax axes zip enumerate
shape dtype astype reshape sum mean max min abs array zeros ones arange linspace isinstance""".split())
BLOCKS = {"p", "li", "td", "th", "tr", "div", "br", "pre", "summary", "figcaption", "dt", "dd", "table",
          "blockquote", "ul", "ol", "details", "section", "h1", "h2", "h3", "h4", "h5", "h6", "figure"}
VOID = {"img", "br", "hr", "meta", "link", "input", "source", "wbr", "col", "area"}
SKIP_CLASSES = ("headerlink", "anchor-link", "md-content__button", "jp-InputPrompt", "jp-OutputArea", "jp-OutputPrompt", "zeroclipboard-container",
                "clipboard-copy-txt", "md-source-file")


def clean(text: str) -> str:
    """Whitespace collapsed; none left between two Chinese characters (a line break in
    the Markdown source is not a word gap in Chinese, and a query has none)."""
    return CJK_GAP_RE.sub("", SPACE_RE.sub(" ", text)).strip()


class _Sections(HTMLParser):
    """Splits a page's article at h1-h3 headings with ids into sections of
    [anchor, heading, prose, code names]. It reads a page before its math is rendered (KaTeX's
    HTML made parsing 3x slower): inline math keeps its TeX source, display math is skipped;
    code blocks give their identifiers; lab outputs, prompts and buttons are skipped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[list] = []
        self._new("", "")
        self.depth = 0            # depth inside <article>, 0 = outside
        self.skip = 0             # > 0 inside a skipped subtree (its depth)
        self.heading = None       # [tag, id, parts] while inside a heading
        self.code = 0
        self.math = 0             # depth of an inline math element, 0 = outside

    def _new(self, anchor, heading):
        self.sections.append([anchor, heading, [], []])

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if not self.depth:
            if tag == "article" and "md-content__inner" in cls:
                self.depth = 1
            return
        if tag in VOID:
            if tag == "br":
                self._text(" ")
            return
        self.depth += 1
        if self.skip:
            return
        if tag in ("script", "style", "svg", "nav", "clipboard-copy") or \
                any(c in cls.split() for c in SKIP_CLASSES) or a.get("aria-hidden") == "true" and tag != "span":
            self.skip = self.depth
            return
        if "arithmatex" in cls:
            if tag == "div":                     # display math: its symbols are not search terms
                self.skip = self.depth
                return
            self.math = self.depth
            self._text(" ")
        if tag in ("h1", "h2", "h3") and a.get("id") is not None:
            self.heading = [tag, a["id"], []]
        if tag == "pre":
            self.code += 1
        if tag in BLOCKS:
            self._text(" ")

    def handle_endtag(self, tag):
        if not self.depth or tag in VOID:
            return
        if self.skip == self.depth:
            self.skip = 0
        elif not self.skip:
            if self.math == self.depth:
                self.math = 0
                self._text(" ")
            if tag == "pre":
                self.code -= 1
            if self.heading and tag == self.heading[0]:
                _, anchor, parts = self.heading
                title = clean("".join(parts))
                self.heading = None
                if tag == "h1" and not self.sections[-1][0] and not self.sections[-1][1]:
                    self.sections[-1][1] = title            # the page's own title
                else:
                    self._new(anchor, title)
            elif tag in BLOCKS:
                self._text(" ")
        self.depth -= 1

    def handle_data(self, data):
        if not self.depth or self.skip:
            return
        if self.math:
            data = data.replace("\\(", "").replace("\\)", "")
        if self.heading:
            self.heading[2].append(data)
        elif self.code:
            self.sections[-1][3].append(data)
        else:
            self._text(data)

    def _text(self, data):
        self.sections[-1][2].append(data)


def code_names(code: str) -> str:
    """The identifiers a reader would search for in a code block (``nn.Dropout``,
    ``label_smoothing``, ``deepcopy``), each once, in order."""
    seen = {}
    for name in IDENT_RE.findall(code):
        if len(name) > 2 and name not in CODE_NOISE and name.split(".")[0] not in CODE_NOISE:
            seen.setdefault(name, None)
    return " ".join(seen)


def page_sections(html: str) -> list[list[str]]:
    """[[anchor, heading, text, code names], …] of a built page; the first is the page
    itself (anchor ''), its heading the page title."""
    start, end = html.find("<article"), html.rfind("</article>")
    # only the article: the navigation, header and footer are most of the markup
    article = html[start:end + len("</article>")] if 0 <= start < end else html
    # Parsing is a third of a warm build: unchanged pages reuse last build's sections.
    return _SECTIONS_MEMO.get(_THIS_CODE + article, lambda: _parse_sections(article))


def _parse_sections(article: str) -> list[list[str]]:
    parser = _Sections()
    parser.feed(article)
    out = []
    for anchor, heading, text, code in parser.sections:
        text, names = clean("".join(text)), code_names("".join(code))
        if anchor and not (heading or text or names):
            continue
        out.append([anchor, heading, text, names])
    return out


def collect(output: str, page) -> None:
    """Remember the sections of one built page for its language's index."""
    lang, _, _ = page.file.src_uri.partition("/")
    if lang not in _pages or _choice(page, "exclude"):
        return
    url = page.url[len(lang) + 1:] if lang != "en" and page.url.startswith(lang + "/") else page.url
    sections = page_sections(output)
    if _choice(page, "intro_only"):
        sections = sections[:1]
    meta = page.meta or {}
    keywords = " ".join(str(t) for t in meta.get("tags", []) or []) + " " + str(meta.get("description", "") or "")
    _pages[lang][url] = {"u": url, "t": sections[0][1] or page.title or url, "k": clean(keywords),
                         "s": sections}


# ---------------------------------------------------------------------------
# The files the worker loads
# ---------------------------------------------------------------------------
def synonym_groups() -> list[dict]:
    """The glossary as search synonyms: every name of a term, both languages, and its page."""
    groups = []
    for term in read_glossary():
        names = []
        for name in term.en + term.zh:
            base = re.sub(r"\s*\(([^)]*)\)", "", name).strip()      # "mean IoU (mIoU)": both names
            names += [base] + re.findall(r"\(([^)]*)\)", name)
        names = list(dict.fromkeys(unicodedata.normalize("NFKC", n).strip() for n in names if n.strip()))
        groups.append({"n": names, "p": term.page.removesuffix(".md") + "/" if term.page else ""})
    return groups


def index_data(lang: str) -> dict:
    pages = sorted(_pages[lang].values(), key=lambda p: p["u"])
    return {"lang": lang, "pages": pages, "syn": synonym_groups()}


def write_index(site: Path, offline: bool) -> dict[str, str]:
    """Write each language's index as a script the worker loads with importScripts (which
    works from file:// too), named by its content hash; then the stubs Material fetches.
    Returns {lang: file name}."""
    folder = site / INDEX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for lang in LANGS:
        if not _pages[lang]:
            continue
        data = json.dumps(index_data(lang), ensure_ascii=False, separators=(",", ":"))
        script = f"(self.__dlSearch=self.__dlSearch||{{}})[{json.dumps(lang)}]={data};\n"
        digest = hashlib.sha256(script.encode()).hexdigest()[:10]
        names[lang] = f"index-{lang}.{digest}.js"
        for old in folder.glob(f"index-{lang}.*.js"):
            old.unlink()
        (folder / names[lang]).write_text(script, encoding="utf-8")
    for lang in LANGS:
        stub_dir = site / "search" if lang == "en" else site / lang / "search"
        stub_dir.mkdir(parents=True, exist_ok=True)
        stub = {"config": {"lang": [lang], "separator": r"[\s\-]+", "pipeline": [], "fields": {},
                           "dl": {"lang": lang, "files": names,
                                  "glossary": "glossary.html" if offline else "glossary/"}},
                "docs": []}
        text = json.dumps(stub, ensure_ascii=False, separators=(",", ":"))
        (stub_dir / "search_index.json").write_text(text, encoding="utf-8")
        if offline:
            (stub_dir / "search_index.js").write_text(f"var __index = {text}", encoding="utf-8")
    for pages in _pages.values():
        pages.clear()                 # the next build (mkdocs serve) collects afresh
    return names


CONFIG_RE = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def worker_version() -> str:
    """Hash of the worker's source; re-read when the file changes (``mkdocs serve``)."""
    return _hash_of(WORKER_SRC.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _hash_of(mtime_ns: int) -> str:
    return hashlib.sha256(WORKER_SRC.read_bytes()).hexdigest()[:10]


def page_config(output: str, page, offline: bool) -> str:
    """Point the page's Material config at our search worker (versioned, so a changed
    worker is never served stale from a cache) and, on a Chinese page, its base at /zh/.

    Material reads the search stub from ``<base>/search/search_index.json`` and resolves
    result links against the same base; nothing else we use reads ``base`` (the palette
    setting is scoped by a separate ``__md_scope``, so light/dark carries across).
    """
    def fix(m):
        cfg = json.loads(m.group(2))
        if page.file.src_uri.startswith("zh/"):
            cfg["base"] = posixpath.normpath(posixpath.join(cfg["base"], "zh")) + "/"   # a directory URL
        if cfg.get("search"):
            root = cfg["search"].split("assets/javascripts/")[0]
            # iframe-worker (offline) appends its own "?…" to the URL: no version there
            cfg["search"] = root + WORKER + ("" if offline else f"?v={worker_version()}")
        return m.group(1) + json.dumps(cfg, ensure_ascii=False) + m.group(3)
    return CONFIG_RE.sub(fix, output, count=1)
