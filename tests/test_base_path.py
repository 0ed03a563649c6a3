"""The site built for another base path, as GitHub Pages builds a project site.

The Pages workflow sets SITE_URL to ``https://<owner>.github.io/<repository>/``; nothing in the
site may assume the local default path. One build per session (``SITE_URL`` below, into a
temporary directory), then the link and asset checks of tests/test_site.py (imported, not
copied) and one browser smoke test served under ``/some-repo/``.
"""
import os
import re
import subprocess
import sys

import pytest

import tests.test_site as site_checks
from conftest import ROOT
from scripts.serve import serve, site_path_prefix

SITE_URL = "https://example.github.io/some-repo/"
PREFIX = "/some-repo/"
REPO_URL = "https://github.com/example/some-repo"     # the repository Pages would serve at SITE_URL
DEFAULT_PREFIX = "/dl-interview-notes/"

pytestmark = pytest.mark.site


@pytest.fixture(scope="session")
def base_path_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("base-path") / "site"
    env = dict(os.environ, SITE_URL=SITE_URL, NO_MKDOCS_2_WARNING="1")
    env["DLNOTES_REPO_URL"] = REPO_URL          # as the workflow sets it: edit links on
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        pytest.fail(f"build with SITE_URL={SITE_URL} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    (out / ".build-log").write_text(proc.stderr, encoding="utf-8")
    return out


@pytest.fixture
def under_base_path(monkeypatch):
    """SITE_URL as the build had it, so site_path_prefix() (used by the checks) is /some-repo/."""
    monkeypatch.setenv("SITE_URL", SITE_URL)
    assert site_path_prefix() == PREFIX


@pytest.mark.parametrize("check", [
    "test_strict_build_has_no_warnings",
    "test_every_page_is_built_in_both_languages",
    "test_internal_links_and_anchors_resolve",
    "test_images_have_alt_size_and_lazy_loading",
    "test_nothing_loads_from_another_origin",
])
def test_site_checks_pass_under_another_base_path(base_path_site, under_base_path, check):
    getattr(site_checks, check)(base_path_site)


def test_nothing_assumes_the_default_base_path(base_path_site):
    problems = []
    for path in base_path_site.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".json", ".xml", ".webmanifest"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for m in re.finditer(re.escape(DEFAULT_PREFIX), text):
                problems.append(f"{path.relative_to(base_path_site)}: …{text[max(0, m.start() - 60):m.end() + 20]}…")
    assert not problems, "\n".join(problems[:20])
    not_found = (base_path_site / "404.html").read_text(encoding="utf-8")
    assert f'href="{PREFIX}assets/' in not_found or f'src="{PREFIX}assets/' in not_found, \
        "404.html (served at any depth) must load its assets from the base path"
    sitemap = (base_path_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE_URL}training/dropout/</loc>" in sitemap


@pytest.fixture(scope="module")
def site_url(base_path_site):
    """Overrides conftest's site_url for this module: page_factory opens pages under /some-repo/."""
    server, base = serve(base_path_site, PREFIX)
    assert base.endswith(PREFIX)
    yield base
    server.shutdown()


@pytest.mark.browser
def test_search_finds_dropout_when_served_under_the_base_path(page_factory, site_url):
    from conftest import type_search        # the one search helper, kept in step with the search UI

    page, problems = page_factory("")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() >= 1
    hrefs = [item.locator("a").first.get_attribute("href") for item in type_search(page, "dropout").all()]
    targets = [page.evaluate("h => new URL(h, location.href).pathname", h) for h in hrefs]
    assert any(t.startswith(f"{PREFIX}training/dropout/") for t in targets), targets
    assert not problems, problems
