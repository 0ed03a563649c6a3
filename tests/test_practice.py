"""Practice page in the browser (Playwright + Debian chromium, fake clock, UTC): a review
session by keyboard, due dates against the SM-2 reference, reload, blocked and corrupt
storage, export -> clear -> import, a mock interview in Chinese on a phone, spot the
wrong answer. Every test asserts no console error and no request leaving 127.0.0.1."""
import datetime as dt
import json

import pytest

from tests.pages import topic_pages
from tests.test_practice_core import sm2

pytestmark = pytest.mark.browser

T0 = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.timezone.utc)      # a Monday afternoon, UTC
DAY = dt.timedelta(days=1)
KEY = "dlnotes-practice"


@pytest.fixture
def open_page(browser, site_url):
    """open_page(path, when=T0, width=1280, init=None) -> (page, problems), clock frozen at ``when``."""
    contexts = []

    def go(path, when=T0, width=1280, height=900, init=None, scheme="light", ctx=None):
        if ctx is None:
            ctx = browser.new_context(viewport={"width": width, "height": height}, timezone_id="UTC",
                                      color_scheme=scheme, accept_downloads=True,
                                      has_touch=width < 500, is_mobile=width < 500)
            contexts.append(ctx)
        page = ctx.new_page()
        page.clock.set_fixed_time(when)
        if init:
            page.add_init_script(init)
        problems = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        def check(route):
            if route.request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
                route.continue_()
            else:
                problems.append(f"request left 127.0.0.1: {route.request.url}")
                route.abort()
        page.route("**/*", check)
        page.goto(site_url + path)
        page.wait_for_function("document.getElementById('pq-status').textContent.trim() !== ''")
        return page, problems

    yield go
    for ctx in contexts:
        ctx.close()


def stored(page):
    return json.loads(page.evaluate(f"localStorage.getItem('{KEY}')") or "null")


def midnight(t, days):
    return int((dt.datetime.combine(t.date(), dt.time(), tzinfo=dt.timezone.utc) + days * DAY).timestamp() * 1000)


def test_review_session_by_keyboard_then_tomorrow_shows_exactly_the_due_cards(open_page):
    page, problems = open_page("practice/")
    page.locator("#pq-new").fill("20")
    page.keyboard.press("Tab")                                          # change event: saved setting
    page.select_option("#pq-topic", "cnn/receptive-field")
    page.locator("#pq-start").focus()
    page.keyboard.press("Enter")
    page.locator("#pq-card").wait_for(state="visible")
    assert "of 15" in page.locator("#pq-left").inner_text()              # 1 + 7 follow-ups + 7 corrections
    grades = ["3", "4", "2"] + ["3"] * 12
    for g in grades:
        page.keyboard.press("Space")
        back = page.locator("#pq-back")
        assert back.is_visible()
        assert page.evaluate("document.activeElement.id") == "pq-back", "focus moves to the revealed answer"
        page.keyboard.press(g)
    page.locator("#pq-done").wait_for(state="visible")
    data = stored(page)
    assert len(data["cards"]) == 15
    first = data["cards"]["cnn/receptive-field#30s"]
    assert first["due"] == midnight(T0, sm2([3])[-1])                  # Good on a new card: tomorrow
    ids = list(data["cards"])
    easy = [i for i in ids if data["cards"][i]["i"] == 4]
    assert len(easy) == 1 and data["cards"][easy[0]]["due"] == midnight(T0, sm2([4])[-1])
    assert data["newDay"] == {"d": "2026-03-02", "n": 15}
    assert not problems, problems

    # Tomorrow: the 14 cards graded Hard/Good are due, the Easy one is not; grade one Good again.
    page.clock.set_fixed_time(T0 + DAY)
    page.reload()
    page.wait_for_selector("#pq-status:not(:empty)")
    page.select_option("#pq-topic", "cnn/receptive-field")
    page.locator("#pq-start").click()
    page.locator("#pq-card").wait_for(state="visible")
    assert "of 14" in page.locator("#pq-left").inner_text()
    assert page.locator("#pq-status").inner_text().startswith("14 due")
    page.keyboard.press("Space")
    shown = page.evaluate("document.querySelector('#pq-front').textContent")
    page.keyboard.press("3")
    data = stored(page)
    graded = max(data["cards"], key=lambda i: data["cards"][i]["last"])
    assert data["cards"][graded]["last"] == int((T0 + DAY).timestamp() * 1000)
    assert data["cards"][graded]["due"] == midnight(T0 + DAY, sm2([3, 3])[-1])   # 6 days
    assert shown.strip()
    assert "9 Mar 2026" in page.locator("#pq-last").inner_text()
    assert not problems, problems


