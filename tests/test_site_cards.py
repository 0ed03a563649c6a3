"""scripts/site/cards.py: card syntax, stable ids, validation naming file and line, counts."""
import json
import re
from types import SimpleNamespace as NS

import pytest

from scripts.site import cards
from tests.pages import DOCS, SECTIONS, read_page, topic_pages

EN = '''---
title: T
---
# Topic T

!!! abstract "30-second answer"
    Say this first.
    Then this.

## What the original notes get wrong or leave out

<!-- card: claim-one
* The notes' claim.
- A true thing.
- Another true thing.
-->
1. **The notes say:** a claim.
   **Correction:** the fix (Someone, 2020).
<!-- card: left-out -->
2. **Left out:** what they missed.

## Follow-up questions

<!-- card: why-this -->
??? question "Why \\"this\\"?"
    Because [that](other.md#x).

    Second paragraph.

<!-- card: second -->
??? question "Second?"
    Yes.

## References
'''
ZH = (EN.replace("30-second answer", "30 秒回答").replace("What the original notes get wrong or leave out", "原笔记的错误与遗漏")
      .replace("Follow-up questions", "追问").replace("**Correction:**", "**更正：**"))


def _docs(tmp_path, en=EN, zh=ZH):
    for lang, text in (("en", en), ("zh", zh)):
        (tmp_path / lang / "sec").mkdir(parents=True, exist_ok=True)
        (tmp_path / lang / "sec" / "t.md").write_text(text, encoding="utf-8")
    return tmp_path, NS(nav=[{"S": ["sec/t.md", "sec/t-lab.ipynb"]}])


def test_every_kind_of_card_is_read_with_a_stable_id(tmp_path):
    docs, config = _docs(tmp_path)
    deck = cards.deck(docs, "en", config)
    assert [(c.id, c.kind) for c in deck] == [
        ("sec/t#30s", "30s"), ("sec/t#claim-one", "fix"), ("sec/t#left-out", "fix"),
        ("sec/t#why-this", "q"), ("sec/t#second", "q")]
    s30, claim, left, why, _ = deck
    assert s30.front == "Answer in 30 seconds: Topic T" and s30.back == "Say this first.\nThen this."
    assert claim.front == "**The notes say:** a claim." and claim.back == "the fix (Someone, 2020)."
    assert claim.quiz == [(True, "The notes' claim."), (False, "A true thing."), (False, "Another true thing.")]
    assert claim.anchor == "what-the-original-notes-get-wrong-or-leave-out"
    assert left.back == "what they missed." and not left.quiz
    assert why.front == 'Why "this"?' and why.back == "Because [that](other.md#x).\n\nSecond paragraph."
    assert why.anchor == "follow-up-questions"
    zh = cards.deck(docs, "zh", config)
    assert [c.id for c in zh] == [c.id for c in deck] and zh[3].anchor == "追问"


def test_ids_survive_rewording_and_a_rebuild(tmp_path):
    docs, config = _docs(tmp_path)
    before = [c.id for c in cards.deck(docs, "en", config)]
    reworded = EN.replace("Second?", "A reworded second question?").replace("a claim.", "a restated claim.")
    docs, config = _docs(tmp_path, en=reworded)
    assert [c.id for c in cards.deck(docs, "en", config)] == before
    assert [c.id for c in cards.deck(docs, "en", config)] == before


@pytest.mark.parametrize("broken, line, message", [
    (EN.replace("<!-- card: second -->\n", ""), 30, "follow-up question without a key"),
    (EN.replace("<!-- card: left-out -->\n", ""), 19, "correction without a key"),
    (EN.replace("card: second", "card: Second Q"), 30, "must be lowercase"),
    (EN.replace("card: second", "card: why-this"), 30, "used twice"),
    (EN.replace("-->\n1.", "1.", 1), 12, "not closed"),
    (EN.replace("- Another true thing.\n", ""), 12, "2 statements with 1"),
    (EN.replace("- A true thing.", "* A true thing."), 12, "with 2 marked"),
    (EN.replace("- A true thing.", "+ A true thing."), 14, "starts with '* '"),
    (EN.replace("<!-- card: second -->\n??? question", "<!-- card: second -->\n\n??? question"), 30,
     "must be followed by a '??? question' line"),
    (EN.replace("# Topic T\n", "# Topic T\n\n<!-- card: stray -->\nText.\n"), 6, "must be followed by"),
])
def test_a_malformed_card_fails_naming_file_and_line(tmp_path, broken, line, message):
    docs, config = _docs(tmp_path, en=broken)
    with pytest.raises(cards.CardError) as err:
        cards.deck(docs, "en", config)
    assert f"t.md:{line}:" in str(err.value) and message in str(err.value), str(err.value)


def test_keys_must_match_between_languages(tmp_path):
    docs, config = _docs(tmp_path, zh=ZH.replace("card: second", "card: other"))
    with pytest.raises(cards.CardError, match="card keys differ"):
        cards.deck(docs, "en", config)


def test_key_comments_are_stripped_before_markdown_renders():
    out = cards.strip_keys(EN)
    assert "<!-- card" not in out and "* The notes' claim." not in out
    assert "1. **The notes say:** a claim.\n   **Correction:**" in out
    assert "the fix (Someone, 2020).\n2. **Left out:**" in out
    assert '    Second paragraph.\n\n??? question "Second?"' in out


