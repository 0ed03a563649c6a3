"""Figures in the site: drawn before the build, added as site files, placed by ``fig:``.

Events: ``on_pre_build`` (``start`` / ``finish``: draw what is stale, in a fresh Python
process so an edit to dlnotes or a figure module is always picked up by ``mkdocs
serve``), ``on_files`` (``add_files``), ``on_page_markdown`` (``expand``).
Owns: ``.cache/figures`` (via ``scripts.figures``, the figure builders) and the
``![alt](fig:name)`` syntax. Must not touch: page text other than that syntax.
"""
from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
import tempfile

from mkdocs.structure.files import File

from scripts import figures as drawings
from scripts.site.common import ONE_THREAD_ENV, ROOT, log

FIG_DEST = "assets/figures"
FIG_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(fig:(?P<name>[a-z0-9-]+)\)(?P<attrs>\{[^}]*\})?")
# Size and loading attributes are generated; an author's own {…} after fig: is an error.
_FIGURES: dict[str, str] = {}     # figure name -> module, read from the sources each build


class Drawing:
    """Stale figures being drawn in background processes (none when all are cached).

    A cold build has dozens to draw: they are dealt round-robin to ``workers`` processes
    (one per core) so drawing is not the one long tail while the labs run."""

    def __init__(self, workers: int = min(2, os.cpu_count() or 1)):
        todo = drawings.stale()
        self.procs = []
        if todo:
            log.info(f"drawing {len(todo)} figure(s): {', '.join(todo)}")
        shares = [todo[i::workers] for i in range(workers if len(todo) >= 4 * workers else 1)]
        for share in filter(None, shares):
            errors = tempfile.TemporaryFile()     # a file, not a pipe: a full pipe would stall it
            proc = subprocess.Popen([sys.executable, "-m", "scripts.figures", *share], cwd=ROOT,
                                    env=ONE_THREAD_ENV, stdout=subprocess.DEVNULL, stderr=errors)
            self.procs.append((proc, errors))

    def finish(self) -> None:
        """Wait for the drawing; fail the build with the error output of a failed process."""
        global _FIGURES
        failed = []
        for proc, errors in self.procs:
            if proc.wait():
                errors.seek(0)
                failed.append(errors.read().decode(errors="replace")[-4000:])
            errors.close()
        if failed:
            raise SystemExit("figures failed:\n" + "\n".join(failed))
        _FIGURES = drawings.all_figures()


def start() -> Drawing:
    return Drawing()


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
