"""Browser tests: Playwright driving Debian's chromium against the built site on 127.0.0.1.

Every test asserts that ``problems`` (console errors, page errors, requests that
leave 127.0.0.1) stays empty.
"""
import re

import pytest

from conftest import slow_phone, type_search

pytestmark = pytest.mark.browser


def search(page, query):
    return [item.locator("a").first.get_attribute("href") for item in type_search(page, query).all()]


@pytest.mark.parametrize("path", ["", "zh/", "training/dropout/", "zh/training/dropout/",
                                  "training/dropout-lab/", "zh/training/dropout-lab/",
                                  "glossary/", "zh/glossary/", "attribution/", "zh/attribution/"])
def test_pages_load_without_errors_or_foreign_requests(page_factory, path):
    page, problems = page_factory(path)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() >= 1
    assert not problems, problems


def test_search_finds_dropout_in_english(page_factory, site_url):
    page, problems = page_factory("")
    hrefs = search(page, "inverted dropout")
    assert hrefs and re.search(r"training/dropout/(\?[^#]*)?(#.*)?$", hrefs[0]) and "/zh/" not in hrefs[0], hrefs
    assert not problems, problems


def test_search_finds_dropout_in_chinese(page_factory):
    page, problems = page_factory("zh/")
    hrefs = search(page, "随机失活")
    assert hrefs and re.search(r"zh/training/dropout/(\?[^#]*)?(#.*)?$", hrefs[0]), hrefs
    assert not problems, problems


def test_language_switch_lands_on_the_twin_page(page_factory, site_url):
    page, problems = page_factory("training/dropout/")
    page.locator(".md-header__option .md-select").first.hover()
    page.locator('a.md-select__link[hreflang="zh"]').click()
    page.wait_for_url(re.compile(r".*/zh/training/dropout/$"))
    assert "随机失活" in page.locator("h1").inner_text()
    page.locator(".md-header__option .md-select").first.hover()
    page.locator('a.md-select__link[hreflang="en"]').click()
    page.wait_for_url(site_url + "training/dropout/")
    assert not problems, problems


def test_dark_mode_toggle_switches_scheme_and_figures(page_factory):
    page, problems = page_factory("training/dropout/", scheme="light")
    body = page.locator("body")
    start = body.get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    new = body.get_attribute("data-md-color-scheme")
    assert {start, new} == {"default", "slate"}, (start, new)
    # The figure variant for the active scheme is the visible one.
    page.evaluate("document.querySelector('img[src*=\"#only-\"]').scrollIntoView()")
    visible = page.locator('img[src*="assets/figures/"]:visible').first.get_attribute("src")
    expected = "#only-dark" if new == "slate" else "#only-light"
    assert visible.endswith(expected), visible
    assert not problems, problems


@pytest.mark.parametrize("path", ["training/dropout/", "zh/training/dropout/"])
def test_math_renders_with_katex(page_factory, path):
    page, problems = page_factory(path)
    page.wait_for_selector(".katex")
    assert page.locator(".katex").count() >= 20
    raw = page.evaluate("""() => [...document.querySelectorAll('.arithmatex')]
        .filter(el => !el.querySelector('.katex')).map(el => el.textContent)""")
    assert raw == [], f"unrendered math: {raw[:3]}"
    assert page.locator(".katex-error").count() == 0
    assert not problems, problems


@pytest.mark.parametrize("path", ["training/dropout-lab/", "zh/training/dropout-lab/"])
def test_notebook_page_renders_with_output_and_download(page_factory, path):
    page, problems = page_factory(path)
    assert page.locator(".jp-Notebook, .jupyter-wrapper").count() >= 1
    assert page.locator(".jp-OutputArea-output img").count() >= 1, "the lab's plot is missing"
    link = page.locator("a.dl-download-nb")
    assert link.get_attribute("href").endswith(".ipynb")
    resp = page.request.get(page.url + link.get_attribute("href"))
    assert resp.ok and '"cells"' in resp.text()
    assert not problems, problems


@pytest.mark.parametrize("path", ["training/dropout/", "zh/training/dropout/", "", "zh/"])
def test_phone_width_has_no_horizontal_page_scroll(page_factory, path):
    page, problems = page_factory(path, width=390, height=844)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone screen"
    assert not problems, problems


@pytest.mark.parametrize("path", ["drill/", "zh/drill/"])
def test_drill_random_question_and_tag_filter(page_factory, path):
    page, problems = page_factory(path)
    total = page.locator("details.question").count()
    assert total >= 4
    page.locator("#drill-random").click()
    assert page.locator("details.drill-picked").count() == 1
    tag_buttons = page.locator("#drill-tags button")
    assert tag_buttons.count() >= 2
    tag_buttons.nth(1).click()                            # the first real tag
    assert tag_buttons.nth(1).get_attribute("aria-pressed") == "true"
    shown = page.locator(".drill-topic:not([hidden]) details.question").count()
    assert 0 < shown <= total
    assert str(shown) in page.locator("#drill-count").inner_text()
    if path == "drill/":                                  # whole tags, not their words
        labels = tag_buttons.all_inner_texts()
        assert "receptive field" in labels and "receptive" not in labels, labels
        page.locator("#drill-tags button", has_text="receptive field").click()
        titles = page.locator(".drill-topic:not([hidden]) h2").all_inner_texts()
        assert titles and all("eceptive" in t for t in titles), titles
    assert not problems, problems


CONTRAST_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                      .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                                     if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const worst = {};
  for (const span of document.querySelectorAll('.highlight-ipynb span')) {
    if (!span.textContent.trim() || span.children.length) continue;
    const a = lum(rgb(getComputedStyle(span).color)), b = lum(background(span));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const key = span.className || '(plain)';
    if (!(key in worst) || ratio < worst[key][0]) worst[key] = [Math.round(ratio * 100) / 100, span.textContent.slice(0, 20)];
  }
  return worst;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_notebook_code_colours_reach_4_5_to_1(page_factory, scheme):
    page, problems = page_factory("training/dropout-lab/", scheme=scheme)
    page.wait_for_load_state("networkidle")
    worst = page.evaluate(CONTRAST_JS)
    assert {"c1", "k", "o", "mf"} <= set(worst), worst      # comments, keywords, operators, numbers seen
    low = {k: v for k, v in worst.items() if v[0] < 4.5}
    assert not low, f"{scheme}: token classes under 4.5:1 {low}"
    assert not problems, problems


CLS_INIT = """window.__cls = 0; new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({type: "layout-shift", buffered: true});"""


@pytest.mark.parametrize("path", ["cnn/receptive-field/", "zh/data/augmentation/", "drill/"])
def test_no_layout_shift_on_a_slow_phone(browser, site_url, path):
    """Lighthouse's mobile conditions (4x slower CPU, 150 ms, 1.6 Mbit/s): the math fonts
    arrived after the first layout and moved the text (CLS 0.19 before they were preloaded)."""
    ctx, page = slow_phone(browser)
    try:
        page.add_init_script(CLS_INIT)
        page.goto(site_url + path, wait_until="networkidle")
        page.wait_for_timeout(1000)
        cls = page.evaluate("window.__cls")
        assert cls < 0.01, f"{path}: cumulative layout shift {cls:.3f}"
    finally:
        ctx.close()
