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
