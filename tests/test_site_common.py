"""scripts/site/common.py: the persistent memo the build's caches use."""
import json

import pytest

from scripts.site import common


@pytest.fixture
def memo_in(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(common.DiskMemo, "_all", [])
    return tmp_path


def new_process():
    common.DiskMemo._all = []          # (the fixture's monkeypatch restores the real list)


def test_disk_memo_computes_once_and_reloads_in_a_new_process(memo_in):
    calls = []
    memo = common.DiskMemo("demo")
    assert memo.get("k", lambda: calls.append(1) or [1, "a"]) == [1, "a"]
    assert memo.get("k", lambda: calls.append(1) or "other") == [1, "a"] and calls == [1]
    common.DiskMemo.save_all()
    new_process()
    again = common.DiskMemo("demo")                 # what the next build sees
    assert again.get("k", lambda: pytest.fail("recomputed a stored value")) == [1, "a"]


def test_disk_memo_keeps_only_what_this_build_used(memo_in):
    first = common.DiskMemo("demo")
    first.get("old", lambda: 1), first.get("kept", lambda: 2)
    first.save()
    new_process()
    second = common.DiskMemo("demo")
    second.get("kept", lambda: pytest.fail("recomputed"))
    second.get("new", lambda: 3)
    second.save()
    assert sorted(json.loads((memo_in / "demo.json").read_text()).values()) == [2, 3]


def test_disk_memo_survives_a_corrupt_file(memo_in):
    (memo_in / "demo.json").write_text("{not json")
    assert common.DiskMemo("demo").get("k", lambda: 7) == 7


def test_one_memo_per_name_so_both_languages_entries_are_saved(memo_in):
    """i18n runs the hook's on_config once per language: the second DiskMemo("x") must be
    the first, or each would save only its own language's entries over the other's."""
    en = common.DiskMemo("pages")
    en.get("en/index.md", lambda: "EN")
    zh = common.DiskMemo("pages")
    assert zh is en
    zh.get("zh/index.md", lambda: "ZH")
    common.DiskMemo.save_all()
    assert sorted(json.loads((memo_in / "pages.json").read_text()).values()) == ["EN", "ZH"]
