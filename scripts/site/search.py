"""Search: what goes into the index, one index per language, and which one a page loads.

Events: ``on_config`` (``configure``: teach jieba the glossary's Chinese terms),
``on_page_content`` (``exclude_code``), ``on_post_page`` (``language_base``),
``on_post_build`` (``split_index``: one trimmed index per language).
Owns: ``search/search_index.json`` (and the offline ``search_index.js``) of each language,
``.cache/jieba-user-dict.txt``. Must not touch: the visible page content.
"""
from __future__ import annotations

import html as _html
import json
import logging
import posixpath
import re
from pathlib import Path

from scripts.site.common import CACHE_DIR, read_glossary

JIEBA_DICT = CACHE_DIR / "jieba-user-dict.txt"


def configure(config) -> None:
    """Teach jieba the domain terms so 感受野 or 随机失活 stay whole in the search index."""
    import jieba

    JIEBA_DICT.parent.mkdir(parents=True, exist_ok=True)
    terms = {zh for _, zh, _ in read_glossary()}
    # A compound that contains another term (倒置随机失活 ⊃ 随机失活) stays out of the dictionary,
    # so it is split and a search for the shorter term still matches it.
    words = sorted(t for t in terms if not any(o != t and o in t for o in terms))
    text = "".join(f"{w} 100000 n\n" for w in words)
    if not JIEBA_DICT.exists() or JIEBA_DICT.read_text(encoding="utf-8") != text:
        JIEBA_DICT.write_text(text, encoding="utf-8")
    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(JIEBA_DICT))


HIGHLIGHT_RE = re.compile(r'<div class="([^"]*\bhighlight\b[^"]*)"')


def exclude_code(html: str, page) -> str:
    """Keep the search index small: it is loaded by every page of both languages.

    Code blocks (they repeat dlnotes, which has its own page context) and lab
    notebooks (mostly code and outputs) are left out; prose, headings and inline
    code stay searchable.
    """
    if page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}
        return html
    return HIGHLIGHT_RE.sub(r'<div class="\1" data-search-exclude', html)


CONFIG_RE = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def language_base(output: str, page) -> str:
    """Point a Chinese page's Material config at /zh/ so it loads the Chinese index.

    Material reads the index from ``<base>/search/search_index.json`` and resolves result
    links against the same base; nothing else we use reads ``base`` (the palette setting
    is scoped by a separate ``__md_scope``, so light/dark carries across languages).
    """
    if not page.file.src_uri.startswith("zh/"):
        return output

    def fix(m):
        cfg = json.loads(m.group(2))
        cfg["base"] = posixpath.normpath(posixpath.join(cfg["base"], "zh")) + "/"   # a directory URL
        return m.group(1) + json.dumps(cfg, ensure_ascii=False) + m.group(3)
    return CONFIG_RE.sub(fix, output, count=1)


# Words kept per section; a "word" is what the search tokenizer splits on: whitespace in
# English, also the zero-width spaces jieba puts between Chinese words. Counting words
# rather than characters gives both languages the same coverage (600 characters were
# ~95 English words but ~145 Chinese ones, and the Chinese index was 57 KB vs 36 KB gzip).
# 80 words keep every text page within the 200 KB load budget (the index is ~20% of it).
SEARCH_SECTION_WORDS = 80
WORD_SPLIT_RE = re.compile(r"([\s\u200b]+)")


def first_words(text: str, n: int) -> str:
    """``text`` cut after its first ``n`` words (separators kept as they are)."""
    parts, count, out = WORD_SPLIT_RE.split(text), 0, []
    for part in parts:
        if part and not WORD_SPLIT_RE.fullmatch(part):
            count += 1
            if count > n:
                break
        out.append(part)
    return "".join(out).rstrip(" \u200b\n\t")


def split_index(site: Path) -> None:
    """One search index per language, trimmed (after i18n merged them into one).

    Every page loads the search index, so it counts against every page's weight.
    * Split: English pages get ``search/search_index.json`` with the English pages,
      Chinese pages ``zh/search/search_index.json`` with the Chinese ones (their
      ``__config.base`` points at /zh/, see ``language_base``).
    * Trim: each section keeps its title and the first SEARCH_SECTION_WORDS words of its
      text, tags stripped; titles, headings and every section's opening stay searchable.
    The offline bundle's inlined copies (``search_index.js``) are rewritten to match.
    """
    merged = site / "search" / "search_index.json"
    if not merged.exists():
        return
    index = json.loads(merged.read_text(encoding="utf-8"))
    by_lang = {"en": [], "zh": []}
    for doc in index["docs"]:
        text = _html.unescape(re.sub(r"<[^>]+>", "", doc.get("text", "")))
        doc["text"] = _html.escape(first_words(text, SEARCH_SECTION_WORDS), quote=False)
        if doc["location"].startswith("zh/"):
            by_lang["zh"].append({**doc, "location": doc["location"][3:]})
        else:
            by_lang["en"].append(doc)
    offline = (site / "search" / "search_index.js").exists()
    for lang, docs in by_lang.items():
        folder = site / "search" if lang == "en" else site / lang / "search"
        folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps({**index, "docs": docs}, ensure_ascii=False, separators=(",", ":"))
        (folder / "search_index.json").write_text(data, encoding="utf-8")
        if offline:
            (folder / "search_index.js").write_text(f"var __index = {data}", encoding="utf-8")
