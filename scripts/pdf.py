"""Print the PDF editions: ``python -m scripts.pdf [SITE_DIR] [OUT_DIR]``.

Serves a built site on 127.0.0.1, opens the print page of each language
(``/print/``, ``/zh/print/``: every topic page, answers expanded) in headless
Debian chromium, waits for KaTeX and every figure, and saves it as a PDF.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from scripts.bench import serve  # noqa: E402

LANG_PATHS = {"en": "print/", "zh": "zh/print/"}


def make_pdfs(site: Path, out_dir: Path, browser=None) -> dict[str, Path]:
    """Write one PDF per language; reuse ``browser`` (a Playwright Browser) if given."""
    if browser is None:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return make_pdfs(site, out_dir, b)
            finally:
                b.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    server, base = serve(site)
    written = {}
    try:
        for lang, path in LANG_PATHS.items():
            page = browser.new_page(color_scheme="light")
            page.goto(base + path, wait_until="networkidle")
            page.wait_for_function("document.querySelectorAll('.arithmatex').length === 0 || "
                                   "document.querySelectorAll('.katex').length > 0")
            page.wait_for_function("[...document.images].every(i => i.complete)")
            pdf = out_dir / f"dl-interview-notes-{lang}.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=False,
                     margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
            written[lang] = pdf
            page.close()
    finally:
        server.shutdown()
    return written


if __name__ == "__main__":
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "dist"
    if not (site / "print" / "index.html").exists():
        raise SystemExit(f"{site} has no print page: run `make build` first")
    for lang, pdf in make_pdfs(site, out).items():
        print(f"{lang}: {pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")