def test_buttons_and_touch_on_a_phone_and_progress_survives_a_reload(open_page):
    page, problems = open_page("zh/practice/", width=390, height=844)
    page.select_option("#pq-topic", "python/copy")
    page.locator("#pq-start").tap()
    page.locator("#pq-reveal").tap()
    page.locator("#pq-grades button[data-g='3']").tap()
    assert "下次到期" in page.locator("#pq-last").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no horizontal scroll at 390 px"
    page.reload()
    page.wait_for_selector("#pq-status:not(:empty)")
    page.select_option("#pq-topic", "python/copy")
    assert "未学过的共 12 张" in page.locator("#pq-status").inner_text()
    assert not problems, problems


def test_export_clear_import_restores_the_progress(open_page, tmp_path):
    page, problems = open_page("practice/?topic=ml/clustering")
    page.wait_for_selector("#pq-card:visible")
    for g in "3132":
        page.keyboard.press("Space")
        page.keyboard.press(g)
    before = stored(page)
    page.locator(".pq-data summary").click()
    with page.expect_download() as dl:
        page.locator("#pq-export").click()
    path = tmp_path / "progress.json"
    dl.value.save_as(path)
    assert json.loads(path.read_text())["cards"] == before["cards"]
    page.once("dialog", lambda d: d.accept())
    page.locator("#pq-reset").click()
    assert stored(page)["cards"] == {}
    page.set_input_files("#pq-import", str(path))
    page.wait_for_function("document.getElementById('pq-notice').textContent.indexOf('Imported') >= 0")
    assert "Imported progress for 4 cards" in page.locator("#pq-notice").inner_text()
    assert stored(page)["cards"] == before["cards"]
    # A foreign file is refused with a reason; the progress is untouched.
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    page.set_input_files("#pq-import", str(bad))
    page.wait_for_function("document.getElementById('pq-notice').textContent.indexOf('Nothing imported') >= 0")
    assert stored(page)["cards"] == before["cards"]
    assert not problems, problems


BLOCK_STORAGE = """Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('blocked', 'SecurityError'); }});"""


def test_blocked_storage_shows_a_notice_and_practice_still_works(open_page):
    page, problems = open_page("practice/", init=BLOCK_STORAGE)
    assert "blocks site storage" in page.locator("#pq-notice").inner_text()
    page.locator("#pq-start").click()
    page.locator("#pq-card").wait_for(state="visible")
    page.keyboard.press("Space")
    page.keyboard.press("4")
    assert "Graded Easy" in page.locator("#pq-last").inner_text()
    assert not problems, problems


def test_corrupt_storage_gives_the_recovery_choice(open_page):
    init = f"if (!sessionStorage.getItem('x')) {{ localStorage.setItem('{KEY}', '{{broken'); sessionStorage.setItem('x', 1); }}"
    page, problems = open_page("practice/", init=init)
    notice = page.locator("#pq-notice")
    assert "could not be read" in notice.inner_text()
    assert notice.locator("button", has_text="Download a backup").count() == 1
    assert page.evaluate(f"localStorage.getItem('{KEY}')") == "{broken", "left untouched until the reader resets"
    page.once("dialog", lambda d: d.accept())
    notice.locator("button", has_text="Reset progress").click()
    assert stored(page)["schema"] == 1
    assert not problems, problems


