"""scripts/site/css_prune.py: keeps what a page can use, drops the rest, never breaks a kept rule."""
import pytest

from scripts.site.css_prune import page_classes, prune

CSS = """
:root { --used: red; --via: var(--used); --unused: blue; --chain-end: 1px; --chain: var(--chain-end); }
.a { color: var(--via); }
.a .b, .zz .b { border-width: var(--chain); }
.missing { color: green; }
p:not(.gone) { margin: 0; }
.a:is(.x, .y) { padding: 1px; }
@media (max-width: 600px) { .a { color: black } .missing { color: white } }
@media print { .missing { display: none } }
@keyframes spin { from { opacity: 0 } to { opacity: 1 } }
@keyframes unusedspin { from { opacity: 0 } }
.a.spinner { animation: spin 1s; }
[data-theme=dark] .a { color: white !important; }
"""


def test_keeps_rules_whose_classes_are_on_the_page():
    out = prune(CSS, {"a", "b", "spinner"})
    assert ".a{color:var(--via)}" in out
    assert ".a .b{" in out and ".zz .b" not in out          # one selector of a list dropped
    assert ".missing" not in out


def test_optional_classes_inside_functional_pseudo_classes_do_not_drop_a_rule():
    out = prune(CSS, {"a"})
    assert "p:not(.gone){margin:0}" in out
    assert ".a:is(.x, .y){padding:1px}" in out


def test_media_blocks_keep_only_their_live_rules_and_vanish_when_empty():
    out = prune(CSS, {"a"})
    assert "@media (max-width: 600px){.a{color:black}}" in out
    assert "@media print" not in out


def test_custom_properties_are_kept_only_when_read_directly_or_through_others():
    out = prune(CSS, {"a", "b"})
    for name in ("--via:", "--used:", "--chain:", "--chain-end:"):
        assert name in out
    assert "--unused" not in out
    assert "--chain" not in prune(CSS, {"a"})                # .b gone: nothing reads it


def test_keyframes_follow_the_animations_that_use_them():
    assert "@keyframes spin" in prune(CSS, {"a", "spinner"})
    assert "@keyframes spin" not in prune(CSS, {"a"})
    assert "unusedspin" not in prune(CSS, {"a", "spinner"})


def test_attribute_selectors_and_important_survive():
    assert "[data-theme=dark] .a{color:white !important}" in prune(CSS, {"a"})


def test_page_classes_reads_every_class_attribute():
    html = '<div class="a  b"><span class="c">x</span><p id="a">not a class</p></div>'
    assert page_classes(html) == {"a", "b", "c"}


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="stylesheet as a str"):
        prune(b".a{}", {"a"})
    with pytest.raises(TypeError, match="class names as a set"):
        prune(".a{}", ["a"])
    with pytest.raises(TypeError, match="HTML as a str"):
        page_classes(None)
