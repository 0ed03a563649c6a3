"""Print the PDF editions: ``python -m scripts.pdf [SITE_DIR] [OUT_DIR]`` (``make pdf``).

Serves a built site on 127.0.0.1, opens the print page of each language
(``/print/``, ``/zh/print/``: every topic page, answers expanded) in headless
Chromium (found by scripts/browser.py), waits for KaTeX and every figure, and saves it
as a PDF. Fails, and leaves no PDF behind, when the print page or anything it loads is
not HTTP 200, or when the PDF's text lacks a topic page's title (H1) or holds raw TeX.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.browser import LAUNCH_ARGS, BrowserNotFound, find_browser  # noqa: E402
from scripts.serve import SiteError, require_ok, serve  # noqa: E402

LANG_PATHS = {"en": "print/", "zh": "zh/print/"}
ANSWER = {"en": "30-secondanswer", "zh": "30秒回答"}   # as in the extracted text, whitespace stripped


class PdfError(RuntimeError):
    """A PDF was printed but is not the book: sections missing, raw TeX."""


def squeeze(text: str) -> str:
    """NFKC (folds the ligatures PDF text extraction returns: ﬁ -> fi), no whitespace, no backticks."""
    return re.sub(r"[\s`]+", "", unicodedata.normalize("NFKC", text))


def topic_titles(lang: str) -> list[str]:
    """The H1 of every topic page of ``lang``, from the sources in docs/."""
    from tests.pages import read_page, topic_pages
    return [read_page(lang, p).body.lstrip().split("\n", 1)[0].removeprefix("# ").strip()
            for p in topic_pages(lang)]


def _extract(pdf: str) -> tuple[int, str]:
    import pypdf
    reader = pypdf.PdfReader(pdf)
    return len(reader.pages), squeeze("".join(page.extract_text() for page in reader.pages))


def pdf_texts(pdfs: list[Path]) -> list[tuple[int, str]]:
    """(page count, squeezed text) of each PDF. Text extraction is pure Python (~0.1 s a page):
    one process per PDF, at most one per core."""
    import concurrent.futures
    import multiprocessing
    import os

    if len(pdfs) < 2 or (os.cpu_count() or 1) < 2:
        return [_extract(str(pdf)) for pdf in pdfs]
    # spawn, not fork: callers hold a Playwright driver thread
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(min(len(pdfs), os.cpu_count()), mp_context=ctx) as pool:
        return list(pool.map(_extract, map(str, pdfs)))


def check_pdfs(pdfs: dict[str, Path]) -> dict[str, int]:
    """Raise :class:`PdfError` unless each PDF (by language) holds every topic section of its
    language (the H1 of each topic page in its extracted text), one 30-second answer per topic
    and no raw TeX; return the page count of each."""
    langs = list(pdfs)
    problems, pages = [], {}
    for lang, (n, text) in zip(langs, pdf_texts([pdfs[lang] for lang in langs])):
        pages[lang] = n
        titles = topic_titles(lang)
        found = [f"misses the section {t!r}" for t in titles if squeeze(t) not in text]
        if n < 2 * len(titles):
            found.append(f"has {n} page(s) for {len(titles)} topics")
        answers = text.count(ANSWER[lang])
        if answers != len(titles):
            found.append(f"has {answers} '30-second answer' boxes for {len(titles)} topics")
        raw = re.findall(r"\\\(|\\\[|\\frac|\\mathbb|\$\$", text)
        if raw:
            found.append(f"contains raw TeX: {raw[:5]}")
        if found:
            problems.append(f"{pdfs[lang]} is not the {lang} book: " + "; ".join(found[:8])
                            + f" (text starts: {text[:160]!r})")
    if problems:
        raise PdfError("\n".join(problems))
    return pages


def make_pdfs(site: Path, out_dir: Path, browser=None) -> dict[str, Path]:
    """Write and check one PDF per language; reuse ``browser`` (a Playwright Browser) if given."""
    site, out_dir = Path(site).resolve(), Path(out_dir).resolve()
    if not (site / "print" / "index.html").exists():
        raise SiteError(f"{site} has no print page: run `make build` first")
    if browser is None:
        from playwright.sync_api import sync_playwright
        chromium = find_browser()
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
            try:
                return make_pdfs(site, out_dir, b)
            finally:
                b.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    server, base = serve(site)
    written = {}
    try:
        for lang, path in LANG_PATHS.items():
            pdf = out_dir / f"dl-interview-notes-{lang}.pdf"
            pdf.unlink(missing_ok=True)                  # never leave an old edition behind a failure
            page = browser.new_page(color_scheme="light")
            failed: list[str] = []
            page.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
            require_ok(page.goto(base + path, wait_until="networkidle"), base + path)
            page.wait_for_function("document.querySelectorAll('.arithmatex').length === 0 || "
                                   "document.querySelectorAll('.katex').length > 0")
            page.wait_for_function("[...document.images].every(i => i.complete)")
            if failed:
                raise SiteError(f"{base + path} loaded {len(failed)} resource(s) that failed: {failed[:5]}")
            page.pdf(path=str(pdf), format="A4", print_background=False,
                     margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
            page.close()
            written[lang] = pdf
    finally:
        server.shutdown()
    try:
        check_pdfs(written)
    except PdfError:
        for pdf in written.values():                   # keep them for a look, not as the editions
            pdf.rename(pdf.with_suffix(".broken.pdf"))
        raise
    return written


def main(argv: list[str]) -> None:
    site = Path(argv[0]) if argv else ROOT / "site"
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "dist"
    try:
        pdfs = make_pdfs(site, out)
    except (BrowserNotFound, SiteError, PdfError) as e:
        raise SystemExit(f"make pdf: {e}")
    import pypdf
    for lang, pdf in pdfs.items():
        pages = len(pypdf.PdfReader(pdf).pages)
        print(f"{lang}: {pdf} ({pages} pages, {pdf.stat().st_size / 1e6:.1f} MB): every topic section present")


if __name__ == "__main__":
    main(sys.argv[1:])
