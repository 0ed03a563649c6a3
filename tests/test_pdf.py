"""The PDF editions: one per language, printed from the print page by headless Chromium.

The editions are made by the commands README.md documents and the Pages workflow runs
(``make offline``, ``make pdf``: relative paths, from the repository root), never by
calling the code another way: that is how a 404 page once passed as the PDF.
"""
import re
import subprocess
import sys

import pytest

from conftest import ROOT, workflow_commands
from scripts.pdf import PdfError, check_pdfs, make_pdfs
from scripts.serve import SiteError
from tests.pages import LANGS


def test_the_workflow_runs_the_commands_readme_documents():
    cmds = workflow_commands()
    assert cmds == ["make offline", "make pdf"], cmds
    for readme in ("README.md", "README.zh.md"):
        text = (ROOT / readme).read_text(encoding="utf-8")
        for cmd in cmds:
            assert f"`{cmd}`" in text, f"{readme} does not document `{cmd}`"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(PY) -m scripts.pdf site dist\n" in makefile, "make pdf prints from the relative site/ into dist/"


@pytest.mark.browser
def test_documented_commands_print_both_books_with_every_topic(workflow_dist):
    """`make pdf` exits 0 only after check_pdfs found, in each book's extracted text, every topic
    page's H1, one 30-second answer per topic and no raw TeX (the tests below show that check
    failing); extracting ~350 pages again here would add half a minute for the same answer."""
    import pypdf

    for lang in LANGS:
        pdf = workflow_dist.dist / f"dl-interview-notes-{lang}.pdf"
        assert pdf.exists(), f"`make pdf` wrote no {pdf}"
        pages = len(pypdf.PdfReader(pdf).pages)
        assert pages > 50 and pdf.stat().st_size > 1_000_000, (lang, pages, pdf.stat().st_size)
        assert re.search(rf"^{lang}: {re.escape(str(pdf))} \({pages} pages, .*\): every topic section present$",
                         workflow_dist.stdout, re.M), workflow_dist.stdout[-1500:]
    assert (workflow_dist.dist / "dl-interview-notes-offline.zip").exists()


@pytest.mark.browser
def test_the_book_check_names_the_sections_a_real_but_partial_book_lacks(workflow_dist, tmp_path):
    import pypdf

    part = tmp_path / "part.pdf"                 # the first 12 printed pages: the first topic, not all
    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(workflow_dist.dist / "dl-interview-notes-en.pdf").pages[:12]:
        writer.add_page(page)
    writer.write(part)
    with pytest.raises(PdfError, match="misses the section") as err:
        check_pdfs({"en": part})
    assert "'Data augmentation'" not in str(err.value), "the first topic is in those pages"


def fake_site(root, print_body: str):
    """A directory that looks like a built site but whose print pages hold ``print_body``."""
    for d in ("", "print/", "zh/print/"):
        (root / d).mkdir(parents=True, exist_ok=True)
        (root / d / "index.html").write_text(f"<!doctype html><title>x</title><h1>{print_body}</h1>",
                                             encoding="utf-8")
    return root


@pytest.mark.browser
def test_a_print_page_without_the_topics_fails_and_leaves_no_pdf(browser, tmp_path):
    site = fake_site(tmp_path / "site", "Error response: 404 File not found")
    with pytest.raises(PdfError, match="misses the section"):
        make_pdfs(site, tmp_path / "out", browser)
    assert not (tmp_path / "out" / "dl-interview-notes-en.pdf").exists()


@pytest.mark.browser
def test_a_print_page_that_loads_a_missing_file_fails(browser, tmp_path):
    site = fake_site(tmp_path / "site", '<img src="missing.png" alt="a figure">')
    with pytest.raises(SiteError, match=r"missing\.png \(HTTP 404\)"):
        make_pdfs(site, tmp_path / "out", browser)


def test_make_pdf_on_a_directory_that_is_not_the_site_exits_non_zero(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "scripts.pdf", "no-such-site", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "no-such-site has no print page" in proc.stderr, proc.stderr