def test_mock_interview_in_chinese_on_a_phone(open_page):
    page, problems = open_page("zh/practice/?mode=mock", width=390, height=844)
    assert page.locator("#pq-mock").is_visible() and not page.locator("#pq-review").is_visible()
    page.select_option("#pq-mock-topic", "cnn/receptive-field")
    page.select_option("#pq-mock-n", "2")
    page.locator("#pq-mock-start").tap()
    page.locator("#pq-mock-stage").wait_for(state="visible")
    assert "第 1 题，共 3 题" in page.locator("#pq-mock-step").inner_text()
    assert "用 30 秒回答" in page.locator("#pq-mock-front").inner_text()
    page.clock.set_fixed_time(T0 + dt.timedelta(seconds=42))
    page.wait_for_function("document.getElementById('pq-timer').textContent === '0:42'")
    assert "pq-over" in page.locator("#pq-timer").get_attribute("class")
    assert page.locator("#pq-timer").get_attribute("aria-live") == "off"
    for rate in ("2", "4", "1"):
        page.locator("#pq-mock-reveal").tap()
        assert page.evaluate("document.activeElement.id") == "pq-mock-back"
        page.locator(f"#pq-mock-rates button[data-r='{rate}']").tap()
    summary = page.locator("#pq-mock-summary")
    assert summary.is_visible() and summary.locator("tbody tr").count() == 3
    assert "建议重读" in summary.inner_text()
    links = summary.locator("a")
    assert links.count() >= 1 and "cnn/receptive-field/" in links.first.get_attribute("href")
    assert "平均自评 2.3/4" in page.locator("#pq-history").inner_text()
    assert len(stored(page)["mocks"]) == 1
    assert not problems, problems


def test_spot_the_wrong_answer_feedback(open_page):
    page, problems = open_page("practice/?mode=quiz&topic=cnn/receptive-field")
    page.locator("#pq-quiz-next").click()
    page.locator(".pq-choice").first.wait_for()
    choices = page.locator(".pq-choice")
    assert 3 <= choices.count() <= 4
    right = page.locator(".pq-choice input[value='false']").first
    right.check()
    page.locator("#pq-quiz-check").click()
    fb = page.locator("#pq-quiz-feedback")
    assert "Not that one" in fb.inner_text() and "Correction" in fb.inner_text()
    assert page.locator(".pq-choice.pq-is-wrong").count() == 1
    assert "cnn/receptive-field/#what-the-original-notes" in fb.locator("a").last.get_attribute("href")
    page.locator("#pq-quiz-next").click()
    page.locator(".pq-choice input[value='true']").check()
    page.locator("#pq-quiz-check").click()
    assert "Right:" in fb.inner_text()
    assert not problems, problems


# ---- Progress on the topic pages and the home page's topic map (issue 15, item 5) -----------------
def progress_of(page, topic):
    return page.locator(f'.pq-prog[data-topic="{topic}"]').first


