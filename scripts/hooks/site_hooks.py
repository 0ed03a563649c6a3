"""MkDocs hooks: generated figures, notebooks under i18n, figure markup.

* ``on_pre_build``: build the figures (cached) into ``.cache/figures``.
* ``on_files`` (after mkdocs-static-i18n, priority -100): add the figures as site
  files and re-wrap notebooks that i18n turned back into static files.
* ``on_page_markdown``: expand ``![alt](fig:name)`` into the light and dark
  images with intrinsic size and lazy loading; an unknown name fails the build.
"""
from __future__ import annotations

import functools
import hashlib
import html as _html
import json as _json
import logging
import os
import posixpath
import shutil as _shutil
import subprocess as _subprocess
import re
import sys
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import css_prune, figures, font_subset  # noqa: E402

log = logging.getLogger("mkdocs.hooks.dlnotes")
FIG_DEST = "assets/figures"
_FIGURES: dict[str, str] = {}     # figure name -> module, read from the sources each build
FIG_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(fig:(?P<name>[a-z0-9-]+)\)(?P<attrs>\{[^}]*\})?")
# Size and loading attributes are generated; an author's own {…} after fig: is an error.


GLOSSARY = ROOT / "scripts" / "glossary.tsv"
JIEBA_DICT = figures.CACHE_DIR / "jieba-user-dict.txt"


def read_glossary() -> list[tuple[str, str, str]]:
    """(english, chinese, page) rows of scripts/glossary.tsv, the one source of the glossary."""
    rows = []
    for n, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) not in (2, 3) or not all(c.strip() for c in cells[:2]):
            raise SystemExit(f"{GLOSSARY}:{n}: expected 'english<TAB>chinese[<TAB>page]'")
        rows.append((cells[0].strip(), cells[1].strip(), cells[2].strip() if len(cells) == 3 else ""))
    return rows


IFRAME_WORKER = "assets/vendor/iframe-worker/shim.js"


def _dlnotes_digest() -> str:
    """Hash of every dlnotes source and the library versions the labs depend on."""
    files = tuple((p, p.stat().st_mtime_ns) for p in sorted((ROOT / "dlnotes").glob("*.py")))
    return _digest_of(files)


@functools.lru_cache(maxsize=8)
def _digest_of(files: tuple) -> str:               # once per version of the sources
    from importlib.metadata import version

    h = hashlib.sha256()
    for name in ("numpy", "scipy", "scikit-learn", "scikit-image", "matplotlib", "imbalanced-learn"):
        h.update(f"{name}={version(name)};".encode())
    for path, _ in files:
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


