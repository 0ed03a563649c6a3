"""Site-wide asset trimming and small config fixes that every page feels.

Events: ``on_config`` (``configure``: no edit links without a repository),
``on_page_content`` (``rebase_scripts``: the pages' own ``<script src>`` under ``.html`` URLs),
``on_post_page`` (``preload_math_fonts``), ``on_post_build`` (``subset_katex_fonts``:
cut KaTeX's fonts to the characters the site's math uses, see ``font_subset``).
Owns: ``assets/vendor/katex/fonts`` in the built site, ``.cache/katex-fonts``.
Must not touch: page content (the src of its script tags aside).
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from scripts.site import font_subset
from scripts.site.common import CACHE_DIR, ROOT_PREFIX_RE, log


def configure(config) -> None:
    if not config.repo_url:
        config.edit_uri = None      # edit links need the repository: DLNOTES_REPO_URL (README)


SCRIPT_SRC_RE = re.compile(r'(<script\b[^>]*?\bsrc=")([^"]+)(")')


def rebase_scripts(html: str, page, config) -> str:
    """Pages load their widgets with ``<script src="../assets/js/x.js">``, written for the
    page's directory URL (``practice/``, the site's URLs). Under ``.html`` URLs (the offline
    bundle: ``practice.html``) that path pointed above the site: every widget failed to load
    over file://. Resolve each relative src against the directory URL, relink it from the
    page's real URL."""
    if config.use_directory_urls or "<script" not in html:
        return html
    url = page.url                                   # e.g. "zh/practice.html", "index.html"
    real_dir = posixpath.dirname(url)
    authored_dir = real_dir if posixpath.basename(url) in ("", "index.html") else url.removesuffix(".html")

    def fix(m):
        src = m.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^/|^#", src, re.I):
            return m.group(0)
        target = posixpath.normpath(posixpath.join(authored_dir, src))
        return m.group(1) + posixpath.relpath(target, real_dir or ".") + m.group(3)
    return SCRIPT_SRC_RE.sub(fix, html)


# KaTeX's fonts are `font-display: block`: text is laid out with a fallback font first and
# re-laid out when they arrive, which shifted the RF page by 3 px (Lighthouse CLS 0.19).
# The two fonts nearly every formula uses are preloaded on pages with math.
PRELOAD_FONTS = ("KaTeX_Main-Regular", "KaTeX_Math-Italic")


def preload_math_fonts(output: str, config) -> str:
    offline = config.plugins.get("material/offline")
    if offline is not None and offline.config.enabled:
        return output        # from file:// a crossorigin preload is a CORS error, no gain
    prefix = ROOT_PREFIX_RE.search(output)
    if prefix is None or 'class="katex"' not in output:
        return output
    links = "".join(f'<link rel="preload" href="{prefix.group(1)}assets/vendor/katex/fonts/{name}.woff2" '
                    f'as="font" type="font/woff2" crossorigin>\n' for name in PRELOAD_FONTS)
    return output.replace("</head>", links + "</head>", 1)


def subset_katex_fonts(site: Path, extra=()) -> None:
    """Cut the KaTeX fonts in the built site to the characters its math uses (both
    languages, every page, and the HTML fragments in ``extra``, e.g. the practice deck
    that a page loads later): ~40 KB less per math page."""
    font_dir = site / "assets" / "vendor" / "katex" / "fonts"
    if not font_dir.is_dir():
        return
    chars: set[str] = set()
    for page in site.rglob("*.html"):
        chars |= font_subset.math_characters(page.read_text(encoding="utf-8"))
    for fragment in extra:
        chars |= font_subset.math_characters(fragment)
    sizes = font_subset.subset_fonts(font_dir, chars, CACHE_DIR / "katex-fonts")
    before, after = (sum(s[i] for s in sizes.values()) for i in (0, 1))
    log.info("KaTeX fonts cut to %d characters: %d -> %d KB", len(chars), before // 1024, after // 1024)