def test_topic_page_and_home_map_show_the_progress_of_a_graded_card(open_page, site_url):
    page, problems = open_page("practice/?topic=ml/clustering")
    page.wait_for_selector("#pq-card:visible")
    page.keyboard.press("Space")
    page.keyboard.press("3")                                            # Good: due tomorrow
    assert len(stored(page)["cards"]) == 1

    page.goto(site_url + "ml/clustering/")
    prog = progress_of(page, "ml/clustering")
    n = len(prog.get_attribute("data-cards").split())
    assert n >= 5
    page.wait_for_function("document.querySelector('.pq-prog').classList.contains('pq-prog--on')")
    assert prog.inner_text() == f"1/{n} seen · 0 due · 0 mastered"
    link = page.locator(".pq-bar a.pq-go")
    assert link.inner_text().startswith("Test yourself")
    assert link.get_attribute("href") == "../../practice/?topic=ml/clustering"
    bar, answer = page.locator(".pq-bar").bounding_box(), page.locator(".admonition.abstract").bounding_box()
    assert 0 <= bar["y"] - (answer["y"] + answer["height"]) < 40, "right under the 30-second answer"

    page.goto(site_url)
    page.wait_for_selector(".pq-prog.pq-prog--on")
    assert progress_of(page, "ml/clustering").inner_text() == f"1/{n} seen · 0 due · 0 mastered"
    assert "not practised yet" in progress_of(page, "cnn/receptive-field").inner_text()
    assert page.locator(".grid.cards .pq-prog").count() == len(topic_pages("en"))

    # Tomorrow the card is due, on both pages; the link starts a session on the topic.
    page.clock.set_fixed_time(T0 + DAY)
    page.reload()
    page.wait_for_selector(".pq-prog.pq-prog--on")
    assert progress_of(page, "ml/clustering").inner_text() == f"1/{n} seen · 1 due · 0 mastered"
    page.goto(site_url + "ml/clustering/")
    page.wait_for_selector(".pq-prog.pq-prog--on")
    assert progress_of(page, "ml/clustering").inner_text() == f"1/{n} seen · 1 due · 0 mastered"
    page.locator(".pq-bar a.pq-go").click()
    page.wait_for_selector("#pq-card:visible")
    assert page.locator("#pq-topic").input_value() == "ml/clustering"
    assert page.locator("#pq-status").inner_text().startswith("1 due")
    assert not problems, problems


def test_chinese_topic_page_has_the_link_and_says_not_practised_yet(open_page, site_url):
    page, problems = open_page("zh/practice/", width=390, height=844)
    page.goto(site_url + "zh/cnn/receptive-field/")
    page.wait_for_load_state("load")
    link = page.locator(".pq-bar a.pq-go")
    assert link.inner_text().startswith("练一练")
    assert link.get_attribute("href") == "../../practice/?topic=cnn/receptive-field"
    prog = progress_of(page, "cnn/receptive-field")
    assert prog.inner_text() == f"共 {len(prog.get_attribute('data-cards').split())} 张 · 还没练过"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(site_url + "zh/")
    assert page.locator(".grid.cards .pq-prog").count() == len(topic_pages("en"))
    assert not problems, problems


