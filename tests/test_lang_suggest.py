"""The language suggestion (docs/assets/js/lang-suggest.js): a dismissible toast that offers the
twin page in the language the browser prefers, remembered in localStorage, never a redirect.

Browser contexts get Playwright's ``locale`` (which sets ``navigator.languages``). Every test
asserts that ``problems`` (console errors, page errors, requests that leave 127.0.0.1) stays empty.
"""
import pytest

from conftest import slow_phone

pytestmark = pytest.mark.browser

TOAST = ".dl-lang-suggest"
KEY = "dlnotes.lang-suggest"
EN, ZH = "training/dropout/", "zh/training/dropout/"

# Two ways storage fails: blocked site data (reading window.localStorage throws) and a
# Storage whose methods throw (quota exceeded, some private modes).
STORAGE_THROWS = {
    "blocked": """Object.defineProperty(window, "localStorage", {configurable: true,
        get() { throw new DOMException("The operation is insecure.", "SecurityError"); }});""",
    "methods": """for (const k of ["getItem", "setItem", "removeItem", "clear"])
        Storage.prototype[k] = function () { throw new DOMException("denied", "SecurityError"); };""",
}


@pytest.fixture
def lang_page(page_factory):
    """new(path, locale, scheme='light', width=1280, init=None) -> (page, problems)."""
    def new(path, locale, scheme="light", width=1280, height=800, init=None):
        return page_factory(path, scheme=scheme, width=width, height=height, locale=locale, init=init,
                            wait_until="domcontentloaded")
    return new


def settled(page):
    """Wait until the deferred script has run (before DOMContentLoaded) and could fill its toast."""
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_timeout(200)


def stored(page):
    return page.evaluate(f"() => localStorage.getItem({KEY!r})")


def test_chinese_browser_on_an_english_page_is_offered_the_chinese_twin(lang_page, site_url):
    page, problems = lang_page(EN, "zh-CN")
    toast = page.locator(TOAST)
    toast.wait_for(state="visible")
    assert toast.get_attribute("role") == "status"
    assert toast.get_attribute("lang", timeout=1000).startswith("zh")
    assert "本页有中文版" in toast.inner_text()
    link = toast.get_by_role("link", name="切换到中文")
    assert link.evaluate("a => a.href") == site_url + ZH
    # The same URL as the header's language menu (reused, not computed).
    assert link.evaluate("a => a.href") == page.evaluate(
        """document.querySelector('a.md-select__link[hreflang="zh"]').href""")
    assert toast.get_by_role("button").get_attribute("aria-label")
    assert page.evaluate("getComputedStyle(document.querySelector('.dl-lang-suggest')).position") == "fixed"
    assert page.url == site_url + EN                  # no redirect
    assert not problems, problems


def test_dismiss_hides_it_and_it_stays_hidden(lang_page):
    page, problems = lang_page(EN, "zh-CN")
    page.locator(TOAST).get_by_role("button").click()
    assert page.locator(TOAST).count() == 0
    assert stored(page) == "dismissed"
    page.reload(wait_until="domcontentloaded")
    settled(page)
    assert page.locator(TOAST).count() == 0
    # Remembered for every page, not only this one.
    page.goto(page.url.replace(EN, "cnn/receptive-field/"), wait_until="domcontentloaded")
    settled(page)
    assert page.locator(TOAST).count() == 0
    assert not problems, problems


@pytest.mark.parametrize("path", [EN, ""])
def test_english_browser_on_an_english_page_sees_nothing(lang_page, path):
    page, problems = lang_page(path, "en-US")
    settled(page)
    assert page.locator(TOAST).count() == 0
    assert not problems, problems


def test_chinese_browser_on_a_chinese_page_sees_nothing(lang_page):
    page, problems = lang_page(ZH, "zh-TW")
    settled(page)
    assert page.locator(TOAST).count() == 0
    assert not problems, problems


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_non_chinese_browser_on_a_chinese_page_is_offered_english(lang_page, site_url, locale):
    page, problems = lang_page(ZH, locale)
    toast = page.locator(TOAST)
    toast.wait_for(state="visible")
    assert toast.get_attribute("lang") == "en"
    assert "available in English" in toast.inner_text()
    assert toast.get_by_role("link").evaluate("a => a.href") == site_url + EN
    assert not problems, problems


def test_switch_lands_on_the_twin_and_is_remembered(lang_page, site_url):
    page, problems = lang_page(ZH, "en-US")
    page.locator(TOAST).get_by_role("link").click()
    page.wait_for_url(site_url + EN)
    assert page.locator("h1").first.inner_text().lower().startswith("dropout")
    assert stored(page) == "switched"
    # Back in Chinese by hand: no more nagging.
    page.goto(site_url + "zh/cnn/receptive-field/", wait_until="domcontentloaded")
    settled(page)
    assert page.locator(TOAST).count() == 0
    assert not problems, problems


