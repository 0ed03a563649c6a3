"""Every work-around of an upstream plugin, in one place.

Each patch names the upstream behaviour it works around and the version it was checked
against (``CHECKED``); ``tests/test_site_patches.py`` fails loudly when an upgrade
removes the behaviour (the patch may be dropped) or the code a patch hooks into.

mkdocs-jupyter
  1. Its page cache is keyed by the notebook file only; every lab imports ``dlnotes``,
     so an edit there kept serving stale outputs. ``apply`` adds a digest of dlnotes.
  2. It executes the English and the Chinese twin of a lab separately although their
     code is the same. ``apply`` routes execution through ``run_lab``, which runs each
     distinct code once (``labs.executed_copy``).
  3. ``on_post_build`` evicts every cache file not used by *this* build; i18n builds
     one language at a time, so each build evicted the other language's pages.
     ``keep_notebook_cache`` (on_pre_build, after the plugin's own) keeps them all.
mkdocs-static-i18n
  4. Its ``on_files`` (priority -100) rebuilds every file as a plain ``File``, turning
     mkdocs-jupyter's notebook pages back into static files: the raw ``.ipynb`` JSON was
     published and ``--strict`` did not notice. ``rewrap_notebooks`` (on_files, later)
     wraps them again, keeping i18n's destination.
mkdocs-material (offline plugin)
  5. It loads the iframe-worker shim from unpkg.com; ``local_polyfills`` points it at
     the vendored copy, so the offline bundle makes no request to another origin.
pymdown-extensions (highlight)
  6. Pygments highlighting of code blocks was a third of a warm build: every block is
     highlighted again on each build, in both languages and again on the print pages.
     ``memoize_highlight`` keeps each result in ``.cache/highlight.json``, keyed by the
     source, the lexer and formatter classes and all their options, and the versions.
     Pygments output is a pure function of those, so the HTML is byte-identical.
mkdocs
  7. ``Page.render`` converts every page's Markdown again on every build and every
     ``mkdocs serve`` reload: half of a warm build, although one page changed.
     ``memoize_render`` keeps what a render produces (HTML, table of contents, title,
     anchors, links to anchors, and the log messages it emitted, replayed on a hit so
     ``--strict`` still fails) in ``.cache/page-render.json``, keyed by everything the
     render reads: the page's Markdown after the hooks, its source and URL, the file list
     (links are resolved and checked against it), the files its snippets include,
     mkdocs.yml and the ``validation``/URL settings, and the versions. A page whose
     snippet lines cannot be read is always rendered.
nbconvert
  8. ``TemplateExporter`` builds a new Jinja environment for every notebook, and
     mkdocs-jupyter makes a new exporter for every lab page: a cold build compiled the same
     templates ~600 times (a fifth of its page rendering). ``share_template_bytecode``
     gives those environments one in-memory bytecode cache, keyed by template, source
     checksum and the environment's settings, so each template compiles once per process.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path
from typing import Callable

CHECKED = {"nbconvert": "7.17.2", "mkdocs-jupyter": "0.26.3", "mkdocs-static-i18n": "1.3.1", "mkdocs-material": "9.8.1",
           "pymdown-extensions": "13.1", "mkdocs": "1.6.1", "markdown": "3.11.3"}
IFRAME_WORKER = "assets/vendor/iframe-worker/shim.js"


def apply(run_lab: Callable[[str, str, bool], str], digest: Callable[[], str]) -> None:
    """Patches 1 and 2, once per process: ``digest()`` joins the page cache key;
    ``run_lab(nb_path, kernel_name, allow_errors)`` returns the path of an executed copy."""
    import mkdocs_jupyter.convert as mjc
    import mkdocs_jupyter.plugin as mjp

    if getattr(mjp, "_dlnotes_patched", False):
        return
    original_key, original_nb2html = mjp._compute_cache_key, mjc.nb2html

    def cache_key(nb_path, config, exec_nb):
        return hashlib.sha256((original_key(nb_path, config, exec_nb) + digest()).encode()).hexdigest()

    def nb2html(nb_path, execute=False, kernel_name="", allow_errors=True, **kwargs):
        if execute and str(nb_path).endswith(".ipynb"):
            nb_path, execute = run_lab(str(nb_path), kernel_name, allow_errors), False
        return original_nb2html(nb_path, execute=execute, kernel_name=kernel_name,
                                allow_errors=allow_errors, **kwargs)

    mjp._compute_cache_key, mjc.nb2html, mjp._dlnotes_patched = cache_key, nb2html, True


def memoize_highlight(memo) -> None:
    """Patch 6, once per process: pymdownx's call to ``pygments.highlight`` goes through
    ``memo`` (a ``common.DiskMemo``) for block code; inline code is cheap and left alone."""
    import pygments
    import pymdownx.highlight as ph

    if getattr(ph, "_dlnotes_patched", False):
        return
    original = ph.highlight

    def highlight(code, lexer, formatter, outfile=None):
        if outfile is not None or type(formatter).__name__ != "BlockHtmlFormatter":
            return original(code, lexer, formatter, outfile)
        key = repr((pygments.__version__, CHECKED["pymdown-extensions"], code,
                    type(lexer).__module__, type(lexer).__qualname__, sorted(lexer.options.items()),
                    type(formatter).__module__, sorted(formatter.options.items())))
        return memo.get(key, lambda: original(code, lexer, formatter))

    ph.highlight, ph._dlnotes_patched = highlight, True


SNIPPET_RE = re.compile(r'^[ \t]*--8<--[ \t]+"([^"]+)"[ \t]*$', re.M)


_RENDER: dict = {}


def memoize_render(memo, root: Path) -> None:
    """Patch 7: ``Page.render`` goes through ``memo`` (a ``DiskMemo``); ``root`` is where
    snippet paths and mkdocs.yml are read from. Patched once per process; a later call
    swaps the memo and root."""
    import logging

    import mkdocs.structure.pages as pages

    _RENDER.update(memo=memo, root=Path(root))
    if getattr(pages.Page, "_dlnotes_patched", False):
        return
    original, original_get_toc = pages.Page.render, pages.get_toc
    versions = repr(sorted(CHECKED.items()))
    toc_tokens: list = []

    def get_toc(tokens):                             # Page.render keeps only the built toc
        toc_tokens[:] = [tokens]
        return original_get_toc(tokens)

    def render(self, config, files):
        memo, root = _RENDER["memo"], _RENDER["root"]
        key = _render_key(self, config, files, root, versions)
        if key is None:
            return original(self, config, files)
        computed = []

        def compute():
            records = []
            handler = _Collect(records)
            logging.getLogger().addHandler(handler)
            try:
                original(self, config, files)
            finally:
                logging.getLogger().removeHandler(handler)
            computed.append(True)
            links = self.links_to_anchors
            return {"content": self.content, "toc": toc_tokens[0], "title": self._title_from_render,
                    "anchors": sorted(self.present_anchor_ids),
                    "links": None if links is None else {f.src_uri: d for f, d in links.items()},
                    "logs": records}

        value = memo.get(key, compute)
        if computed:
            return                                   # rendered just now: the page is set
        self.content, self.toc = value["content"], original_get_toc(value["toc"])
        self._title_from_render = value["title"]
        self.present_anchor_ids = set(value["anchors"])
        if value["links"] is not None:               # (the file list is in the key: all exist)
            self.links_to_anchors = {files.get_file_from_path(s): d for s, d in value["links"].items()}
        for name, level, message in value["logs"]:   # strict mode counts these again
            logging.getLogger(name).log(level, message)

    pages.get_toc, pages.Page.render, pages.Page._dlnotes_patched = get_toc, render, True


def share_template_bytecode() -> None:
    """Patch 8, once per process: nbconvert's template environments share compiled templates."""
    import jinja2
    from nbconvert.exporters.templateexporter import TemplateExporter

    if getattr(TemplateExporter, "_dlnotes_patched", False):
        return
    original = TemplateExporter._create_environment

    class SharedBytecode(jinja2.BytecodeCache):
        store: dict = {}

        def __init__(self, flavour: str):
            self.flavour = flavour              # compiled code depends on these settings

        def load_bytecode(self, bucket):
            code = self.store.get((self.flavour, bucket.key, bucket.checksum))
            if code is not None:
                bucket.code = code

        def dump_bytecode(self, bucket):
            self.store[(self.flavour, bucket.key, bucket.checksum)] = bucket.code

    def create_environment(self):
        env = original(self)
        if env.bytecode_cache is None:
            env.bytecode_cache = SharedBytecode(repr((env.is_async, env.autoescape, sorted(env.extensions),
                                                      env.block_start_string, env.variable_start_string,
                                                      env.comment_start_string, env.line_statement_prefix,
                                                      env.trim_blocks, env.lstrip_blocks, env.optimized)))
        return env

    TemplateExporter._create_environment, TemplateExporter._dlnotes_patched = create_environment, True


