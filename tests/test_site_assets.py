"""scripts/site/assets.py: math pages preload the two KaTeX fonts, except offline."""
from types import SimpleNamespace as NS

from scripts.site.assets import configure, preload_math_fonts

HTML = ('<html><head><link href="../assets/stylesheets/main.x.css"></head>'
        '<body><span class="katex">x</span></body></html>')


def _config(offline):
    return NS(plugins={"material/offline": NS(config=NS(enabled=offline))})


def test_math_pages_preload_fonts_relative_to_the_page():
    out = preload_math_fonts(HTML, _config(False))
    assert out.count('rel="preload"') == 2 and 'href="../assets/vendor/katex/fonts/KaTeX_Main-Regular.woff2"' in out


def test_no_preload_offline_or_without_math():
    assert preload_math_fonts(HTML, _config(True)) == HTML
    plain = HTML.replace('class="katex"', 'class="x"')
    assert preload_math_fonts(plain, _config(False)) == plain


def test_no_edit_links_without_a_repository():
    config = NS(repo_url=None, edit_uri="edit/main/docs/")
    configure(config)
    assert config.edit_uri is None