@pytest.mark.parametrize("init, text", [
    (BLOCK_STORAGE, "not practised yet"),
    (f"localStorage.setItem('{KEY}', '{{broken');", "practice progress unreadable"),
    (f"localStorage.setItem('{KEY}', JSON.stringify({{schema: 99}}));", "practice progress unreadable"),
    (f"localStorage.setItem('{KEY}', JSON.stringify({{schema: 1, cards: {{'ml/clustering#30s': 'x'}}}}));",
     "not practised yet"),                                                          # invalid state dropped
])
def test_blocked_or_corrupt_storage_never_breaks_a_topic_page(open_page, site_url, init, text):
    page, problems = open_page("practice/", init=init)
    for path in ("ml/clustering/", ""):
        page.goto(site_url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(100)
        assert text in progress_of(page, "ml/clustering").inner_text()
    assert not problems, problems


def test_topic_page_with_progress_does_not_shift_on_a_slow_phone(browser, site_url):
    """The progress line is reserved at build time: filling it moves nothing (CLS 0), even on
    Lighthouse's throttled phone with stored progress for the page's topic."""
    from conftest import slow_phone
    from tests.test_browser import CLS_INIT
    seed = {"schema": 1, "cards": {f"cnn/receptive-field#{k}": {"n": 3, "i": 30, "e": 2.5, "l": 0, "due": 0, "last": 0}
                                   for k in ("30s", "receptive-field-i-th")}}
    ctx, page = slow_phone(browser)
    try:
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.add_init_script(f"localStorage.setItem('{KEY}', {json.dumps(json.dumps(seed))});")
        page.add_init_script(CLS_INIT)
        page.goto(site_url + "cnn/receptive-field/", wait_until="networkidle")
        # Network idle is not parsing done: on the throttled CPU the deferred scripts may not have run yet.
        page.wait_for_selector(".pq-prog.pq-prog--on", timeout=20_000)
        page.wait_for_timeout(1000)
        text = progress_of(page, "cnn/receptive-field").inner_text()
        why = page.evaluate(f"[typeof DLPractice, document.readyState, localStorage.getItem('{KEY}'), "
                            "window.DLPractice && DLPractice.load(localStorage).status]")
        assert text.startswith("2/") and "2 due · 2 mastered" in text, (text, why, problems)
        cls = page.evaluate("window.__cls")
        assert cls == 0, f"cumulative layout shift {cls:.4f}"
        assert not problems, problems
    finally:
        ctx.close()


# ---- The deck is a separate script, loaded when a session starts (issue 14: page weight) --------
def test_opening_the_page_does_not_load_the_cards_starting_does_once(open_page):
    page, problems = open_page("practice/")
    requested = []
    page.on("request", lambda r: requested.append(r.url) if "practice-deck.js" in r.url else None)
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.DLPracticeDeck") == "undefined" and not requested
    assert page.locator("#practice-deck .pq-card").count() >= 200, "the shells are in the page"
    assert page.locator("#practice-deck .pq-card .pq-front").count() == 0, "their text is not"
    page.locator("#pq-start").dblclick()                  # a double click starts one session
    page.locator("#pq-card").wait_for(state="visible")
    assert page.locator("#pq-front").inner_text().strip()
    assert len(requested) == 1 and "?v=" in requested[0]
    page.locator("#pq-mock-start").evaluate("b => b.click()")     # later sessions reuse it
    page.wait_for_timeout(200)
    assert len(requested) == 1
    assert page.get_attribute("#practice", "aria-busy") is None
    assert not problems, problems


def test_a_deck_that_fails_to_load_says_so_and_retrying_works(open_page):
    page, problems = open_page("zh/practice/")
    fail = {"on": True}

    def deck(route):
        if fail["on"]:
            route.fulfill(status=503, body="")
        else:
            route.continue_()
    page.route("**/practice-deck.js*", deck)
    page.locator("#pq-start").click()
    page.wait_for_selector("#pq-notice:not([hidden])")
    assert "卡片内容没能加载" in page.locator("#pq-notice").inner_text()
    assert page.locator("#pq-card").is_hidden()
    fail["on"] = False
    page.locator("#pq-start").click()
    page.locator("#pq-card").wait_for(state="visible")
    assert page.locator("#pq-front").inner_text().strip()
    problems[:] = [p for p in problems if "503" not in p and "Failed to load resource" not in p]
    assert not problems, problems


def test_pointing_at_start_fetches_the_cards_quietly(open_page):
    page, problems = open_page("practice/")
    requested = []
    page.on("request", lambda r: requested.append(r.url) if "practice-deck.js" in r.url else None)
    page.route("**/practice-deck.js*", lambda route: route.fulfill(status=503, body=""))
    page.locator("#pq-start").hover()
    page.wait_for_function("document.getElementById('practice').getAttribute('aria-busy') === null")
    assert len(requested) == 1, "hovering a start button fetches the deck"
    assert page.locator("#pq-notice").is_hidden(), "a failed prefetch says nothing"
    page.unroute("**/practice-deck.js*")
    page.locator("#pq-start").click()
    page.locator("#pq-card").wait_for(state="visible")
    assert len(requested) == 2, "the click fetched it again, once"
    problems[:] = [p for p in problems if "503" not in p and "Failed to load resource" not in p]
    assert not problems, problems
