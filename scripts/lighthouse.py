"""Lighthouse scores: ``python -m scripts.lighthouse [SITE_DIR] [--runs N]``.

Audits the built site served gzip-compressed on 127.0.0.1 (as GitHub Pages serves it)
with Lighthouse from the npm registry (``tools/lighthouse``, installed with ``npm ci`` on
first use) driving the browser scripts/browser.py finds; mobile and desktop presets; the
median of N runs per page; writes the table into BENCHMARKS.md between markers. Not a test.
Fails before auditing when a page is not HTTP 200, and on any Lighthouse run that could not
load its page (a report of an error page is not a score).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.browser import BrowserNotFound, find_browser  # noqa: E402
from scripts.serve import SiteError, get_ok, serve  # noqa: E402

TOOL = ROOT / "tools" / "lighthouse"
PAGES = ["", "cnn/receptive-field/", "data/augmentation/", "training/dropout-lab/", "drill/"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
START, END = "<!-- lighthouse:start -->", "<!-- lighthouse:end -->"
METRICS = {"LCP": "largest-contentful-paint", "TBT": "total-blocking-time", "CLS": "cumulative-layout-shift"}


def lighthouse_bin() -> Path:
    exe = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not exe.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=TOOL, check=True)
    return exe


def audit(url: str, preset: str, chromium: str) -> dict[str, float]:
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    cmd = [str(lighthouse_bin()), url, f"--chrome-path={chromium}", "--quiet", "--output=json",
           f"--output-path={out}", f"--only-categories={','.join(CATEGORIES)}",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "
           "--disable-component-update --no-first-run"]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    report = json.loads(out.read_text()) if out.stat().st_size else {}
    out.unlink()
    if proc.returncode or not report:
        raise SiteError(f"lighthouse {url} ({preset}) exited {proc.returncode}: {proc.stderr[-2000:]}")
    error = report.get("runtimeError") or {}
    status = report.get("audits", {}).get("http-status-code", {})
    if error.get("code") or status.get("score") == 0:
        raise SiteError(f"lighthouse {url} ({preset}) did not load the page: "
                        f"{error.get('message') or status.get('displayValue') or status}")
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    for key, audit_id in METRICS.items():
        scores[key] = report["audits"][audit_id]["numericValue"]
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "site")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    chromium = find_browser()
    server, base = serve(args.site)
    rows = []
    try:
        for lang in ("", "zh/"):
            for page in PAGES:
                get_ok(base + lang + page)
        for lang in ("", "zh/"):
            for page in PAGES:
                for preset in ("mobile", "desktop"):
                    runs = [audit(base + lang + page, preset, chromium) for _ in range(args.runs)]
                    med = {c: statistics.median(r[c] for r in runs) for c in [*CATEGORIES, *METRICS]}
                    rows.append((lang + page or "/", preset, med))
                    print(rows[-1], flush=True)
    finally:
        server.shutdown()
    lines = [START, "", f"## Lighthouse (median of {args.runs} run(s); targets: performance ≥ 90 on mobile, "
             "accessibility, best practices and SEO 100)", "",
             "| page | preset | performance | accessibility | best practices | SEO | LCP s | TBT ms | CLS |",
             "|---|---|---|---|---|---|---|---|---|"]
    for path, preset, med in rows:
        cells = []
        for c in CATEGORIES:
            miss = med[c] < TARGETS[c] and (c != "performance" or preset == "mobile")
            cells.append(f"{med[c]:.0f}{' ⚠' if miss else ''}")
        cells += [f"{med['LCP'] / 1000:.1f}", f"{med['TBT']:.0f}", f"{med['CLS']:.3f}"]
        lines.append(f"| {path} | {preset} | " + " | ".join(cells) + " |")
    lines += ["", END]
    bench = ROOT / "BENCHMARKS.md"
    text = bench.read_text(encoding="utf-8") if bench.exists() else "# Benchmarks\n"
    block = "\n".join(lines)
    if START in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    bench.write_text(text, encoding="utf-8")
    print(block)


if __name__ == "__main__":
    try:
        main()
    except (BrowserNotFound, SiteError) as e:
        raise SystemExit(f"make lighthouse: {e}")
