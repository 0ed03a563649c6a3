"""scripts.serve and the tools that use it (bench, pdf, lighthouse): a relative site path works,
and a page that is not HTTP 200 is an error, never a result."""
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from scripts.serve import SiteError, get_ok, serve


def tiny_site(root: Path, body: str = "<h1>Home</h1>") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(f"<!doctype html><title>t</title>{body}", encoding="utf-8")
    return root


def test_a_relative_site_path_is_served_from_another_working_directory(tmp_path, monkeypatch):
    tiny_site(tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    server, base = serve(Path("site"), "/some-repo/")
    monkeypatch.chdir(ROOT)                # the link must not depend on the cwd any more
    try:
        assert base.endswith("/some-repo/")
        get_ok(base)
        with pytest.raises(SiteError, match="HTTP 404"):
            get_ok(base + "training/dropout/")
    finally:
        server.shutdown()


def test_a_root_base_path_serves_the_directory_itself(tmp_path):
    server, base = serve(tiny_site(tmp_path / "site"), "/")
    try:
        assert base.endswith(":%d/" % server.server_port)
        get_ok(base)
    finally:
        server.shutdown()


def test_a_directory_that_is_not_a_site_is_refused(tmp_path):
    with pytest.raises(SiteError, match="not a built site"):
        serve(tmp_path / "nothing-here")


def fake_browser(tmp_path) -> Path:
    exe = tmp_path / "chrome"
    exe.write_text('#!/bin/sh\necho "Chromium 1.0"\n')
    exe.chmod(0o755)
    return exe


def test_lighthouse_stops_on_a_404_before_auditing(tmp_path):
    """A site without the audited pages: exit non-zero naming the page, before any Lighthouse run."""
    tiny_site(tmp_path / "site")
    env = {"PATH": "/usr/bin:/bin", "DLNOTES_BROWSER": str(fake_browser(tmp_path)), "HOME": str(tmp_path)}
    before = (ROOT / "BENCHMARKS.md").read_bytes() if (ROOT / "BENCHMARKS.md").exists() else None
    proc = subprocess.run([sys.executable, "-m", "scripts.lighthouse", str(tmp_path / "site"), "--runs", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "make lighthouse:" in proc.stderr and "HTTP 404" in proc.stderr, proc.stderr[-2000:]
    after = (ROOT / "BENCHMARKS.md").read_bytes() if (ROOT / "BENCHMARKS.md").exists() else None
    assert after == before, "a failed run must not write scores"


@pytest.mark.browser
def test_bench_page_weights_fail_on_a_missing_file(browser, tmp_path):
    from scripts.bench import page_weights

    site = tiny_site(tmp_path / "site", '<h1>Home</h1><img src="missing.png" alt="x">')
    (site / "search").mkdir()
    (site / "search" / "search_index.json").write_text("{}")
    with pytest.raises(SiteError, match=r"missing\.png \(HTTP 404\)"):
        page_weights(site, browser)


def test_bench_edit_to_reload_times_a_real_rebuild_and_restores_the_page():
    """`make bench`'s edit->reload: mkdocs serve rebuilds after a save; the page is put back."""
    from scripts import bench

    before = bench.EDITED_PAGE.read_bytes()
    seconds = bench.edit_to_reload(port=8196)
    assert bench.EDITED_PAGE.read_bytes() == before
    assert 0.5 < seconds < 120          # a rebuild of both languages, not an instant no-op
