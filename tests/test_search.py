"""Search: the full-text index of the built site and the worker that searches it, measured
on the repo's query set (tests/search/queries.tsv) under Node and in Chromium, and used as
a reader uses it: typed into Material's search box."""
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import type_search

from scripts import search_bench
from scripts.site.collections import follow_ups
from tests.pages import topic_pages

TOPICS = topic_pages("en")

ROOT = Path(__file__).resolve().parents[1]
QUERIES = search_bench.QUERIES
LANGS = ("en", "zh")


read_queries = search_bench.read_queries


def load_index(site: Path, lang: str) -> dict:
    stub = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    script = (site / "assets" / "search" / stub["config"]["dl"]["files"][lang]).read_text(encoding="utf-8")
    return json.loads(script.split("=", 2)[2].rstrip(";\n"))


def recall_report(results: list[dict], k: int = 3) -> str:
    misses = [r for r in results if r["expected"] not in r["found"][:k]]
    return "\n".join(f'{r["lang"]} {r["query"]!r}: expected {r["expected"]}, got {r["found"][:k]}' for r in misses)


# ---------------------------------------------------------------------------
# The query set and the index
# ---------------------------------------------------------------------------
def test_query_set_is_large_and_covers_every_topic_in_both_languages():
    rows = read_queries()
    assert len(rows) >= 150
    for lang in LANGS:
        expected = {e for la, _, e in rows if la == lang}
        missing = [t for t in TOPICS if t.removesuffix(".md") not in expected]
        assert not missing, f"{lang}: no query expects {missing}"
        for page in expected:
            assert any((ROOT / "docs" / lang / f"{page}{ext}").exists() for ext in (".md", ".ipynb")), page


@pytest.mark.site
def test_the_index_holds_every_page_in_full(built_site):
    for lang in LANGS:
        index = load_index(built_site, lang)
        pages = {p["u"]: p for p in index["pages"]}
        assert "print/" not in pages, "the print page repeats every page"
        assert len(pages["drill/"]["s"]) == 1, "the drill's questions are found on their topic pages"
        for topic in TOPICS:
            page = pages.get(topic.removesuffix(".md") + "/")
            assert page, f"{lang}/{topic} is not in the search index"
            text = " ".join(" ".join(s[1:]) for s in page["s"])
            for question, _ in follow_ups(ROOT / "docs", lang, topic):
                words = max(re.findall(r"[\w\u4e00-\u9fff][\w\u4e00-\u9fff ,'-]{5,}", question), key=len, default="")
                assert words.strip() in text, f"{lang}/{topic}: follow-up {question!r} is not searchable"
    en = {p["u"]: " ".join(" ".join(s[1:]) for s in p["s"]) for p in load_index(built_site, "en")["pages"]}
    for name, page in [("deepcopy", "python/copy/"), ("nn.Dropout", "training/dropout/"),
                       ("label_smoothing", "training/classification-losses/"),
                       ("CrossEntropyLoss", "training/classification-losses/"), ("KMeans", "ml/clustering/")]:
        assert name in en[page], f"code name {name} is not searchable on {page}"
    assert any(u.endswith("-lab/") and len(t) > 1000 for u, t in en.items()), "lab prose is not indexed"


@pytest.mark.site
def test_every_query_finds_its_page_in_the_top_3_with_node(built_site):
    out = subprocess.run(["node", str(ROOT / "tests" / "search" / "recall.js"), str(built_site), str(QUERIES)],
                         capture_output=True, text=True, check=True).stdout
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(read_queries())
    assert not recall_report(results), "recall@3 < 100 %:\n" + recall_report(results)


# ---------------------------------------------------------------------------
# In the browser
# ---------------------------------------------------------------------------
@pytest.mark.browser
def test_query_set_through_the_real_worker_recall_at_3(page_factory, site_url):
    results = []
    for lang in LANGS:
        rows = [r for r in read_queries() if r[0] == lang]
        page, problems = page_factory("" if lang == "en" else "zh/")
        found = search_bench.run_queries(page, site_url, lang, [q for _, q, _ in rows])
        results += [{"lang": lang, "query": q, "expected": e, "found": f} for (_, q, e), f in zip(rows, found)]
        assert not problems, problems
    assert not recall_report(results), "recall@3 < 100 % in the browser:\n" + recall_report(results)


@pytest.mark.browser
@pytest.mark.parametrize("path, query, expected, snippet", [
    ("", "label smoothing", "training/classification-losses/", "label smoothing"),
    ("zh/", "均方误差", "zh/training/softmax-large-scale/", "均方误差"),
    ("zh/", "采样softmax", "zh/training/softmax-large-scale/", "softmax"),
    ("zh/training/dropout/", "ＲｅＬＵ死亡", "zh/training/dying-relu/", "relu"),
])
def test_typed_query_shows_page_section_and_highlighted_snippet(page_factory, site_url, path, query, expected,
                                                                   snippet):
    page, problems = page_factory(path)
    items = type_search(page, query)
    first = items.first
    assert first.locator("a").first.get_attribute("href").split("?")[0].split("#")[0] == site_url + expected
    marks = [m.lower() for m in first.locator("mark").all_inner_texts()]
    assert any(snippet in m for m in marks), marks
    assert first.locator("h1").count() == 1 and first.locator("article p").count() >= 1
    assert not problems, problems


@pytest.mark.browser
def test_the_index_loads_when_the_reader_searches_not_before(page_factory):
    page, problems = page_factory("training/dropout/")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if "/assets/search/index-" in u], "the index loaded with the page"
    type_search(page, "dropout")
    assert [u for u in requests if "/assets/search/index-en." in u]
    assert not problems, problems


@pytest.mark.browser
def test_no_match_suggests_the_glossary_and_keyboard_works(page_factory, site_url):
    page, problems = page_factory("")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    items = type_search(page, "dropuot")
    link = items.first.locator("a").first
    assert link.get_attribute("href").startswith(site_url + "glossary/")
    assert "dropout" in items.first.inner_text().lower(), "the near miss is suggested"
    page.locator("input.md-search__input").fill("")
    items = type_search(page, "inverted dropout")
    page.keyboard.press("ArrowDown")
    assert "training/dropout/" in page.evaluate("document.activeElement.href")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/training/dropout/.*"))
    assert not problems, problems
