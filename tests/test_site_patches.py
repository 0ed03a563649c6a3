"""scripts/site/patches.py: each work-around still matches the upstream code it patches.

If one of these fails after an upgrade, read the patch's note in patches.py: either the
upstream behaviour is gone (drop the patch) or the code it hooks into moved (fix it).
"""
import inspect
import re
from importlib.metadata import version
from types import SimpleNamespace as NS

import pytest

from scripts.site import patches


@pytest.mark.parametrize("package", sorted(patches.CHECKED))
def test_patched_packages_are_the_checked_versions(package):
    assert version(package) == patches.CHECKED[package], (
        f"{package} moved from {patches.CHECKED[package]} to {version(package)}: re-check the patch "
        f"notes in scripts/site/patches.py, then update CHECKED")


def test_mkdocs_jupyter_cache_key_still_ignores_imported_code():
    """Patch 1 is needed while the upstream key reads only the notebook file and options."""
    import mkdocs_jupyter.plugin as mjp

    source = inspect.getsource(mjp._compute_cache_key) if not getattr(mjp, "_dlnotes_patched", False) \
        else inspect.getsource(mjp._compute_cache_key.__closure__[1].cell_contents)
    assert "read_bytes()" in source and "import" not in source.split('"""')[-1]


def test_apply_adds_the_digest_and_routes_execution(tmp_path):
    import mkdocs_jupyter.convert as mjc
    import mkdocs_jupyter.plugin as mjp

    if not getattr(mjp, "_dlnotes_patched", False):
        params = inspect.signature(mjc.nb2html).parameters
        assert {"nb_path", "execute", "kernel_name", "allow_errors"} <= set(params)
    nb = tmp_path / "x.ipynb"
    nb.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    opts = {k: None for k in ("kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt",
                              "remove_tag_config", "highlight_extra_classes", "include_requirejs",
                              "custom_mathjax_url", "toc_depth")}
    digest = ["d1"]
    patches.apply(run_lab=lambda *a: str(nb), digest=lambda: digest[0])
    key1 = mjp._compute_cache_key(str(nb), opts, True)
    digest[0] = "d2"
    assert mjp._dlnotes_patched and mjp._compute_cache_key(str(nb), opts, True) != key1


def test_mkdocs_jupyter_still_evicts_by_used_cache_paths():
    """Patch 3 works by replacing ``_used_cache_paths``; upstream must still read it."""
    from mkdocs_jupyter.plugin import Plugin

    assert "_used_cache_paths" in inspect.getsource(Plugin.on_post_build)
    config = NS(plugins={"mkdocs-jupyter": NS()})
    patches.keep_notebook_cache(config)
    assert "anything" in config.plugins["mkdocs-jupyter"]._used_cache_paths


def test_i18n_still_rebuilds_files_so_notebooks_need_rewrapping(tmp_path):
    """Patch 4 is needed while i18n's create_i18n_file (docs_structure: folder) returns a
    plain File for any file it is given, a notebook page included."""
    from mkdocs.structure.files import File
    from mkdocs_jupyter.plugin import NotebookFile
    from mkdocs_static_i18n.folder import create_i18n_file

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "lab.ipynb").write_text("{}")
    config = NS(docs_dir=str(tmp_path), use_directory_urls=True, site_dir=str(tmp_path / "site"))
    plain = File("en/lab.ipynb", str(tmp_path), str(tmp_path / "site"), True)
    wrapped = NotebookFile(plain, use_directory_urls=True, site_dir=str(tmp_path / "site"))
    out = create_i18n_file(wrapped, "en", "en", ["en", "zh"], config)
    assert type(out) is File, "i18n now keeps notebook pages: patch 4 may be unnecessary"


def test_local_polyfills_replace_the_unpkg_shim():
    config = NS(extra={"polyfills": ["https://unpkg.com/iframe-worker/shim", "other.js"]})
    patches.local_polyfills(config)
    assert config.extra["polyfills"] == [patches.IFRAME_WORKER, "other.js"]


def test_pymdownx_still_calls_pygments_highlight_through_its_module_global():
    """Patch 6 replaces ``pymdownx.highlight.highlight``; upstream must still look it up there."""
    import pymdownx.highlight as ph

    assert "code = highlight(src, lexer, formatter)" in inspect.getsource(ph.Highlight.highlight)
    assert ph.BlockHtmlFormatter.__name__ == "BlockHtmlFormatter"


def test_memoized_highlight_is_byte_identical_and_computes_once(tmp_path, monkeypatch):
    import markdown
    import pymdownx.highlight as ph
    from scripts.site import common

    monkeypatch.setattr(common, "CACHE_DIR", tmp_path)
    md = lambda: markdown.markdown("```python\nx = [1, 2]  # a list\n```\n\nand `y = 1`",    # noqa: E731
                                   extensions=["pymdownx.highlight", "pymdownx.superfences",
                                               "pymdownx.inlinehilite"])
    if getattr(ph, "_dlnotes_patched", False):
        pytest.skip("already patched in this process (a build ran here); covered by the build tests")
    plain = md()
    memo = common.DiskMemo("highlight-test")
    monkeypatch.setattr(ph, "highlight", ph.highlight)       # undone after the test
    monkeypatch.setattr(ph, "_dlnotes_patched", False, raising=False)
    patches.memoize_highlight(memo)
    assert md() == plain                                   # first call: computed
    computed = dict(memo._used)
    assert len(computed) == 1                              # the block; inline code not memoized
    monkeypatch.setattr(memo, "_used", {k: v + "<!--from memo-->" for k, v in computed.items()})
    assert md().count("<!--from memo-->") == 1             # second call: served from the memo


