"""The practice progress at build time (scripts/site/cards.py, collections.py, assets.py): the
"Test yourself" line after the 30-second answer of every topic page, the reserved progress lines,
and the pages' own script paths under the offline bundle's .html URLs."""
from types import SimpleNamespace as NS

import pytest

from scripts.site import assets, cards
from tests.test_site_cards import EN, ZH


def _site(tmp_path):
    for lang, text in (("en", EN), ("zh", ZH)):
        (tmp_path / lang / "sec").mkdir(parents=True)
        (tmp_path / lang / "sec" / "t.md").write_text(text, encoding="utf-8")
    return NS(nav=[{"S": ["sec/t.md", "sec/t-lab.ipynb"]}], docs_dir=str(tmp_path))


def _page(src_uri):
    return NS(file=NS(src_uri=src_uri), meta={})


@pytest.mark.parametrize("lang, label, empty", [("en", "Test yourself", "5 cards · not practised yet"),
                                               ("zh", "练一练", "共 5 张 · 还没练过")])
def test_topic_page_gets_the_link_and_a_reserved_progress_line_after_the_30_second_answer(tmp_path, lang, label,
                                                                                        empty):
    config = _site(tmp_path)
    page = _page(f"{lang}/sec/t.md")
    source = (tmp_path / lang / "sec" / "t.md").read_text(encoding="utf-8")
    out = cards.expand(source, page, config)
    lines = out.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("!!! abstract"))
    bar = next(i for i, ln in enumerate(lines) if ln.startswith('<div class="pq-bar"'))
    assert all(ln.startswith("    ") or not ln.strip() for ln in lines[at + 1:bar]), "right after the answer"
    assert f"[{label}](../practice.md?topic=sec/t){{ .pq-go }}" in out
    assert 'data-topic="sec/t" data-cards="30s claim-one left-out why-this second" title=' in out
    assert f">{empty}</span>" in out
    assert page.meta["practice_progress"] is True
    assert (tmp_path / lang / "sec" / "t.md").read_text(encoding="utf-8") == source, "the source is untouched"


def test_other_pages_get_no_link_and_the_home_map_gets_its_progress_lines(tmp_path):
    config = _site(tmp_path)
    page = _page("en/drill.md")
    assert cards.expand("# Drill\n", page, config) == "# Drill\n" and "practice_progress" not in page.meta
    home = _page("en/index.md")
    out = cards.expand("[**T**](sec/t.md): d <!-- practice-progress: sec/t -->\n", home, config)
    assert '<span class="pq-prog" data-topic="sec/t"' in out and "<!--" not in out
    assert home.meta["practice_progress"] is True


@pytest.mark.parametrize("url, src, expected", [
    ("practice.html", "../assets/js/practice.js", "assets/js/practice.js"),
    ("zh/practice.html", "../../assets/js/practice.js", "../assets/js/practice.js"),
    ("cnn/receptive-field.html", "../../assets/js/rf.js", "../assets/js/rf.js"),
    ("zh/cnn/receptive-field.html", "../../../assets/js/rf.js", "../../assets/js/rf.js"),
    ("index.html", "assets/js/x.js", "assets/js/x.js"),
    ("zh/index.html", "../assets/js/x.js", "../assets/js/x.js"),
    ("practice.html", "https://example.org/x.js", "https://example.org/x.js"),
])
def test_script_paths_written_for_directory_urls_work_under_html_urls(url, src, expected):
    html = f'<p>x</p>\n<script defer src="{src}"></script>'
    out = assets.rebase_scripts(html, NS(url=url), NS(use_directory_urls=False))
    assert out == f'<p>x</p>\n<script defer src="{expected}"></script>'
    assert assets.rebase_scripts(html, NS(url=url), NS(use_directory_urls=True)) == html
