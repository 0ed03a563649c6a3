"""Collect every ``>>>`` block on the site's pages as a doctest.

Each fenced block in ``docs/**/*.md`` whose first line starts with ``>>>`` is
one test; blocks of one page share a namespace, in page order, so a page can
build on its earlier examples. What the reader sees printed is what ran.
"""
from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[^\n]*\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
                   re.M | re.S)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def doctest_blocks(text: str):
    """(line number, source) of each fenced block that starts with '>>>'."""
    for m in FENCE.finditer(text):
        body = m["body"]
        indent = m["indent"]
        lines = [ln[len(indent):] if ln.startswith(indent) else ln for ln in body.splitlines()]
        if lines and lines[0].lstrip().startswith(">>>"):
            yield text.count("\n", 0, m.start()) + 2, "\n".join(lines) + "\n"


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".md" and DOCS in file_path.parents:
        text = file_path.read_text(encoding="utf-8")
        if ">>>" in text:
            return MarkdownDoctestFile.from_parent(parent, path=file_path)
    return None


class MarkdownDoctestFile(pytest.File):
    def collect(self):
        text = self.path.read_text(encoding="utf-8")
        globs: dict = {}
        for line, source in doctest_blocks(text):
            yield MarkdownDoctestItem.from_parent(self, name=f"line {line}", source=source,
                                                  line=line, globs=globs)


class MarkdownDoctestItem(pytest.Item):
    def __init__(self, *, source, line, globs, **kw):
        super().__init__(**kw)
        self.source, self.line, self.globs = source, line, globs

    def runtest(self):
        parser = doctest.DocTestParser()
        test = parser.get_doctest(self.source, self.globs, str(self.path), str(self.path), self.line)
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        out: list[str] = []
        runner.run(test, out=out.append, clear_globs=False)
        self.globs.update(test.globs)        # DocTest copied the namespace: share it onward
        if runner.failures:
            raise DocFailure("".join(out))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, DocFailure):
            return f"{self.path}:{self.line}: doctest failed\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.line, f"doctest {self.path.name}:{self.line}"


class DocFailure(Exception):
    pass


# ---------------------------------------------------------------------------
# The built site, served on 127.0.0.1, and a browser (shared by site and browser tests).
# ---------------------------------------------------------------------------
import functools  # noqa: E402
import http.server  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import typing  # noqa: E402

from scripts.browser import LAUNCH_ARGS as CHROMIUM_ARGS, BrowserNotFound, find_browser  # noqa: E402
from scripts.serve import site_path_prefix  # noqa: E402,F401  (the site_url path; tests import it from here)

SITE_DIR = ROOT / ".cache" / "test-site"
# The browser every test drives (DLNOTES_BROWSER, then chromium/chromium-browser/google-chrome on
# PATH: scripts/browser.py); None, with the reason in CHROMIUM_MISSING, when there is none.
try:
    CHROMIUM, CHROMIUM_MISSING = find_browser(), ""
except BrowserNotFound as _missing:
    CHROMIUM, CHROMIUM_MISSING = None, str(_missing)


# The test build sets a repository URL (the Pages workflow sets the real one) so the
# "edit this page" links are built and checked.
TEST_REPO_URL = "https://github.com/example/dl-interview-notes"


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the site once per test session with --strict; return its directory.

    Set DLNOTES_SITE to reuse a site already built from this checkout.
    """
    if os.environ.get("DLNOTES_SITE"):
        return Path(os.environ["DLNOTES_SITE"]).resolve()      # a relative path works too
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.setdefault("DLNOTES_REPO_URL", TEST_REPO_URL)     # as the Pages workflow: edit links on
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(SITE_DIR)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    (SITE_DIR / ".build-log").write_text(proc.stderr, encoding="utf-8")
    return SITE_DIR


@pytest.fixture(scope="session")
def site_url(built_site):
    """Serve the built site on 127.0.0.1 under the site_url path; yield the base URL."""
    prefix = site_path_prefix()
    # Named after the site: two suites serving different builds from one folder would
    # replace each other's link.
    root = built_site.parent / f"serve-root-{built_site.name}"
    if root.exists():
        shutil.rmtree(root)
    mount = root / prefix.strip("/")
    mount.parent.mkdir(parents=True, exist_ok=True)
    mount.symlink_to(built_site, target_is_directory=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{prefix}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip(f"!!! BROWSER TESTS DID NOT RUN: {CHROMIUM_MISSING} (.ci/run installs chromium) !!!")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_factory(browser, site_url):
    """new_page(path, scheme='light', width=1280) -> (page, problems).

    ``problems`` collects console errors, page errors and every request that
    leaves 127.0.0.1; tests assert it stays empty.
    """
    contexts = []

    def new_page(path="", scheme="light", width=1280, height=900, locale=None, init=None, wait_until="load"):
        ctx = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                  **({"locale": locale} if locale else {}))
        contexts.append(ctx)
        if init:
            ctx.add_init_script(init)
        page = ctx.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        def check_request(route):
            url = route.request.url
            if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
                route.continue_()
            else:
                problems.append(f"request left 127.0.0.1: {url}")
                route.abort()
        page.route("**/*", check_request)
        page.goto(site_url + path, wait_until=wait_until)
        return page, problems

    yield new_page
    for ctx in contexts:
        ctx.close()


def slow_phone(browser, locale=None):
    """(context, page) under Lighthouse's mobile conditions: a 412 px phone, 4x slower CPU,
    150 ms latency, 1.6 Mbit/s. Close the context when done."""
    ctx = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75,
                              is_mobile=True, has_touch=True, **({"locale": locale} if locale else {}))
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 150,
                                                  "downloadThroughput": 1.6e6 / 8,
                                                  "uploadThroughput": 750e3 / 8})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    return ctx, page


def type_search(page, query):
    """Open Material's search, type ``query`` and return the result items (a Locator)."""
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")                       # CJK text typed via fill fires no keyup: nudge the search
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    return page.locator(".md-search-result__item")


# ---------------------------------------------------------------------------
# The side editions, made by the Pages workflow's own command lines (as README documents them).
# ---------------------------------------------------------------------------
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
EDITIONS_JOB = "offline-and-pdf"


def workflow_commands(job: str = EDITIONS_JOB, needle: str = "make ") -> list[str]:
    """The lines of the ``run:`` step of ``job`` that mention ``needle``, verbatim."""
    import yaml
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"][job]["steps"]
    runs = [s["run"] for s in steps if needle in s.get("run", "")]
    assert len(runs) == 1, f"expected one step of {job} that runs {needle!r}, found {runs}"
    return [ln.strip() for ln in runs[0].splitlines() if ln.strip()]


class Editions(typing.NamedTuple):
    dist: Path          # what the commands wrote
    stdout: str         # what they printed


@pytest.fixture(scope="session")
def workflow_dist() -> Editions:
    """Run the editions job's commands exactly as written (from the repository root, relative
    paths: `make offline`, `make pdf`), once per session; return the dist/ they wrote and their output.

    `make pdf` builds site/ (`make build`) on the way, as a user's checkout would.
    """
    if CHROMIUM is None:
        pytest.skip(f"!!! BROWSER TESTS DID NOT RUN: {CHROMIUM_MISSING} (.ci/run installs chromium) !!!")
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DLNOTES_SITE")}
    out = []
    for cmd in workflow_commands():
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", cmd], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if proc.returncode:
            pytest.fail(f"`{cmd}` exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
        out.append(proc.stdout)
    return Editions(ROOT / "dist", "".join(out))
