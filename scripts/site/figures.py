"""Figures in the site: drawn before the build, added as site files, placed by ``fig:``.

Events: ``on_pre_build`` (``jobs``: what is stale, drawn by ``background`` in fresh
processes so an edit to dlnotes or a figure module is always picked up by ``mkdocs
serve``; ``refresh``), ``on_files`` (``add_files``), ``on_page_markdown`` (``expand``).
Owns: ``.cache/figures`` (via ``scripts.figures``, the figure builders) and the
``![alt](fig:name)`` syntax. Must not touch: page text other than that syntax.
"""
from __future__ import annotations

import posixpath
import re

from mkdocs.structure.files import File

from scripts import figures as drawings
from scripts.site.common import Job

FIG_DEST = "assets/figures"
FIG_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(fig:(?P<name>[a-z0-9-]+)\)(?P<attrs>\{[^}]*\})?")
# Size and loading attributes are generated; an author's own {…} after fig: is an error.
_FIGURES: dict[str, str] = {}     # figure name -> module, read from the sources each build


def jobs() -> list[Job]:
    """The stale figures as background jobs, one per figure module: a module's figures share
    their computation (see the ``lru_cache`` helpers in ``scripts/figures``), so one worker
    draws them all."""
    by_module: dict[str, list[str]] = {}
    known = drawings.all_figures()
    for name in drawings.stale():
        by_module.setdefault(known[name], []).append(name)
    return [Job(f"figures:{module}", "scripts.figures", "build", (names,), guess=1.5 * len(names),
                label=f"figures {', '.join(names)}")
            for module, names in sorted(by_module.items())]


def refresh() -> None:
    """Read the figure names again (after the drawing: a new figure may have appeared)."""
    global _FIGURES
    _FIGURES = drawings.all_figures()


def add_files(files, config) -> None:
    for name in _FIGURES:
        for path in drawings.output_paths(name).values():
            files.append(File.generated(config, f"{FIG_DEST}/{path.name}", abs_src_path=str(path)))


def expand(markdown: str, page, eager: bool = False) -> str:
    """Every ``![alt](fig:name)`` as its light and dark image with size and loading."""
    return FIG_RE.sub(lambda m: _figure_markup(m, page, eager), markdown)


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
    for scheme, path in drawings.output_paths(name).items():
        w, h = drawings.png_size(path)
        out.append(f'![{alt}]({rel}/{path.name}#only-{scheme})'
                   f'{{ width="{w}" height="{h}" loading="{"eager" if eager else "lazy"}" decoding="async" }}')
    return " ".join(out)
