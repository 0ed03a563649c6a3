"""scripts/site/collections.py: follow-up parsing, link rebasing, the Anki export, print."""
from pathlib import Path
from types import SimpleNamespace as NS

from scripts.site.collections import _print_prose, anki_tsv, follow_ups
from scripts.site.common import rebase_links

PAGE = '''---
title: T
tags: [a tag, b]
---
# T

## Follow-up questions

??? question "Why \\"this\\"?"
    Because [that](other.md#x) and [here](#y).

    Second paragraph.

??? question "Second?"
    Yes.

## References
'''


def _docs(tmp_path):
    (tmp_path / "en" / "sec").mkdir(parents=True)
    (tmp_path / "en" / "sec" / "t.md").write_text(PAGE, encoding="utf-8")
    return tmp_path


def test_follow_ups_are_read_from_their_section_only(tmp_path):
    qs = follow_ups(_docs(tmp_path), "en", "sec/t.md")
    assert [q for q, _ in qs] == ['Why "this"?', "Second?"]
    assert qs[0][1] == "Because [that](other.md#x) and [here](#y).\n\nSecond paragraph."


def test_links_are_rebased_to_the_gathering_page():
    text = "[a](other.md#x) [b](#y) [c](https://e.org) [d](../top.md)"
    assert rebase_links(text, "sec", "", "sec/t.md") == \
        "[a](sec/other.md#x) [b](sec/t.md#y) [c](https://e.org) [d](top.md)"


def test_anki_tsv_has_one_line_per_question_with_tags(tmp_path):
    config = NS(docs_dir=str(_docs(tmp_path)), nav=[{"S": ["sec/t.md", "sec/t-lab.ipynb"]}])
    lines = anki_tsv(config, "en").splitlines()
    assert lines[:3] == ["#separator:tab", "#html:true", "#tags column:3"]
    assert len(lines) == 5
    q, html, tags = lines[3].split("\t")
    assert q == 'Why "this"?' and html.startswith("<p>Because") and tags == "dlnotes sec::t a_tag b"


def test_print_prose_demotes_headings_and_opens_answers():
    out = _print_prose('# T\n\n??? question "Q"\n    A\n<script src="x.js"></script>\n', "sec", "", "sec/t.md")
    assert out.startswith("## T") and '???+ question "Q"' in out and "<script" not in out
