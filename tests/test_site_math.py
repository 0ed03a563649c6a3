"""scripts/site/math.py: formulas become KaTeX HTML at build time; bad TeX names the page."""
import pytest

from scripts.site import math as site_math


def test_inline_and_display_math_are_rendered(tmp_path, monkeypatch):
    monkeypatch.setattr(site_math, "KATEX_CACHE", tmp_path / "k.json")
    monkeypatch.setattr(site_math, "_katex_cache", None)
    html = ('<p><span class="arithmatex">\\(x^2\\)</span></p>'
            '<div class="arithmatex">\\[\\frac{a}{b}\\]</div>')
    out = site_math.render_page(html, "p.md")
    assert out.count('class="katex"') == 2 and 'class="katex-display"' in out and "\\(" not in out
    assert (tmp_path / "k.json").exists()


def test_lab_markdown_cells_dollar_math_is_rendered(tmp_path, monkeypatch):
    monkeypatch.setattr(site_math, "KATEX_CACHE", tmp_path / "k.json")
    monkeypatch.setattr(site_math, "_katex_cache", None)
    html = '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown"><p>cost $a+b$ and $$c^2$$</p></div>'
    out = site_math.render_page(html, "lab.ipynb")
    assert out.count('class="katex"') == 2 and "$" not in out


def test_bad_tex_fails_naming_the_page(tmp_path, monkeypatch):
    monkeypatch.setattr(site_math, "KATEX_CACHE", tmp_path / "k.json")
    monkeypatch.setattr(site_math, "_katex_cache", None)
    with pytest.raises(SystemExit, match=r"page\.md: KaTeX cannot render"):
        site_math.render_page('<span class="arithmatex">\\(\\frac{a}\\)</span>', "page.md")