# Labs and figures run side by side on a 2-core machine; with every process's BLAS and
# OpenMP pools spinning on both cores, the dropout lab took 35 s instead of 4.
ONE_THREAD_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _lab_outputs(nb_path: str, kernel_name: str, allow_errors: bool):
    """The executed notebook for ``nb_path``: run once per distinct code (the EN and ZH
    twins share it), cached by the hash of its code cells and of dlnotes."""
    import copy

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(nb_path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    key = hashlib.sha256((_json.dumps(code) + _dlnotes_digest()).encode()).hexdigest()[:20]
    cached = figures.CACHE_DIR / "nb-exec" / f"{key}.ipynb"
    if cached.exists():
        return nbformat.read(cached, as_version=4)
    log.info(f"running lab: {nb_path}")
    executed = copy.deepcopy(nb)
    NotebookClient(executed, timeout=600, kernel_name=kernel_name or "python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(Path(nb_path).parent)}}).execute(env=ONE_THREAD_ENV)
    cached.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(executed, cached)
    return executed


def _executed_copy(nb_path: str, kernel_name: str, allow_errors: bool) -> str:
    """A copy of ``nb_path`` carrying the outputs of ``_lab_outputs``."""
    import tempfile

    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    executed = _lab_outputs(nb_path, kernel_name, allow_errors)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell, done in zip(code, [c for c in executed.cells if c.cell_type == "code"]):
        cell.outputs, cell.execution_count = done.outputs, done.execution_count
    out = Path(tempfile.mkdtemp(prefix="dlnotes-nb-")) / Path(nb_path).name
    nbformat.write(nb, out)
    return str(out)


def _run_stale_labs(config) -> None:
    """Execute the labs whose rendered page is not cached yet, now (while the figures are
    drawn in another process: a cold build uses both cores), instead of one by one
    while pages render."""
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None or not plugin.config["execute"]:
        return
    import mkdocs_jupyter.plugin as mjp

    for nb in sorted(Path(config.docs_dir).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in nb.parts:
            continue
        page_cache = mjp._get_cache_path(plugin.config["cache_dir"],
                                         mjp._compute_cache_key(str(nb), plugin.config, True))
        if not (plugin.config["cache"] and page_cache.exists()):
            _lab_outputs(str(nb), plugin.config["kernel_name"], plugin.config["allow_errors"])


def _patch_mkdocs_jupyter():
    """Two fixes to mkdocs-jupyter, applied once per process:

    * its page cache is keyed by the notebook file only, so a change to dlnotes (which
      every lab imports) would keep serving stale outputs; add dlnotes to the key;
    * it executes the EN and ZH twin of every lab separately; run each code once.
    """
    import mkdocs_jupyter.convert as mjc
    import mkdocs_jupyter.plugin as mjp

    if getattr(mjp, "_dlnotes_patched", False):
        return
    original_key, original_nb2html = mjp._compute_cache_key, mjc.nb2html

    def cache_key(nb_path, config, exec_nb):
        return hashlib.sha256((original_key(nb_path, config, exec_nb) + _dlnotes_digest()).encode()).hexdigest()

    def nb2html(nb_path, execute=False, kernel_name="", allow_errors=True, **kwargs):
        if execute and str(nb_path).endswith(".ipynb"):
            nb_path, execute = _executed_copy(str(nb_path), kernel_name, allow_errors), False
        return original_nb2html(nb_path, execute=execute, kernel_name=kernel_name,
                                allow_errors=allow_errors, **kwargs)

    mjp._compute_cache_key, mjc.nb2html, mjp._dlnotes_patched = cache_key, nb2html, True


def on_config(config):
    _patch_mkdocs_jupyter()
    if not config.repo_url:
        config.edit_uri = None      # edit links need the repository: DLNOTES_REPO_URL (README)
    # The offline plugin adds the iframe-worker shim from unpkg.com; use the vendored copy.
    polyfills = config.extra.get("polyfills")
    if polyfills:
        config.extra["polyfills"] = [IFRAME_WORKER if "iframe-worker" in p else p for p in polyfills]
    # Teach jieba the domain terms so 感受野 or 随机失活 stay whole in the search index.
    import jieba

    JIEBA_DICT.parent.mkdir(parents=True, exist_ok=True)
    terms = {zh for _, zh, _ in read_glossary()}
    # A compound that contains another term (倒置随机失活 ⊃ 随机失活) stays out of the dictionary,
    # so it is split and a search for the shorter term still matches it.
    words = sorted(t for t in terms if not any(o != t and o in t for o in terms))
    text = "".join(f"{w} 100000 n\n" for w in words)
    if not JIEBA_DICT.exists() or JIEBA_DICT.read_text(encoding="utf-8") != text:
        JIEBA_DICT.write_text(text, encoding="utf-8")
    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(JIEBA_DICT))
    return config


def on_pre_build(config):
    # Runs once per language and on every `mkdocs serve` rebuild. Checking the cache
    # only hashes sources; stale figures are drawn in a fresh Python process, so edits
    # to dlnotes or figure code are always picked up (no stale imports in `serve`).
    import tempfile

    todo = figures.stale()
    proc = None
    errors = tempfile.TemporaryFile()        # a file, not a pipe: a full pipe would stall it
    if todo:
        log.info(f"drawing {len(todo)} figure(s): {', '.join(todo)}")
        proc = _subprocess.Popen([sys.executable, "-m", "scripts.figures", *todo], cwd=ROOT, env=ONE_THREAD_ENV,
                                 stdout=_subprocess.DEVNULL, stderr=errors)
    try:
        _run_stale_labs(config)
    finally:
        if proc is not None and proc.wait():
            errors.seek(0)
            raise SystemExit(f"figures failed:\n{errors.read().decode(errors='replace')[-4000:]}")
        errors.close()
    global _FIGURES
    _FIGURES = figures.all_figures()
    _keep_notebook_cache(config)


def _keep_notebook_cache(config):
    """Stop mkdocs-jupyter from evicting the other language's cached notebooks.

    It evicts every cache file not used in *this* build; under i18n the English
    build would evict the Chinese notebooks (and vice versa), so each build ran
    them again. ``make clean`` drops the cache when it should go.
    """
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is not None:
        class KeepAll(set):
            def __contains__(self, item):
                return True
        plugin._used_cache_paths = KeepAll()


@event_priority(-110)
def on_files(files, config):
    lang = _current_lang(config)
    name = f"drill-{lang}.tsv"
    files.append(File.generated(config, name, content=anki_tsv(config, lang)))
    for name in _FIGURES:
        for path in figures.output_paths(name).values():
            files.append(File.generated(config, f"{FIG_DEST}/{path.name}", abs_src_path=str(path)))
    _rewrap_notebooks(files, config)
    return files


def _rewrap_notebooks(files, config):
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None:
        return
    from mkdocs_jupyter.plugin import NotebookFile

    for f in list(files):
        if isinstance(f, NotebookFile) or not f.src_uri.endswith(".ipynb") or not plugin.should_include(f):
            continue
        # Keep i18n's destination; it is already the page's (zh/x/dropout-lab/index.html)
        # when i18n copied it from mkdocs-jupyter's wrapper, else derive it from the .ipynb.
        if f.dest_uri.endswith(".ipynb"):
            stem = f.dest_uri[: -len(".ipynb")]
            f.dest_uri = posixpath.join(stem, "index.html") if config.use_directory_urls else stem + ".html"
            f.url = (stem + "/") if config.use_directory_urls else stem + ".html"
        nb = NotebookFile.__new__(NotebookFile)
        nb.file = f
        nb.dest_path = f.dest_uri
        nb.abs_dest_path = str(Path(config.site_dir) / f.dest_uri)
        nb.url = f.url
        files.remove(f)
        files.append(nb)


def on_page_markdown(markdown, page, config, files):
    eager = "<!-- print -->" in markdown
    if eager:
        markdown = markdown.replace("<!-- print -->", print_markdown(page, config))
    if "<!-- drill -->" in markdown:
        markdown = drill_markdown(markdown, page, config)
    if "<!-- topic-map -->" in markdown:
        markdown = markdown.replace("<!-- topic-map -->", _topic_map(page, config))
    if "<!-- glossary -->" in markdown:
        markdown = markdown.replace("<!-- glossary -->", _glossary_table(page))
    return FIG_RE.sub(lambda m: _figure_markup(m, page, eager), markdown)


def _front_matter(path: Path) -> dict:
    import yaml

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        import json
        cells = json.loads(text)["cells"]
        first = "".join(cells[0]["source"]) if cells else ""
        return {"title": first.lstrip("# ").split("\n")[0]}
    if not text.startswith("---\n"):
        return {}
    return yaml.safe_load(text[4:text.index("\n---\n", 4)]) or {}


def _topic_map(page, config) -> str:
    """Cards for every nav section: each page's title and description, read from the
    page itself in the current language, so the map lists exactly the pages that exist."""
    lang = page.file.src_uri.split("/", 1)[0]
    i18n = config.plugins.get("i18n")
    names = {}
    if i18n is not None:
        for lc in i18n.config.languages:
            if lc.locale == lang and lc.nav_translations:
                names = lc.nav_translations
    docs = Path(config.docs_dir) / lang
    here = posixpath.dirname(page.file.src_uri.split("/", 1)[1])
    cards = []
    for item in config.nav:
        if not isinstance(item, dict):
            continue
        (section, children), = item.items()
        lines = []
        for child in children:
            path = child if isinstance(child, str) else next(iter(child.values()))
            meta = _front_matter(docs / path)
            link = posixpath.relpath(path, here or ".")
            if path.endswith(".ipynb"):
                if lines:
                    lab = "实验" if lang == "zh" else "lab"
                    lines[-1] += f" [{lab}]({link})" if lang != "zh" else f"（[{lab}]({link})）"
                continue
            colon = "：" if lang == "zh" else ": "
            lines.append(f"[**{meta.get('title', path)}**]({link}){colon}{meta.get('description', '')}")
        body = "\n\n    ".join(lines)
        cards.append(f"-   **{names.get(section, section)}**\n\n    ---\n\n    {body}\n")
    return '<div class="grid cards" markdown>\n\n' + "\n".join(cards) + "\n</div>\n"


def _glossary_table(page) -> str:
    zh = page.file.src_uri.startswith("zh/")
    head = "| 中文 | English | 页面 |\n|---|---|---|\n" if zh else "| English | 中文 | page |\n|---|---|---|\n"
    rows = sorted(read_glossary(), key=lambda r: r[0].lower())
    lines = []
    for en, cn, target in rows:
        link = f"[{target.removesuffix('.md')}]({target})" if target else ""
        lines.append(f"| {cn} | {en} | {link} |" if zh else f"| {en} | {cn} | {link} |")
    return head + "\n".join(lines) + "\n"


def _figure_markup(m, page, eager=False) -> str:
    name, alt = m["name"], m["alt"].strip()
    if m["attrs"]:
        raise SystemExit(f"{page.file.src_uri}: 'fig:{name}' takes no attributes ({m['attrs']}); "
                         "width, height and loading are generated")
    if name not in _FIGURES:
        raise SystemExit(f"{page.file.src_uri}: unknown figure 'fig:{name}'")
    if not alt:
        raise SystemExit(f"{page.file.src_uri}: figure 'fig:{name}' has no alt text")
    rel = posixpath.relpath(FIG_DEST, posixpath.dirname(page.file.src_uri) or ".")
    out = []
    for scheme, path in figures.output_paths(name).items():
        w, h = figures.png_size(path)
        out.append(f'![{alt}]({rel}/{path.name}#only-{scheme})'
                   f'{{ width="{w}" height="{h}" loading="{"eager" if eager else "lazy"}" decoding="async" }}')
    return " ".join(out)


# ---------------------------------------------------------------------------
# Drill: every follow-up question of every topic page, gathered from the pages.
# ---------------------------------------------------------------------------
QUESTION_RE = re.compile(r'^\?\?\?\+? question "(?P<q>(?:[^"\\]|\\.)*)"\s*\n(?P<a>(?:(?:    .*)?\n)*)', re.M)
FOLLOW_UPS = {"en": "Follow-up questions", "zh": "追问"}


def _current_lang(config) -> str:
    i18n = config.plugins.get("i18n")
    return i18n.current_language if i18n is not None else "en"


def topic_paths(config) -> list[tuple[str, list[str]]]:
    """(section, [topic page paths]) in nav order; labs and top-level pages excluded."""
    out = []
    for item in config.nav:
        if isinstance(item, dict):
            (section, children), = item.items()
            paths = [c if isinstance(c, str) else next(iter(c.values())) for c in children]
            out.append((section, [p for p in paths if p.endswith(".md")]))
    return out


def follow_ups(docs_dir, lang: str, path: str) -> list[tuple[str, str]]:
    """(question, answer markdown) pairs of one page's follow-up section."""
    text = (Path(docs_dir) / lang / path).read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(FOLLOW_UPS[lang])}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return []
    return [(q["q"].replace('\\"', '"'), "\n".join(ln[4:] for ln in q["a"].rstrip().split("\n")))
            for q in QUESTION_RE.finditer(m.group(1) + "\n")]


def drill_markdown(markdown: str, page, config) -> str:
    """The drill page: every follow-up question in place of ``<!-- drill -->``, and its tag
    buttons and question count filled in at build time (drill.js only wires them up;
    buttons added by the script pushed every question down after load: CLS 0.20)."""
    lang = page.file.src_uri.split("/", 1)[0]
    here = posixpath.dirname(page.file.src_uri.split("/", 1)[1])
    docs = Path(config.docs_dir)
    out, all_tags, count = [], set(), 0
    for _, paths in topic_paths(config):
        for path in paths:
            qs = follow_ups(docs, lang, path)
            if not qs:
                continue
            meta = _front_matter(docs / lang / path)
            topic_tags = [str(t) for t in meta.get("tags", [])]
            all_tags |= set(topic_tags)
            count += len(qs)
            tags = _html.escape("|".join(topic_tags))           # tags contain spaces
            link = posixpath.relpath(path, here or ".")
            out.append(f'<section class="drill-topic" data-tags="{tags}" markdown>\n\n'
                       f'## [{meta.get("title", path)}]({link})\n')
            base = posixpath.dirname(path)
            for q, a in qs:
                a = _rebase_links(a, base, here, link)
                body = "\n".join(("    " + ln) if ln.strip() else "" for ln in a.split("\n"))
                out.append(f'??? question "{q}"\n{body}\n')
            out.append("</section>\n")
    zh = lang == "zh"
    buttons = "".join(f'<button type="button" class="md-button drill-tag" data-tag="{_html.escape(t)}" '
                      f'aria-pressed="{str(not t).lower()}">{_html.escape(t or ("全部" if zh else "all"))}</button>'
                      for t in ["", *sorted(all_tags)])
    label = f"共 {count} 题" if zh else f"{count} questions"
    markdown = markdown.replace("<!-- drill -->", "\n".join(out))
    markdown = re.sub(r'(<div id="drill-tags"[^>]*>)(</div>)', lambda m: m.group(1) + buttons + m.group(2),
                      markdown, count=1)
    return re.sub(r'(<span id="drill-count"[^>]*>)(</span>)', lambda m: m.group(1) + label + m.group(2),
                  markdown, count=1)


def _rebase_links(text: str, base: str, here: str, page_link: str) -> str:
    """Make an answer's relative links work from the drill page."""
    def fix(m):
        target = m.group(1)
        if re.match(r"^[a-z]+:|^/", target):
            return m.group(0)
        if target.startswith("#"):
            return f"]({page_link}{target})"
        return "](" + posixpath.relpath(posixpath.join(base, target), here or ".") + ")"
    return re.sub(r"\]\(([^)\s]+)\)", fix, text)


def anki_tsv(config, lang: str) -> str:
    """Question<TAB>answer<TAB>tags, one line per follow-up question (Anki's text import).

    Answers are HTML; math stays as \\( \\) which Anki renders with its MathJax.
    """
    import markdown as md

    docs = Path(config.docs_dir)
    lines = []
    for _, paths in topic_paths(config):
        for path in paths:
            meta = _front_matter(docs / lang / path)
            tags = " ".join(["dlnotes", path.removesuffix(".md").replace("/", "::")]
                            + [str(t).replace(" ", "_") for t in meta.get("tags", [])])
            for q, a in follow_ups(docs, lang, path):
                html = md.markdown(a, extensions=["tables"]).replace("\t", " ").replace("\n", " ")
                lines.append(f"{q}\t{html}\t{tags}")
    return "#separator:tab\n#html:true\n#tags column:3\n" + "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Print edition: every topic page of one language on one page, for the PDF.
# ---------------------------------------------------------------------------
FENCE_RE = re.compile(r"^(```+|~~~+).*?^\1[ \t]*$", re.M | re.S)


def print_markdown(page, config) -> str:
    lang = page.file.src_uri.split("/", 1)[0]
    here = posixpath.dirname(page.file.src_uri.split("/", 1)[1])
    docs = Path(config.docs_dir) / lang
    parts = []
    for _, paths in topic_paths(config):
        for path in paths:
            text = (docs / path).read_text(encoding="utf-8")
            if text.startswith("---\n"):
                text = text[text.index("\n---\n", 4) + 5:]
            base = posixpath.dirname(path)
            link = posixpath.relpath(path, here or ".")
            # Demote headings and open the answers, outside code blocks only.
            chunks, last = [], 0
            for m in FENCE_RE.finditer(text):
                chunks.append(_print_prose(text[last:m.start()], base, here, link))
                chunks.append(m.group(0))
                last = m.end()
            chunks.append(_print_prose(text[last:], base, here, link))
            parts.append("".join(chunks))
    return "\n\n".join(parts)


def _print_prose(text: str, base: str, here: str, link: str) -> str:
    text = re.sub(r"^(#{1,5}) ", r"#\1 ", text, flags=re.M)
    # Interactive widgets do not print: drop their scripts (their relative src would break too).
    text = re.sub(r"^[ \t]*<script\b[^>]*>\s*</script>[ \t]*$", "", text, flags=re.M)
    text = re.sub(r'^\?\?\? question "', '???+ question "', text, flags=re.M)
    return _rebase_links(text, base, here, link)


# ---------------------------------------------------------------------------
# Math: rendered to HTML at build time with the vendored KaTeX (one node call per
# page, cached by formula). Pages ship KaTeX's CSS and fonts but no math JavaScript,
# so math shows with JavaScript off, offline, in print, and costs no main-thread time.
# ---------------------------------------------------------------------------

KATEX_JS = ROOT / "scripts" / "katex_render.js"
KATEX_CACHE = figures.CACHE_DIR / "katex-cache.json"
MATH_RE = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])\s*</(?P=tag)>',
    re.S)