class _Collect:
    """A logging handler keeping (logger, level, message) of INFO and above."""
    def __init__(self, records):
        import logging
        self.records, self.level = records, logging.INFO

    def handle(self, record):
        if record.levelno >= self.level:
            self.records.append((record.name, record.levelno, record.getMessage()))
        return True


def _render_key(page, config, files, root: Path, versions: str) -> str | None:
    markdown = page.markdown or ""
    included = SNIPPET_RE.findall(markdown)
    if markdown.count("--8<--") != len(included):
        return None                                  # a form we do not parse: always render
    parts = [versions, page.file.src_uri, page.file.dest_uri, page.file.url,
             repr(config.use_directory_urls), repr(dict(config.validation)),
             (root / "mkdocs.yml").read_text(encoding="utf-8"), _files_digest(files)]
    for path in sorted(set(included)):
        file = root / path.split(":", 1)[0]
        parts.append(f"{path}\0{file.read_text(encoding='utf-8') if file.is_file() else '(missing)'}")
    return "\0".join(parts) + "\0" + markdown


def _files_digest(files) -> str:
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.src_uri):
        h.update(f"{f.src_uri}\0{f.dest_uri}\0{f.url}\n".encode())
    return h.hexdigest()


class _KeepAll(set):
    def __contains__(self, item):
        return True


def keep_notebook_cache(config) -> None:
    """Patch 3: mkdocs-jupyter evicts nothing (``make clean`` drops the cache)."""
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is not None:
        plugin._used_cache_paths = _KeepAll()


def rewrap_notebooks(files, config) -> None:
    """Patch 4: wrap the notebooks that i18n turned back into plain files."""
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


def local_polyfills(config) -> None:
    """Patch 5: the offline plugin's iframe-worker shim from the site, not unpkg.com."""
    polyfills = config.extra.get("polyfills")
    if polyfills:
        config.extra["polyfills"] = [IFRAME_WORKER if "iframe-worker" in p else p for p in polyfills]
