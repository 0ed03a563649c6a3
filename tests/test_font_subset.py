"""scripts/site/font_subset.py: which characters the math uses, and a subset that keeps them."""
import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from scripts.site.font_subset import math_characters, subset_woff2

FONT = Path(__file__).resolve().parents[1] / "docs" / "assets" / "vendor" / "katex" / "fonts" / "KaTeX_Main-Regular.woff2"


def test_math_characters_reads_only_katex_output_and_handles_nesting():
    html = ('<p>prose ≠ math</p><span class="katex"><span class="katex-html"><span>x</span>'
            '<span>&lt;</span><span><span>∑</span></span></span></span><span>outside</span>'
            '<span class="katex-display"><span class="katex"><span>y</span></span></span>')
    assert math_characters(html) == {"x", "<", "∑", "y"}


def test_subset_keeps_the_requested_glyphs_and_drops_the_rest():
    data = FONT.read_bytes()
    small = subset_woff2(data, {"x", "+", "∑"})
    cmap = TTFont(io.BytesIO(small)).getBestCmap()
    assert {ord("x"), ord("+")} <= set(cmap) and ord("y") not in cmap
    assert small[:4] == b"wOF2" and len(small) < len(data) / 2


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="woff2 font"):
        subset_woff2(b"not a font", {"x"})
    with pytest.raises(TypeError, match="HTML as a str"):
        math_characters(b"<span>")