def test_home_page_links_to_the_other_home_page(lang_page, site_url):
    page, problems = lang_page("", "zh-CN")
    link = page.locator(TOAST).get_by_role("link")
    link.wait_for()
    assert link.evaluate("a => a.href") == site_url + "zh/"
    assert not problems, problems


def test_keyboard_reaches_it_and_escape_dismisses(lang_page):
    page, problems = lang_page(EN, "zh-CN")
    page.locator(TOAST).get_by_role("button").wait_for()
    in_toast = ("document.activeElement.closest('.dl-lang-suggest') ? "
                "document.activeElement.tagName : null")
    reached = []
    for _ in range(3):                       # right after the skip link: within the first Tabs
        page.keyboard.press("Tab")
        reached.append(page.evaluate(in_toast))
    assert reached[-2:] == ["A", "BUTTON"], reached
    page.keyboard.press("Enter")             # the close button, from the keyboard
    assert page.locator(TOAST).count() == 0
    assert stored(page) == "dismissed"
    page.evaluate(f"localStorage.removeItem({KEY!r})")
    page.reload(wait_until="domcontentloaded")
    page.locator(TOAST).get_by_role("link").focus()
    page.keyboard.press("Escape")
    assert page.locator(TOAST).count() == 0
    assert stored(page) == "dismissed"
    assert not problems, problems


@pytest.mark.parametrize("mode", sorted(STORAGE_THROWS))
def test_storage_that_throws_breaks_nothing(lang_page, mode):
    page, problems = lang_page(EN, "zh-CN", init=STORAGE_THROWS[mode])
    toast = page.locator(TOAST)
    toast.wait_for(state="visible")
    toast.get_by_role("button").click()            # dismiss still works for this page view
    assert toast.count() == 0
    page.reload(wait_until="domcontentloaded")
    settled(page)
    page.locator(".md-header__option .md-select").first.hover()   # the page still works
    page.locator("form[data-md-component=palette] label:visible").first.click()
    assert not problems, problems


CONTRAST_JS = """() => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const box = document.querySelector('.dl-lang-suggest');
  const bg = getComputedStyle(box).backgroundColor;
  const out = {};
  for (const [name, el] of [['text', box.firstChild], ['link', box.querySelector('a')], ['close', box.querySelector('button')]])
    out[name] = Math.round(ratio(getComputedStyle(el).color, bg) * 100) / 100;
  return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path,locale", [(EN, "zh-CN"), (ZH, "en-US")])
def test_contrast_and_phone_width(lang_page, scheme, path, locale):
    page, problems = lang_page(path, locale, scheme=scheme, width=390, height=844)
    toast = page.locator(TOAST)
    toast.get_by_role("button").wait_for()
    page.wait_for_timeout(400)                                   # after the entry animation
    ratios = page.evaluate(CONTRAST_JS)
    assert min(ratios.values()) >= 4.5, f"{scheme}: {ratios}"
    box = toast.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["y"] + box["height"] <= 844, box
    close = toast.get_by_role("button").bounding_box()
    assert close["width"] >= 40 and close["height"] >= 40, close      # a thumb-sized target
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not problems, problems


def test_not_on_the_print_page_nor_in_print(lang_page, built_site):
    for lang in ("", "zh/"):                 # the PDF source loads no suggestion at all
        html = (built_site / lang / "print" / "index.html").read_text(encoding="utf-8")
        assert "lang-suggest" not in html, lang
    page, problems = lang_page(EN, "zh-CN")
    page.locator(TOAST).wait_for()
    page.emulate_media(media="print")
    assert not page.locator(TOAST).is_visible()
    assert not problems, problems


CLS_INIT = """window.__shifts = []; new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push([e.value,
    e.sources.map(s => s.node ? s.node.nodeName + "." + s.node.className : "?")]);
}).observe({type: "layout-shift", buffered: true});"""


# Pages without math: a math page's own rare late KaTeX shift is test_browser.py's business.
@pytest.mark.parametrize("path,locale", [("python/copy/", "zh-CN"), ("zh/python/copy/", "en-US")])
def test_no_layout_shift_on_a_slow_phone(browser, site_url, path, locale):
    """Lighthouse's mobile conditions, as in test_browser.py: the toast appears and moves nothing."""
    ctx, page = slow_phone(browser, locale=locale)
    try:
        page.add_init_script(CLS_INIT)
        page.goto(site_url + path, wait_until="networkidle")
        page.locator(TOAST).get_by_role("button").wait_for()
        page.wait_for_timeout(1000)
        shifts = page.evaluate("window.__shifts")
        assert shifts == [], f"{path}: layout shifts (value, moved nodes) {shifts}"
    finally:
        ctx.close()
