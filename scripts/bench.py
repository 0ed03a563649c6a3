"""Benchmark: build times, figure times, site size, per-page weight -> BENCHMARKS.md.

Run with ``make bench``. Not a test: it measures and reports against the budgets.
Page weight is measured in headless Chromium (found by scripts/browser.py; 1280x900) as every same-origin response
(HTML, CSS, JS, fonts, images, the page language's search index), gzip-compressed at
level 6 as a static host serves it, twice: **on load** (what opening the page costs;
images below the fold are lazy and not fetched yet; the budgeted number, as in
Lighthouse's total byte weight) and **read to the end** (after scrolling to the bottom,
every lazy image included).
"""
from __future__ import annotations

import gzip
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts import figures, search_bench  # noqa: E402
from scripts.browser import LAUNCH_ARGS, BrowserNotFound, find_browser  # noqa: E402
from scripts.serve import SiteError, require_ok, serve  # noqa: E402

BUDGETS = {"warm build (s)": 10, "cold build (s)": 90, "edit to reload (s)": 8}
EDITED_PAGE = ROOT / "docs" / "en" / "python" / "copy.md"     # a page edited (and restored) by the bench
# gzip KB on load incl. the search index (issue #8 budgets)
PAGE_BUDGET_KB = {"text": 200, "gallery": 450, "notebook": 250}
GALLERY_PAGES = ("data/augmentation/",)
PRINT_PAGES = ("print/",)     # the print edition: every figure eager, for the PDF; no budget


def build(dest: Path) -> float:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(dest)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


def edit_to_reload(port: int = 8197) -> float:
    """Seconds from saving a page to the end of ``mkdocs serve``'s rebuild (as ``make serve``
    runs it). The page gets a comment appended, and is restored whatever happens."""
    import threading

    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
                             "--livereload"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    built = threading.Semaphore(0)
    tail = []

    def read():
        for line in proc.stderr:
            tail[:] = (tail + [line])[-40:]
            if "Documentation built in" in line:
                built.release()
    threading.Thread(target=read, daemon=True).start()
    original = EDITED_PAGE.read_bytes()
    try:
        if not built.acquire(timeout=600):
            raise SystemExit("mkdocs serve never finished its first build:\n" + "".join(tail))
        time.sleep(2)                                   # let the file watcher settle
        t0 = time.perf_counter()
        EDITED_PAGE.write_bytes(original + f"\n<!-- bench edit {time.time()} -->\n".encode())
        if not built.acquire(timeout=300):
            raise SystemExit("mkdocs serve did not rebuild after an edit:\n" + "".join(tail))
        return time.perf_counter() - t0
    finally:
        EDITED_PAGE.write_bytes(original)
        proc.terminate()
        proc.wait(timeout=30)


def page_weights(site: Path, browser) -> list[tuple[str, str, int, int, int]]:
    """(path, kind, raw KB on load, gzip on load, gzip read to the end) per page, measured with
    ``browser`` (a Playwright Browser).

    Fails (:class:`SiteError`) when a page or anything it loads is not HTTP 200.
    """
    site = Path(site).resolve()
    pages = sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html"))
    pages = ["" if p == "./" else p for p in pages]
    server, base = serve(site)
    rows = []

    def gz(bodies):
        return sum(len(gzip.compress(b, 6, mtime=0)) for b in bodies.values())

    try:
        for path in pages:
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            bodies: dict[str, bytes] = {}
            failed: list[str] = []

            def on_response(resp):
                if resp.status >= 400:
                    failed.append(f"{resp.url} (HTTP {resp.status})")
                if resp.url.startswith("http://127.0.0.1:") and resp.status == 200:
                    try:
                        bodies[resp.url.split("#")[0]] = resp.body()
                    except Exception:
                        pass
            page.on("response", on_response)
            require_ok(page.goto(base + path, wait_until="networkidle"), base + path)
            page.wait_for_timeout(300)
            if not any(u.endswith("search_index.json") for u in bodies):   # fetched by the worker
                index = site / ("zh/" if path.startswith("zh/") else "") / "search" / "search_index.json"
                bodies["search_index.json"] = index.read_bytes()
            on_load = dict(bodies)
            height = page.evaluate("document.body.scrollHeight")
            for y in range(0, height + 900, 700):          # step down: every lazy image loads
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(40)
            page.wait_for_load_state("networkidle")
            ctx.close()
            if failed:
                raise SiteError(f"{base + path} loaded {len(failed)} resource(s) that failed: {failed[:5]}")
            html = (site / path / "index.html").read_text(encoding="utf-8")
            bare = path.removeprefix("zh/")
            kind = ("notebook" if "jp-Notebook" in html else "gallery" if bare in GALLERY_PAGES
                    else "print edition" if bare in PRINT_PAGES else "text")
            rows.append((path or "/", kind, sum(len(b) for b in on_load.values()), gz(on_load), gz(bodies)))
    finally:
        server.shutdown()
    return rows