# ---- Patch 7: Page.render memoized ------------------------------------------------------------
def _project(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nmarkdown_extensions:\n  - toc:\n      permalink: true\n"
        f"  - pymdownx.snippets:\n      base_path: ['{tmp_path}']\n      check_paths: true\n")
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n## Part one\n\nSee [b](b.md#part) and [gone](missing.md).\n")
    (tmp_path / "docs" / "b.md").write_text('# B\n\n## Part\n\n```python\n--8<-- "snip.py"\n```\n')
    (tmp_path / "snip.py").write_text("x = 1\n")
    return tmp_path


def _build(root, memo_path, caplog):
    """Build ``root`` in this process with patch 7 on; (pages' HTML, warnings, renders run)."""
    import markdown
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from scripts.site.common import DiskMemo

    memo = DiskMemo(f"test-render-{memo_path}")
    memo.path, memo._data, memo._used = memo_path, None, {}      # as a new process would
    patches.memoize_render(memo, root)
    runs = []
    original = markdown.Markdown.convert
    markdown.Markdown.convert = lambda md, text: (runs.append(text[:8]), original(md, text))[1]
    caplog.clear()
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
        config.plugins.on_startup(command="build", dirty=False)
        build(config)
    finally:
        markdown.Markdown.convert = original
    memo.save()
    html = {p: re.sub(r"Build Date UTC : .*", "", (root / "site" / p).read_text())
            for p in ("index.html", "b/index.html")}
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "missing.md" in r.getMessage()]
    return html, warnings, runs


def test_memoized_render_is_identical_replays_warnings_and_sees_snippets_and_new_files(tmp_path, caplog):
    root, memo = _project(tmp_path), tmp_path / "memo.json"
    first, warned, runs = _build(root, memo, caplog)
    assert len(runs) == 2 and len(warned) == 1, "both pages rendered; the broken link warned"
    again, warned_again, runs = _build(root, memo, caplog)
    assert runs == [] and again == first, "from the memo, byte for byte"
    assert warned_again == warned, "the warning is replayed: --strict still fails"
    assert 'href="#part-one"' in again["index.html"] or "part-one" in again["index.html"]

    (root / "snip.py").write_text("x = 2\n")                      # an included file changed
    changed, _, runs = _build(root, memo, caplog)
    assert runs == ["# B\n\n## "] and "x = 2" in changed["b/index.html"]
    (root / "docs" / "missing.md").write_text("# Now here\n")    # the file list changed
    _, warned, runs = _build(root, memo, caplog)
    assert len(runs) == 3 and warned == [], "every page rendered again; the link resolves now"


def test_a_snippet_form_the_key_cannot_read_is_never_memoized(tmp_path):
    page = NS(markdown='--8<--\nsnip.py\n--8<--\n', file=NS(src_uri="a.md", dest_uri="a/index.html", url="a/"))
    config = NS(use_directory_urls=True, validation={})
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    assert patches._render_key(page, config, [], tmp_path, "v") is None
    page.markdown = '--8<-- "snip.py"\n'
    assert "(missing)" in patches._render_key(page, config, [], tmp_path, "v")


def test_mkdocs_render_still_sets_what_the_memo_restores():
    """Patch 7 restores these attributes on a hit; if Page.render sets more, the memo must too."""
    import mkdocs.structure.pages as pages

    source = inspect.getsource(pages)          # the module: Page.render itself may be patched
    body = source[source.index("    def render(self, config: MkDocsConfig, files: Files)"):]
    body = body[:body.index("\n    present_anchor_ids")]
    assigned = sorted(set(re.findall(r"self\.(\w+) = ", body)))
    assert assigned == ["_title_from_render", "content", "links_to_anchors", "present_anchor_ids", "toc"]
    assert "get_toc(getattr(md, 'toc_tokens', []))" in body


def test_nbconvert_compiles_each_template_once_and_renders_the_same(tmp_path):
    """Patch 8: needed while every exporter builds its own environment (no bytecode cache)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("1 + 1")])
    before = HTMLExporter().from_notebook_node(nb)[0]
    if not getattr(TemplateExporter, "_dlnotes_patched", False):
        assert HTMLExporter().environment.bytecode_cache is None, "upstream caches now: drop patch 8"
    patches.share_template_bytecode()
    compiled = []
    import jinja2
    original = jinja2.Environment._compile
    jinja2.Environment._compile = lambda env, source, filename: (compiled.append(filename), original(env, source, filename))[1]
    try:
        first = HTMLExporter().from_notebook_node(nb)[0]
        n_first = len(compiled)
        second = HTMLExporter().from_notebook_node(nb)[0]
    finally:
        jinja2.Environment._compile = original
    assert len(compiled) == n_first, "the second exporter compiled nothing"
    strip = lambda html: re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", html)  # noqa: E731
    assert strip(first) == strip(second) == strip(before)
