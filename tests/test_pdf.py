"""The PDF editions: one per language, printed from the print page by headless chromium."""
import re
import unicodedata

import pytest

from tests.pages import LANGS, read_page, topic_pages

ANSWER = {"en": "30-secondanswer", "zh": "30秒回答"}   # whitespace is stripped


@pytest.mark.browser
def test_pdf_per_language_has_every_topic_and_no_raw_tex(built_site, browser, tmp_path):
    import pypdf
    from scripts.pdf import make_pdfs

    pdfs = make_pdfs(built_site, tmp_path, browser)
    for lang in LANGS:
        reader = pypdf.PdfReader(pdfs[lang])
        # NFKC folds the ligatures PDF text extraction returns (ﬁ -> fi).
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", "".join(p.extract_text() for p in reader.pages)))
        topics = topic_pages(lang)
        assert len(reader.pages) >= 2 * len(topics)
        for path in topics:
            h1 = read_page(lang, path).body.lstrip().split("\n", 1)[0].removeprefix("# ")
            title = re.sub(r"\s+|`", "", unicodedata.normalize("NFKC", h1))
            assert title in text, f"{lang} PDF misses the section {title!r}"
        assert text.count(ANSWER[lang]) == len(topics), "one 30-second answer per topic section"
        raw = re.findall(r"\\\(|\\\[|\\frac|\\mathbb|\$\$", text)
        assert not raw, f"{lang} PDF contains raw TeX: {raw[:5]}"