def main():
    try:
        chromium = find_browser()      # before the slow builds: page weights need it
    except BrowserNotFound as e:
        raise SystemExit(f"make bench: {e}")
    out_lines = []
    tmp = Path(tempfile.mkdtemp(prefix="dlnotes-bench-"))
    # A fresh, empty cache: figures, executed notebooks and KaTeX renderings all rebuild.
    os.environ["DLNOTES_CACHE"] = str(tmp / "cache")
    os.environ["DLNOTES_JUPYTER_CACHE"] = str(tmp / "cache" / "mkdocs-jupyter")
    cold = build(tmp / "site-cold")
    warm = build(tmp / "site-warm")
    reload = edit_to_reload()
    fig_times = figures.build(out_dir=tmp / "figs", force=True, log=None)
    site = tmp / "site-warm"
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        try:
            weights = page_weights(site, browser)
            server, base = serve(site)
            try:
                search = search_bench.measure(browser, base, site)
            finally:
                server.shutdown()
        finally:
            browser.close()

    def ok(value, budget):
        return "ok" if value <= budget else "OVER BUDGET"

    out_lines += [
        "# Benchmarks", "",
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d')} — {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}.", "",
        "| measure | value | budget | |", "|---|---|---|---|",
        f"| cold build (empty caches, both languages, all figures and notebooks) | {cold:.1f} s | "
        f"{BUDGETS['cold build (s)']} s | {ok(cold, BUDGETS['cold build (s)'])} |",
        f"| warm build | {warm:.1f} s | {BUDGETS['warm build (s)']} s | {ok(warm, BUDGETS['warm build (s)'])} |",
        f"| edit to reload (`make serve`: save a page, rebuild done) | {reload:.1f} s | "
        f"{BUDGETS['edit to reload (s)']} s | {ok(reload, BUDGETS['edit to reload (s)'])} |",
        f"| figures drawn from scratch ({len(fig_times)} figures, 2 schemes each) | {sum(fig_times.values()):.1f} s | | |",
        f"| site size on disk | {size / 1e6:.2f} MB | | |", "",
        "## Figure build time", "", "| figure | seconds |", "|---|---|",
    ]
    out_lines += [f"| {n} | {t:.2f} |" for n, t in sorted(fig_times.items(), key=lambda x: -x[1])]
    out_lines += ["", "## Page weight", "",
                  "gzip KB of every same-origin response (HTML, CSS, JS, fonts, images and the search "
                  "index of the page's language) in a 1280x900 window. **On load** is what opening the "
                  "page transfers (images below the fold are lazy-loaded and not fetched yet); the "
                  "budget applies to it. **Read to the end** adds every image after scrolling to the bottom.", "",
                  "| page | kind | raw KB on load | gzip KB on load | budget KB | | gzip KB read to the end |",
                  "|---|---|---|---|---|---|---|"]
    for path, kind, raw, gz_load, gz_all in weights:
        budget = PAGE_BUDGET_KB.get(kind)
        verdict = ok(gz_load / 1024, budget) if budget else "(the PDF source: no budget)"
        out_lines.append(f"| {path} | {kind} | {raw / 1024:.0f} | {gz_load / 1024:.0f} | {budget or '—'} | "
                         f"{verdict} | {gz_all / 1024:.0f} |")
    out_lines += ["", "## Search", "", search_bench.report(search)]
    text = "\n".join(out_lines) + "\n"
    bench = ROOT / "BENCHMARKS.md"
    old = bench.read_text(encoding="utf-8") if bench.exists() else ""
    if "<!-- lighthouse:start -->" in old:          # keep the scores `make lighthouse` wrote
        text += "\n" + old[old.index("<!-- lighthouse:start -->"):]
    bench.write_text(text, encoding="utf-8")
    print(text)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except SiteError as e:
        raise SystemExit(f"make bench: {e}")
