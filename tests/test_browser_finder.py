"""scripts.browser.find_browser: the one setting, then PATH, in order; clear failure."""
import os
from pathlib import Path

import pytest

from scripts.browser import CANDIDATES, ENV, BrowserNotFound, find_browser


def fake(bin_dir: Path, name: str, works: bool = True) -> Path:
    """An executable that answers --version like a browser (or fails like a snap shim)."""
    exe = bin_dir / name
    exe.write_text("#!/bin/sh\n" + ('echo "Chromium 1.2.3"\n' if works else
                                    'echo "requires the chromium snap to be installed" >&2; exit 1\n'))
    exe.chmod(0o755)
    return exe


@pytest.fixture
def bin_dir(tmp_path):
    d = tmp_path / "bin"
    d.mkdir()
    return d


def env(bin_dir, **extra):
    return {"PATH": str(bin_dir), **extra}


@pytest.mark.parametrize("name", CANDIDATES)
def test_each_candidate_is_found_on_path(bin_dir, name):
    exe = fake(bin_dir, name)
    assert find_browser(env(bin_dir)) == str(exe)


def test_candidates_in_order_chromium_first(bin_dir):
    for name in ("google-chrome", "chromium-browser", "chromium"):
        fake(bin_dir, name)
    assert find_browser(env(bin_dir)) == str(bin_dir / "chromium")
    (bin_dir / "chromium").unlink()
    assert find_browser(env(bin_dir)) == str(bin_dir / "chromium-browser")


def test_the_environment_variable_wins_as_a_path_or_a_name(bin_dir, tmp_path):
    fake(bin_dir, "chromium")
    chrome = fake(tmp_path, "my-chrome")
    assert find_browser(env(bin_dir, **{ENV: str(chrome)})) == str(chrome)
    fake(bin_dir, "google-chrome")
    assert find_browser(env(bin_dir, **{ENV: "google-chrome"})) == str(bin_dir / "google-chrome")


def test_a_broken_environment_variable_fails_instead_of_falling_back(bin_dir, tmp_path):
    fake(bin_dir, "chromium")
    with pytest.raises(BrowserNotFound, match=rf"\${ENV}='/no/such/chrome' does not work"):
        find_browser(env(bin_dir, **{ENV: "/no/such/chrome"}))
    shim = fake(tmp_path, "shim", works=False)
    with pytest.raises(BrowserNotFound, match="exited 1: requires the chromium snap"):
        find_browser(env(bin_dir, **{ENV: str(shim)}))


def test_a_snap_shim_is_skipped(bin_dir):
    fake(bin_dir, "chromium-browser", works=False)
    chrome = fake(bin_dir, "google-chrome")
    assert find_browser(env(bin_dir)) == str(chrome)


def test_a_non_executable_file_is_not_a_browser(bin_dir):
    (bin_dir / "chromium").write_text("#!/bin/sh\necho hi\n")          # mode 644
    with pytest.raises(BrowserNotFound):
        find_browser(env(bin_dir))


def test_nothing_found_names_everything_tried(bin_dir):
    fake(bin_dir, "chromium-browser", works=False)
    with pytest.raises(BrowserNotFound) as err:
        find_browser(env(bin_dir))
    msg = str(err.value)
    assert ENV in msg
    for name in CANDIDATES:
        assert name in msg, msg
    assert f"chromium-browser at {bin_dir / 'chromium-browser'} (`--version` exited 1" in msg, msg


def test_the_empty_environment_variable_counts_as_unset(bin_dir):
    exe = fake(bin_dir, "google-chrome-stable")
    assert find_browser(env(bin_dir, **{ENV: ""})) == str(exe)


def test_default_environment_is_os_environ(bin_dir, monkeypatch):
    exe = fake(bin_dir, "chromium")
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + "/nonexistent")
    monkeypatch.delenv(ENV, raising=False)
    assert find_browser() == str(exe)
