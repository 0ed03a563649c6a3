"""Shrink the self-hosted KaTeX fonts to the characters the site's math uses.

A math page loads 3–5 KaTeX fonts, ~80 KB of woff2; KaTeX_AMS-Regular alone (27 KB)
is fetched for a single blackboard-bold E. Math is rendered at build time, so after
the build every glyph any page can ask for is known: it is a character inside a
``<span class="katex">`` element of some page. Each font is cut to that set (fonts
lacking a character simply do not get it; the browser never asks them for it).
"""
from __future__ import annotations

import hashlib
import html as _html
import io
import re
from pathlib import Path

from fontTools import subset as _subset
from fontTools.ttLib import TTFont

KATEX_START_RE = re.compile(r'<span class="katex(?:-display)?">')
SPAN_TAG_RE = re.compile(r"<(/?)span\b[^>]*>")
TAG_RE = re.compile(r"<[^>]+>")


def math_characters(html: str) -> set[str]:
    """Characters inside the KaTeX output of one HTML page."""
    if not isinstance(html, str):
        raise TypeError(f"math_characters needs HTML as a str, got {type(html).__name__}")
    chars: set[str] = set()
    pos = 0
    while (m := KATEX_START_RE.search(html, pos)) is not None:
        depth, end = 1, len(html)
        for tag in SPAN_TAG_RE.finditer(html, m.end()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = tag.end()
                break
        chars |= set(_html.unescape(TAG_RE.sub("", html[m.end():end])))
        pos = end
    chars -= {"\n", "\r", "\t"}
    return chars


def subset_woff2(data: bytes, chars: set[str]) -> bytes:
    """``data`` (a woff2 font) keeping only the glyphs for ``chars``; woff2 again."""
    if not isinstance(data, bytes) or data[:4] != b"wOF2":
        raise ValueError("subset_woff2 needs the bytes of a woff2 font")
    font = TTFont(io.BytesIO(data))
    options = _subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]          # keep kerning/ligatures for the kept glyphs
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = _subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def subset_fonts(font_dir: Path, chars: set[str], cache_dir: Path) -> dict[str, tuple[int, int]]:
    """Replace every ``*.woff2`` in ``font_dir`` by its subset (cached by font + chars).

    Returns ``{font name: (bytes before, bytes after)}``.
    """
    key_chars = "".join(sorted(chars)).encode("utf-8")
    sizes = {}
    for path in sorted(Path(font_dir).glob("*.woff2")):
        data = path.read_bytes()
        key = hashlib.sha256(data + b"\0" + key_chars).hexdigest()[:20]
        cached = Path(cache_dir) / f"{path.stem}-{key}.woff2"
        if not cached.exists():
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(subset_woff2(data, chars))
        small = cached.read_bytes()
        path.write_bytes(small)
        sizes[path.name] = (len(data), len(small))
    return sizes
