"""Source-level checks: the page contract, EN/ZH parity, figures, snippets, notebooks."""
import re
from pathlib import Path

import pytest

from scripts import figures
from tests.pages import (ABSTRACT_TITLE, DOCS, LANGS, ROOT, SECTIONS, notebook_cells, nav_paths,
                         page_files, read_page, topic_pages)

TOPICS = topic_pages("en")


def test_there_is_at_least_one_topic():
    assert "training/dropout.md" in TOPICS


def test_same_pages_in_both_languages():
    assert page_files("en") == page_files("zh")


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    nav = nav_paths()
    assert sorted(nav) == sorted(set(nav)), "a page is listed twice in the nav"
    assert set(page_files("en")) == set(nav), (
        f"missing from nav: {sorted(set(page_files('en')) - set(nav))}; "
        f"nav entries without a page: {sorted(set(nav) - set(page_files('en')))}")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", [p for p in page_files("en") if p.endswith(".md")])
def test_front_matter(lang, path):
    meta = read_page(lang, path).meta
    assert isinstance(meta.get("title"), str) and meta["title"].strip(), "front matter needs a title"
    desc = meta.get("description")
    assert isinstance(desc, str) and 20 <= len(desc) <= 300, "description: one sentence of 20-300 characters"
    if "/" in path:
        assert isinstance(meta.get("tags"), list) and meta["tags"], "topic pages need tags"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", TOPICS)
def test_page_contract(lang, path):
    page = read_page(lang, path)
    body = page.body.lstrip()
    assert body.startswith("# "), "a topic page starts with its H1 title"
    after_h1 = body.split("\n", 1)[1].lstrip()
    head = f'!!! abstract "{ABSTRACT_TITLE[lang]}"'
    assert after_h1.startswith(head), f"the {ABSTRACT_TITLE[lang]!r} admonition comes right after the title"
    lines = after_h1.split("\n")[1:]
    content = []
    for line in lines:
        if line.startswith("    ") and line.strip():
            content.append(line)
        elif line.strip():
            break
    assert 1 <= len(content) <= 6, f"the 30-second answer has {len(content)} lines (1-6 allowed)"
    h2 = page.h2
    required = [next((n for n in s if n in h2), s[0]) if isinstance(s, tuple) else s for s in SECTIONS[lang]]
    missing = [s for s in required if s not in h2]
    assert not missing, f"missing sections: {missing}"
    order = [h2.index(s) for s in required]
    assert order == sorted(order), f"sections out of order: {h2}"
    assert page.figures, "a topic page shows at least one generated figure"
    assert 4 <= page.questions <= 8, f"{page.questions} follow-up questions (4-8 required)"
    refs = page.section(required[5])
    assert re.search(r"https?://", refs), "references need links (arXiv/DOI/docs)"
    notes = page.section(required[3])
    assert notes.strip(), "the corrections section is empty"


@pytest.mark.parametrize("path", TOPICS)
def test_parity_between_languages(path):
    en, zh = read_page("en", path), read_page("zh", path)
    assert en.figures == zh.figures, "same figures in the same order"
    assert en.snippets == zh.snippets, "same code includes in the same order"
    assert en.questions == zh.questions, "same number of follow-up questions"
    assert _doctests(en.body) == _doctests(zh.body), "same doctest blocks"
    assert sorted(en.meta.get("tags", [])) and len(en.meta["tags"]) == len(zh.meta["tags"])


def _doctests(text):
    from conftest import doctest_blocks
    return [src for _, src in doctest_blocks(text)]


def test_figures_used_exist_and_every_figure_is_used():
    registry = figures.all_figures()
    used = set()
    for lang in LANGS:
        for path in page_files(lang):
            if path.endswith(".md"):
                for name in read_page(lang, path).figures:
                    assert name in registry, f"{lang}/{path} uses unknown figure {name}"
                    used.add(name)
    # Figures may also be loaded by page widgets (e.g. as images a script blends).
    widget_text = "".join(p.read_text(encoding="utf-8") for p in (DOCS / "en").rglob("*.md"))
    orphans = [n for n in registry if n not in used and f"{n}." not in widget_text]
    assert not orphans, f"figures drawn but used by no page: {orphans}"


def test_snippet_sections_exist():
    for path in TOPICS:
        for snip in read_page("en", path).snippets:
            file, _, section = snip.partition(":")
            src = (ROOT / file).read_text(encoding="utf-8")
            if section:
                assert f"[start:{section}]" in src and f"[end:{section}]" in src, f"{snip} has no such section"


@pytest.mark.parametrize("path", [p for p in page_files("en") if p.endswith(".ipynb")])
def test_notebooks_are_clean_and_code_is_identical(path):
    code = {}
    for lang in LANGS:
        cells = notebook_cells(lang, path)
        for c in cells:
            assert "id" in c, f"{lang}/{path}: every cell needs an id"
            if c["cell_type"] == "code":
                assert not c.get("outputs"), f"{lang}/{path} is stored with outputs"
                assert c.get("execution_count") is None, f"{lang}/{path} is stored with execution counts"
            if c["cell_type"] == "markdown":
                src = "".join(c["source"])
                # nbconvert's Markdown eats the backslashes of \( \): Jupyter math is $...$.
                assert not re.search(r"\\\(|\\\[", src), f"{lang}/{path}: use $...$ for math in notebooks"
        code[lang] = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert code["en"] == code["zh"], "the EN and ZH labs must run the same code"


def test_every_notebook_is_linked_from_a_topic_page():
    for nb in [p for p in page_files("en") if p.endswith(".ipynb")]:
        name = Path(nb).name
        assert any(name in read_page("en", t).body for t in TOPICS), f"no page links to {nb}"


def test_glossary_has_both_languages_and_valid_pages():
    from scripts.site.common import read_glossary
    rows = read_glossary()
    assert len(rows) >= 20
    assert len({en[0].lower() for en, _, _ in rows}) == len(rows), "duplicate English term"
    for en, zh, page in rows:
        assert re.search(r"[\u4e00-\u9fff]", zh[0]), f"{en}: the Chinese term has no Chinese characters"
        if page:
            assert (DOCS / "en" / page).exists() and (DOCS / "zh" / page).exists(), f"{en}: no page {page}"
