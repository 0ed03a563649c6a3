"""MkDocs hook: the event wiring of the build, and nothing else.

Each concern lives in its own module of ``scripts/site/`` (its docstring says what it
owns and what it must not touch); this file says which module runs on which event, at
which priority, and why in that order. i18n (mkdocs-static-i18n) builds the English
site, then the Chinese one, in one process: every event below runs once per language,
except ``on_post_build``'s work, which waits for the merged site.
"""
from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.site import assets, background, cards, collections, figures, labs, math, patches, search  # noqa: E402
from scripts.site.common import DiskMemo, dlnotes_digest  # noqa: E402


def on_config(config):
    patches.apply(run_lab=labs.executed_copy, digest=dlnotes_digest)
    patches.memoize_highlight(DiskMemo("highlight"))
    patches.memoize_render(DiskMemo("page-render"), ROOT)     # after: a miss highlights through it
    patches.share_template_bytecode()
    patches.local_polyfills(config)
    assets.configure(config)
    return config


def on_pre_build(config):
    # Stale figures and labs, made by one worker process per core, longest first: a cold
    # build keeps both cores busy. Runs once per language and on every `mkdocs serve`
    # rebuild (usually with nothing to do).
    background.run(figures.jobs() + labs.jobs(config))
    figures.refresh()
    patches.keep_notebook_cache(config)        # after mkdocs-jupyter's own on_pre_build reset


@event_priority(-110)        # after i18n's on_files (-100), which rebuilds the file list
def on_files(files, config):
    collections.add_files(files, config)
    cards.add_files(files, config)            # validates every card: a malformed one fails here
    figures.add_files(files, config)
    patches.rewrap_notebooks(files, config)
    return files


def on_page_markdown(markdown, page, config, files):
    # Collections first: the print page pulls in other pages' fig: markup.
    markdown, eager = collections.expand(markdown, page, config)
    markdown = cards.expand(markdown, page, config)     # after: the print page carries card keys
    return figures.expand(markdown, page, eager)


def on_page_content(html, page, config, files):
    search.exclude_from_material(page)        # Material's index is unused: ours is built below
    return assets.rebase_scripts(html, page, config)   # widget scripts under .html URLs (offline)


def on_post_page(output, page, config):
    output = search.page_config(output, page, offline=_offline(config))
    if labs.is_lab(page):
        output = labs.post_page(output, page)
    search.collect(output, page)              # lab cells final; before math: TeX, not KaTeX's spans
    output = math.render_page(output, page.file.src_uri)
    output = cards.split_deck(output, page)   # after math: the cards leave rendered
    return assets.preload_math_fonts(output, config)


@event_priority(-110)        # after i18n merged both languages' search indexes
def on_post_build(config):
    i18n = config.plugins.get("i18n")
    if i18n is not None and getattr(i18n, "building", False):
        return                                   # the nested Chinese build; wait for the merge
    site = Path(config.site_dir)
    DiskMemo.save_all()                          # build caches (highlighting, search sections)
    assets.subset_katex_fonts(site, extra=cards.deck_fragments(site))   # the cards' math too
    search.write_index(site, offline=_offline(config))   # after the offline plugin wrote its stub


def _offline(config) -> bool:
    offline = config.plugins.get("material/offline")
    return offline is not None and offline.config.enabled