def test_deck_json_has_no_build_internals(tmp_path):
    docs, config = _docs(tmp_path)
    data = json.loads(cards.deck_json(cards.deck(docs, "en", config), "en"))
    assert data["schema"] == cards.SCHEMA and data["lang"] == "en" and len(data["cards"]) == 5
    assert "line" not in data["cards"][0] and data["cards"][1]["quiz"][0] == [True, "The notes' claim."]


NAV = NS(nav=[{"S": topic_pages("en")}])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_counts_per_topic_match_the_pages(lang):
    """One 30-second card, one per follow-up question, one per numbered correction, per topic."""
    deck = cards.deck(DOCS, lang, NAV)
    for path in topic_pages("en"):
        page = read_page(lang, path)
        fixes = len(re.findall(r"^\d+\. ", page.section(SECTIONS[lang][3]), re.M))
        mine = [c for c in deck if c.topic == path.removesuffix(".md")]
        assert len(mine) == 1 + page.questions + fixes, path
        assert len({c.id for c in mine}) == len(mine)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_topic_has_at_least_three_spot_the_wrong_answer_items(lang):
    deck = cards.deck(DOCS, lang, NAV)
    for path in topic_pages("en"):
        n = sum(1 for c in deck if c.topic == path.removesuffix(".md") and c.quiz)
        assert n >= 3, f"{lang}/{path}: {n} spot-the-wrong-answer items (at least 3)"


# ---- split_deck: the rendered cards leave the practice page for practice-deck.js ------------------
DECK_PAGE = ('<p>before</p>\n<div hidden="hidden" id="practice-deck">\n'
             '<div class="pq-card" data-id="a/b#30s" data-kind="30s" data-tags="x" data-topic="a/b">\n'
             '<div class="pq-front">\n<p>Q <span class="katex">x</span></p>\n</div>\n'
             '<div class="pq-back">\n<div class="admonition"><p>A</p></div>\n</div>\n</div>\n'
             '<div class="pq-card" data-id="a/b#k" data-kind="fix" data-tags="x" data-topic="a/b">\n'
             '<div class="pq-front"><p>F</p></div><div class="pq-back"><p>B</p></div>\n'
             '<div class="pq-quiz"><div class="pq-st" data-wrong="true"><p>w</p></div></div>\n</div>\n'
             '</div>\n<p>after</p>')


def _page(tmp_path, src="en/practice.md"):
    dest = tmp_path / "site" / "practice" / "index.html"
    return NS(file=NS(src_uri=src, abs_dest_path=str(dest)))


def test_split_deck_keeps_shells_and_writes_the_cards_beside_the_page(tmp_path):
    out = cards.split_deck(DECK_PAGE, _page(tmp_path))
    assert out.startswith("<p>before</p>") and out.endswith("<p>after</p>")
    assert "pq-front" not in out and "katex" not in out
    assert '<div class="pq-card" data-id="a/b#30s" data-kind="30s" data-tags="x" data-topic="a/b"></div>' in out
    assert 'data-id="a/b#k" data-kind="fix" data-tags="x" data-topic="a/b" data-quiz=""></div>' in out
    script = (tmp_path / "site" / "practice" / cards.DECK_FILE).read_text(encoding="utf-8")
    assert script.startswith("window.DLPracticeDeck = {") and script.endswith("};\n")
    data = json.loads(script[script.index("{"):script.rindex("}") + 1])
    assert data["lang"] == "en" and list(data["cards"]) == ["a/b#30s", "a/b#k"]
    assert data["cards"]["a/b#30s"].endswith('<div class="admonition"><p>A</p></div>\n</div>')
    assert data["cards"]["a/b#k"].startswith('<div class="pq-front"><p>F</p></div>')
    version = re.search(r'data-src="practice-deck\.js\?v=([0-9a-f]{10})"', out).group(1)
    assert cards.split_deck(DECK_PAGE.replace("<p>B</p>", "<p>B2</p>"), _page(tmp_path)).count(version) == 0, \
        "a changed deck gets a new version: no stale cached script"
    assert list(cards.deck_fragments(tmp_path / "site"))[1].endswith("</div>")


def test_split_deck_leaves_other_pages_alone_and_fails_on_an_empty_or_broken_deck(tmp_path):
    assert cards.split_deck("<p>x</p>", _page(tmp_path)) == "<p>x</p>"
    with pytest.raises(cards.CardError, match="no cards"):
        cards.split_deck('<div id="practice-deck"></div>', _page(tmp_path))
    with pytest.raises(cards.CardError, match="unbalanced"):
        cards.split_deck(DECK_PAGE.replace("</div>\n<p>after", "<p>after"), _page(tmp_path))


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_built_practice_page_is_light_and_its_deck_has_every_card(built_site, lang):
    html = (built_site / lang / "practice" / "index.html").read_text(encoding="utf-8")
    script = (built_site / lang / "practice" / cards.DECK_FILE).read_text(encoding="utf-8")
    deck = json.loads(script[script.index("{"):script.rindex("}") + 1])["cards"]
    shells = re.findall(r'<div class="pq-card" data-id="([^"]+)"[^>]*></div>', html)
    expected = [c.id for c in cards.deck(DOCS, lang.rstrip("/") or "en", NAV)]
    assert shells == list(deck) and sorted(shells) == sorted(expected)
    assert len(html.encode()) < 150_000, "the cards' text stays out of the page"
    assert all('class="pq-front"' in body and 'class="pq-src"' in body for body in deck.values())
    assert sum('class="katex"' in body for body in deck.values()) >= 20, "math arrives rendered"
