"""The offline bundle: built with Material's offline plugin, zipped, and used over file://."""
import os
import zipfile

import pytest

from scripts import offline


@pytest.fixture(scope="session")
def offline_site(request, tmp_path_factory):
    """The bundle `make offline` wrote (run as the Pages workflow runs it, see workflow_dist);
    with DLNOTES_MKDOCS_CONFIG, a bundle built from that config instead."""
    if os.environ.get("DLNOTES_MKDOCS_CONFIG"):
        out = tmp_path_factory.mktemp("offline")
        return offline.build(out, os.environ["DLNOTES_MKDOCS_CONFIG"]), out / offline.NAME
    dist = request.getfixturevalue("workflow_dist").dist
    return dist / f"{offline.NAME}.zip", dist / offline.NAME


def test_bundle_is_a_zip_with_both_languages(offline_site):
    archive, _ = offline_site
    names = set(zipfile.ZipFile(archive).namelist())
    for page in ("index.html", "zh/index.html", "training/dropout.html", "zh/training/dropout.html",
                 "search/search_index.js", "assets/vendor/iframe-worker/shim.js"):
        assert f"{offline.NAME}/{page}" in names, page
    # built without DLNOTES_REPO_URL: no edit or repository links (and the strict build passed)
    html = zipfile.ZipFile(archive).read(f"{offline.NAME}/training/dropout.html").decode()
    assert 'rel="edit"' not in html and "md-source" not in html


@pytest.fixture
def file_page(browser, offline_site):
    _, site = offline_site
    ctx = browser.new_context()
    page = ctx.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"network request: {r.url}")
            if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)

    def goto(path):
        page.goto((site / path).as_uri())
        return page
    yield goto, problems
    ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize("start, query, expected", [
    ("index.html", "inverted dropout", "/training/dropout.html"),
    ("zh/index.html", "随机失活", "/zh/training/dropout.html"),
    ("zh/training/dropout.html", "均方误差", "/zh/training/softmax-large-scale.html"),   # a compound a word segmenter splits
    ("zh/index.html", "采样softmax", "/zh/training/softmax-large-scale.html"),          # mixed script
    ("index.html", "label_smoothing", "/training/classification-losses.html"),          # a code name
])
def test_search_works_from_disk(file_page, start, query, expected):
    goto, problems = file_page
    page = goto(start)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    first = page.locator(".md-search-result__item > a").first.get_attribute("href")
    assert first.split("?")[0].endswith(expected), first
    assert not problems, problems


@pytest.mark.browser
def test_math_language_switch_and_notebook_from_disk(file_page):
    goto, problems = file_page
    page = goto("training/dropout.html")
    page.wait_for_selector(".katex")
    assert page.locator(".katex").count() >= 20
    page.locator(".md-header__option .md-select").first.hover()
    page.locator('a.md-select__link[hreflang="zh"]').click()
    page.wait_for_load_state()
    assert page.url.endswith("/zh/training/dropout.html")
    page = goto("zh/training/dropout-lab.html")
    assert page.locator(".jp-OutputArea-output img").count() >= 1
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.parametrize("path", ["practice.html", "zh/practice.html"])
def test_practice_loads_its_cards_from_disk(file_page, path):
    goto, problems = file_page
    page = goto(path)
    page.wait_for_function("document.getElementById('pq-status').textContent.trim() !== ''")
    page.locator("#pq-start").click()
    page.locator("#pq-card").wait_for(state="visible")
    assert page.locator("#pq-front").inner_text().strip()
    page.keyboard.press("Space")
    assert page.locator("#pq-back .katex, #pq-back p").count() >= 1
    assert not problems, problems