# Notebook Markdown cells keep Jupyter's $...$ / $$...$$ (nbconvert passes them through).
NB_MD_RE = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.S)
NB_MATH_RE = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)\$", re.S)
_katex_cache: dict | None = None


def _load_katex_cache() -> dict:
    global _katex_cache
    if _katex_cache is None:
        try:
            _katex_cache = _json.loads(KATEX_CACHE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _katex_cache = {}
    return _katex_cache


def render_tex(items: list[tuple[str, bool]], where: str) -> list[str]:
    """KaTeX HTML for each (tex, display); raises naming the page on bad TeX."""
    cache = _load_katex_cache()
    key = lambda tex, display: f"{int(display)}{tex}"  # noqa: E731
    todo = sorted({(t, d) for t, d in items if key(t, d) not in cache})
    if todo:
        node = _shutil.which("node")
        if node is None:
            raise SystemExit("node (Node.js) is needed to render math at build time: apt-get install nodejs")
        proc = _subprocess.run([node, str(KATEX_JS)], input=_json.dumps(todo), capture_output=True,
                               text=True, check=True)
        for (tex, display), res in zip(todo, _json.loads(proc.stdout)):
            if "error" in res:
                raise SystemExit(f"{where}: KaTeX cannot render {tex!r}: {res['error']}")
            cache[key(tex, display)] = res["html"]
        KATEX_CACHE.parent.mkdir(parents=True, exist_ok=True)
        KATEX_CACHE.write_text(_json.dumps(cache, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return [cache[key(t, d)] for t, d in items]


# Words kept per section; a "word" is what the search tokenizer splits on: whitespace in
# English, also the zero-width spaces jieba puts between Chinese words. Counting words
# rather than characters gives both languages the same coverage (600 characters were
# ~95 English words but ~145 Chinese ones, and the Chinese index was 57 KB vs 36 KB gzip).
# 80 words keep every text page within the 200 KB load budget (the index is ~20% of it).
SEARCH_SECTION_WORDS = 80
WORD_SPLIT_RE = re.compile(r"([\s\u200b]+)")


def first_words(text: str, n: int) -> str:
    """``text`` cut after its first ``n`` words (separators kept as they are)."""
    parts, count, out = WORD_SPLIT_RE.split(text), 0, []
    for part in parts:
        if part and not WORD_SPLIT_RE.fullmatch(part):
            count += 1
            if count > n:
                break
        out.append(part)
    return "".join(out).rstrip(" \u200b\n\t")


@event_priority(-110)
def on_post_build(config):
    """One search index per language, trimmed (after i18n merged them into one).

    Every page loads the search index, so it counts against every page's weight.
    * Split: English pages get ``search/search_index.json`` with the English pages,
      Chinese pages ``zh/search/search_index.json`` with the Chinese ones (their
      ``__config.base`` points at /zh/, see ``_language_search_base``).
    * Trim: each section keeps its title and the first SEARCH_SECTION_WORDS words of its
      text, tags stripped; titles, headings and every section's opening stay searchable.
      Together: ~200 KB -> 32 KB (EN) / 37 KB (ZH) gzip per page.
    The offline bundle's inlined copies (``search_index.js``) are rewritten to match.
    """
    i18n = config.plugins.get("i18n")
    if i18n is not None and getattr(i18n, "building", False):
        return                                   # the nested Chinese build; wait for the merge
    site = Path(config.site_dir)
    _subset_katex_fonts(site)
    merged = site / "search" / "search_index.json"
    if not merged.exists():
        return
    index = _json.loads(merged.read_text(encoding="utf-8"))
    by_lang = {"en": [], "zh": []}
    for doc in index["docs"]:
        text = _html.unescape(re.sub(r"<[^>]+>", "", doc.get("text", "")))
        doc["text"] = _html.escape(first_words(text, SEARCH_SECTION_WORDS), quote=False)
        if doc["location"].startswith("zh/"):
            by_lang["zh"].append({**doc, "location": doc["location"][3:]})
        else:
            by_lang["en"].append(doc)
    offline = (site / "search" / "search_index.js").exists()
    for lang, docs in by_lang.items():
        folder = site / "search" if lang == "en" else site / lang / "search"
        folder.mkdir(parents=True, exist_ok=True)
        data = _json.dumps({**index, "docs": docs}, ensure_ascii=False, separators=(",", ":"))
        (folder / "search_index.json").write_text(data, encoding="utf-8")
        if offline:
            (folder / "search_index.js").write_text(f"var __index = {data}", encoding="utf-8")


def _subset_katex_fonts(site: Path) -> None:
    """Cut the KaTeX fonts in the built site to the characters its math uses (both
    languages, every page; see ``scripts/font_subset.py``): ~40 KB less per math page."""
    font_dir = site / "assets" / "vendor" / "katex" / "fonts"
    if not font_dir.is_dir():
        return
    chars: set[str] = set()
    for page in site.rglob("*.html"):
        chars |= font_subset.math_characters(page.read_text(encoding="utf-8"))
    sizes = font_subset.subset_fonts(font_dir, chars, figures.CACHE_DIR / "katex-fonts")
    before, after = (sum(s[i] for s in sizes.values()) for i in (0, 1))
    log.info("KaTeX fonts cut to %d characters: %d -> %d KB", len(chars), before // 1024, after // 1024)


CONFIG_RE = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def _language_search_base(output: str, page) -> str:
    """Point a Chinese page's Material config at /zh/ so it loads the Chinese index.

    Material reads the index from ``<base>/search/search_index.json`` and resolves result
    links against the same base; nothing else we use reads ``base`` (the palette setting
    is scoped by a separate ``__md_scope``, so light/dark carries across languages).
    """
    if not page.file.src_uri.startswith("zh/"):
        return output

    def fix(m):
        cfg = _json.loads(m.group(2))
        cfg["base"] = posixpath.normpath(posixpath.join(cfg["base"], "zh")) + "/"   # a directory URL
        return m.group(1) + _json.dumps(cfg, ensure_ascii=False) + m.group(3)
    return CONFIG_RE.sub(fix, output, count=1)


HIGHLIGHT_RE = re.compile(r'<div class="([^"]*\bhighlight\b[^"]*)"')


def on_page_content(html, page, config, files):
    """Keep the search index small: it is loaded by every page of both languages.

    Code blocks (they repeat dlnotes, which has its own page context) and lab
    notebooks (mostly code and outputs) are left out; prose, headings and inline
    code stay searchable.
    """
    if page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}
        return html
    return HIGHLIGHT_RE.sub(r'<div class="\1" data-search-exclude', html)


NB_HEADING_RE = re.compile(r'<h(?P<level>[1-6]) id="(?P<id>[^"]*)"(?P<rest>.*?)</h(?P=level)>', re.S)


def _notebook_heading_ids(output: str, page) -> str:
    """Give a notebook's headings the ids its table of contents links to.

    nbconvert drops non-ASCII characters from heading ids and does not make them
    unique (a Chinese-only heading gets id=""), while the TOC that mkdocs-jupyter
    builds de-duplicates (#crf, #crf_1, #_1). Headings and TOC entries come in the
    same order, so the i-th heading takes the i-th TOC anchor.
    """
    anchors = []

    def walk(items):
        for item in items:
            anchors.append(item.id)
            walk(item.children)
    walk(page.toc)
    it = iter(anchors)

    def fix(m):
        new = next(it, None)
        if new is None:
            return m.group(0)
        rest = m["rest"].replace(f'href="#{m["id"]}"', f'href="#{new}"')
        return f'<h{m["level"]} id="{new}"{rest}</h{m["level"]}>'
    return NB_HEADING_RE.sub(fix, output)


STYLE_RE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.S)
ROOT_PREFIX_RE = re.compile(r'href="([^"]*)assets/stylesheets/main\.')


def _pruned_css(css: str, classes: set[str]) -> str:
    """``css_prune.prune``, cached on disk by the stylesheet and the class set."""
    key = hashlib.sha256((css + "\0" + " ".join(sorted(classes))).encode()).hexdigest()[:20]
    cached = figures.CACHE_DIR / "css-prune" / f"{key}.css"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    out = css_prune.prune(css, classes)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(out, encoding="utf-8")
    return out


def _shared_notebook_css(output: str, page) -> str:
    """Replace the ~590 KB of JupyterLab CSS that mkdocs-jupyter inlines into every
    notebook page by a linked file with only the rules this page can use (~19 KB,
    3 KB gzip; see ``scripts/css_prune.py``), named by its hash so pages with the same
    classes share one cached file."""
    head, sep, body = output.partition("<article")
    css = "\n".join(m.group(1) for m in STYLE_RE.finditer(body))
    prefix = ROOT_PREFIX_RE.search(head)
    if not sep or not css or prefix is None:
        return output
    body = STYLE_RE.sub("", body)
    css = _pruned_css(css, css_prune.page_classes(head + body))
    name = f"assets/css/jupyter-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = Path(os.path.normpath(Path(page.file.abs_dest_path).parent / prefix.group(1) / name))
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    link = f'<link rel="stylesheet" href="{prefix.group(1)}{name}">\n'
    return head.replace("</head>", link + "</head>", 1) + sep + body


NB_IMG_RE = re.compile(r'<img\b(?P<before>[^>]*?)\ssrc="data:image/(?P<mime>png|jpeg);base64,(?P<data>[^"]+)"'
                       r'(?P<after>[^>]*)>')
ALT_ATTR_RE = re.compile(r'\salt="[^"]*"')
NB_IMG_DEST = "assets/nb"


def lab_alts(nb_path: str) -> list[str]:
    """The alt texts of a lab's image outputs, in order: code cells carry them in
    ``metadata.alt`` (a string, or a list for a cell with several images)."""
    import nbformat

    alts = []
    for cell in nbformat.read(nb_path, as_version=4).cells:
        alt = cell.metadata.get("alt") if cell.cell_type == "code" else None
        alts += [alt] if isinstance(alt, str) else list(alt or [])
    return alts


def web_image(mime: str, data: bytes) -> tuple[str, bytes]:
    """(extension, bytes) to publish. A photo becomes a WebP at quality 85 (a mixup grid:
    240 -> 22 KB, no visible change); plots stay lossless PNG, lossy coding blurs their
    lines and text. Photo-like = opaque and over half a byte per pixel as PNG (photos
    here take ~1.0, plots and masks 0.1-0.2)."""
    import io

    from PIL import Image

    if mime != "png":
        return "jpg", data
    im = Image.open(io.BytesIO(data))
    if im.mode in ("RGBA", "LA") and im.getchannel("A").getextrema()[0] < 255:
        return "png", data                       # transparent: keep the alpha channel exact
    if len(data) < 0.5 * im.width * im.height:
        return "png", data
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "WEBP", quality=85, method=6)
    return "webp", buf.getvalue()


def _web_image_cached(mime: str, data: bytes) -> tuple[str, bytes]:
    """``web_image``, cached on disk by the input (WebP encoding is the slow part)."""
    key = hashlib.sha256(mime.encode() + data).hexdigest()[:20]
    folder = figures.CACHE_DIR / "nb-images"
    for hit in folder.glob(f"{key}.*"):
        return hit.suffix[1:], hit.read_bytes()
    ext, out = web_image(mime, data)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.{ext}").write_bytes(out)
    return ext, out


def _notebook_images(output: str, page, config) -> str:
    """Move a lab's inline base64 images into files: lazy-loaded, with their size, and
    with the alt text of their cell (nbconvert writes a placeholder alt)."""
    import base64
    import io

    from mkdocs.exceptions import PluginError
    from PIL import Image

    found = list(NB_IMG_RE.finditer(output))
    prefix = ROOT_PREFIX_RE.search(output)       # relative path to the site's assets/
    if not found or prefix is None:
        return output
    alts = lab_alts(page.file.abs_src_path)
    if len(alts) != len(found):
        raise PluginError(f"{page.file.src_uri}: {len(found)} image output(s) but {len(alts)} alt text(s) "
                          f"in the code cells' metadata.alt; give every image a description")
    it = iter(alts)

    def fix(m):
        ext, data = _web_image_cached(m["mime"], base64.b64decode(m["data"]))
        name = f"{NB_IMG_DEST}/{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
        dest = Path(os.path.normpath(Path(page.file.abs_dest_path).parent / prefix.group(1) / name))
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        width, height = Image.open(io.BytesIO(data)).size
        attrs = ALT_ATTR_RE.sub("", m["before"] + m["after"]).strip()
        return (f'<img src="{prefix.group(1)}{name}" alt="{_html.escape(next(it))}" '
                f'width="{width}" height="{height}" loading="lazy" decoding="async" {attrs}>')
    return NB_IMG_RE.sub(fix, output)


# KaTeX's fonts are `font-display: block`: text is laid out with a fallback font first and
# re-laid out when they arrive, which shifted the RF page by 3 px (Lighthouse CLS 0.19).
# The two fonts nearly every formula uses are preloaded on pages with math.
PRELOAD_FONTS = ("KaTeX_Main-Regular", "KaTeX_Math-Italic")


def _preload_math_fonts(output: str, config) -> str:
    offline = config.plugins.get("material/offline")
    if offline is not None and offline.config.enabled:
        return output        # from file:// a crossorigin preload is a CORS error, no gain
    prefix = ROOT_PREFIX_RE.search(output)
    if prefix is None or 'class="katex"' not in output:
        return output
    links = "".join(f'<link rel="preload" href="{prefix.group(1)}assets/vendor/katex/fonts/{name}.woff2" '
                    f'as="font" type="font/woff2" crossorigin>\n' for name in PRELOAD_FONTS)
    return output.replace("</head>", links + "</head>", 1)


def on_post_page(output, page, config):
    where = page.file.src_uri
    output = _language_search_base(output, page)
    if where.endswith(".ipynb"):
        output = _notebook_heading_ids(output, page)
        output = _shared_notebook_css(output, page)
        output = _notebook_images(output, page, config)
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
            body = NB_MATH_RE.sub(
                lambda h: f'<span class="arithmatex">{next(it)}</span>', body)
            return m.group(1) + body + m.group(3)
        output = NB_MD_RE.sub(cell, output)
    output = _preload_math_fonts(output, config)
    return output
