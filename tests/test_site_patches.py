"""scripts/site/patches.py: each work-around still matches the upstream code it patches.

If one of these fails after an upgrade, read the patch's note in patches.py: either the
upstream behaviour is gone (drop the patch) or the code it hooks into moved (fix it).
"""
import inspect
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
