"""Pages made of other pages: the drill (every follow-up question) and its Anki export,
the print edition, the home page's topic map and the glossary table.

Events: ``on_files`` (``add_files``: ``drill-<lang>.tsv``), ``on_page_markdown``
(``expand``: replaces the placeholders ``<!-- drill -->``, ``<!-- print -->``,
``<!-- topic-map -->``, ``<!-- glossary -->``). Reads the topic pages' Markdown and
front matter; must not change the topic pages themselves.
"""
from __future__ import annotations

import html as _html
import posixpath
import re
from pathlib import Path

from mkdocs.structure.files import File

from scripts.site.common import (current_lang, front_matter, page_dir, page_lang, read_glossary,
                                 rebase_links, topic_paths)

QUESTION_RE = re.compile(r'^\?\?\?\+? question "(?P<q>(?:[^"\\]|\\.)*)"\s*\n(?P<a>(?:(?:    .*)?\n)*)', re.M)
FOLLOW_UPS = {"en": "Follow-up questions", "zh": "追问"}


def add_files(files, config) -> None:
    lang = current_lang(config)
    files.append(File.generated(config, f"drill-{lang}.tsv", content=anki_tsv(config, lang)))


def expand(markdown: str, page, config) -> tuple[str, bool]:
    """The page with its placeholders filled; ``True`` if it is the print page (its
    images load eagerly: a PDF is printed without scrolling)."""
    eager = "<!-- print -->" in markdown
    if eager:
        markdown = markdown.replace("<!-- print -->", print_markdown(page, config))
    if "<!-- drill -->" in markdown:
        markdown = drill_markdown(markdown, page, config)
    if "<!-- topic-map -->" in markdown:
        markdown = markdown.replace("<!-- topic-map -->", topic_map(page, config))
    if "<!-- glossary -->" in markdown:
        markdown = markdown.replace("<!-- glossary -->", glossary_table(page))
    return markdown, eager


# ---------------------------------------------------------------------------
# Home page and glossary
# ---------------------------------------------------------------------------
def topic_map(page, config) -> str:
    """Cards for every nav section: each page's title and description, read from the
    page itself in the current language, so the map lists exactly the pages that exist."""
    lang = page_lang(page)
    i18n = config.plugins.get("i18n")
    names = {}
    if i18n is not None:
        for lc in i18n.config.languages:
            if lc.locale == lang and lc.nav_translations:
                names = lc.nav_translations
    docs = Path(config.docs_dir) / lang
    here = page_dir(page)
    cards = []
    for item in config.nav:
        if not isinstance(item, dict):
            continue
        (section, children), = item.items()
        lines, topics = [], []
        for child in children:
            path = child if isinstance(child, str) else next(iter(child.values()))
            meta = front_matter(docs / path)
            link = posixpath.relpath(path, here or ".")
            if path.endswith(".ipynb"):
                if lines:
                    lab = "实验" if lang == "zh" else "lab"
                    lines[-1] += f" [{lab}]({link})" if lang != "zh" else f"（[{lab}]({link})）"
                continue
            colon = "：" if lang == "zh" else ": "
            lines.append(f"[**{meta.get('title', path)}**]({link}){colon}{meta.get('description', '')}")
            topics.append(path.removesuffix(".md"))
        # The reader's practice progress per topic, filled by cards.py (after the lab links).
        lines = [f"{ln} <!-- practice-progress: {t} -->" for ln, t in zip(lines, topics)]
        body = "\n\n    ".join(lines)
        cards.append(f"-   **{names.get(section, section)}**\n\n    ---\n\n    {body}\n")
    return '<div class="grid cards" markdown>\n\n' + "\n".join(cards) + "\n</div>\n"


def glossary_table(page) -> str:
    """The glossary page's table: display names first, synonyms and abbreviations after."""
    zh = page_lang(page) == "zh"
    head = "| 中文 | English | 页面 |\n|---|---|---|\n" if zh else "| English | 中文 | page |\n|---|---|---|\n"

    def names(aliases):
        first, rest = aliases[0], aliases[1:]
        if not rest:
            return first
        return first + (f"（{'、'.join(rest)}）" if zh else f" ({', '.join(rest)})")
    lines = []
    for term in sorted(read_glossary(), key=lambda t: (t.zh if zh else t.en)[0].lower()):
        link = f"[{term.page.removesuffix('.md')}]({term.page})" if term.page else ""
        cells = (names(term.zh), names(term.en)) if zh else (names(term.en), names(term.zh))
        lines.append(f"| {cells[0]} | {cells[1]} | {link} |")
    return head + "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Drill: every follow-up question of every topic page, and its Anki export
# ---------------------------------------------------------------------------
def follow_ups(docs_dir, lang: str, path: str) -> list[tuple[str, str]]:
    """(question, answer markdown) pairs of one page's follow-up section."""
    text = (Path(docs_dir) / lang / path).read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(FOLLOW_UPS[lang])}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return []
    return [(q["q"].replace('\\"', '"'), "\n".join(ln[4:] for ln in q["a"].rstrip().split("\n")))
            for q in QUESTION_RE.finditer(m.group(1) + "\n")]


def drill_markdown(markdown: str, page, config) -> str:
    """The drill page: every follow-up question in place of ``<!-- drill -->``, and its tag
    buttons and question count filled in at build time (drill.js only wires them up;
    buttons added by the script pushed every question down after load: CLS 0.20)."""
    lang, here = page_lang(page), page_dir(page)
    docs = Path(config.docs_dir)
    out, all_tags, count = [], set(), 0
    for _, paths in topic_paths(config):
        for path in paths:
            qs = follow_ups(docs, lang, path)
            if not qs:
                continue
            meta = front_matter(docs / lang / path)
            topic_tags = [str(t) for t in meta.get("tags", [])]
            all_tags |= set(topic_tags)
            count += len(qs)
            tags = _html.escape("|".join(topic_tags))           # tags contain spaces
            link = posixpath.relpath(path, here or ".")
            out.append(f'<section class="drill-topic" data-tags="{tags}" markdown>\n\n'
                       f'## [{meta.get("title", path)}]({link})\n')
            base = posixpath.dirname(path)
            for q, a in qs:
                a = rebase_links(a, base, here, link)
                body = "\n".join(("    " + ln) if ln.strip() else "" for ln in a.split("\n"))
                out.append(f'??? question "{q}"\n{body}\n')
            out.append("</section>\n")
    zh = lang == "zh"
    buttons = "".join(f'<button type="button" class="md-button drill-tag" data-tag="{_html.escape(t)}" '
                      f'aria-pressed="{str(not t).lower()}">{_html.escape(t or ("全部" if zh else "all"))}</button>'
                      for t in ["", *sorted(all_tags)])
    label = f"共 {count} 题" if zh else f"{count} questions"
    markdown = markdown.replace("<!-- drill -->", "\n".join(out))
    markdown = re.sub(r'(<div id="drill-tags"[^>]*>)(</div>)', lambda m: m.group(1) + buttons + m.group(2),
                      markdown, count=1)
    return re.sub(r'(<span id="drill-count"[^>]*>)(</span>)', lambda m: m.group(1) + label + m.group(2),
                  markdown, count=1)


def anki_tsv(config, lang: str) -> str:
    """Question<TAB>answer<TAB>tags, one line per follow-up question (Anki's text import).

    Answers are HTML; math stays as \\( \\) which Anki renders with its MathJax.
    """
    import markdown as md

    docs = Path(config.docs_dir)
    lines = []
    for _, paths in topic_paths(config):
        for path in paths:
            meta = front_matter(docs / lang / path)
            tags = " ".join(["dlnotes", path.removesuffix(".md").replace("/", "::")]
                            + [str(t).replace(" ", "_") for t in meta.get("tags", [])])
            for q, a in follow_ups(docs, lang, path):
                html = md.markdown(a, extensions=["tables"]).replace("\t", " ").replace("\n", " ")
                lines.append(f"{q}\t{html}\t{tags}")
    return "#separator:tab\n#html:true\n#tags column:3\n" + "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Print edition: every topic page of one language on one page, for the PDF
# ---------------------------------------------------------------------------
FENCE_RE = re.compile(r"^(```+|~~~+).*?^\1[ \t]*$", re.M | re.S)


def print_markdown(page, config) -> str:
    lang, here = page_lang(page), page_dir(page)
    docs = Path(config.docs_dir) / lang
    parts = []
    for _, paths in topic_paths(config):
        for path in paths:
            text = (docs / path).read_text(encoding="utf-8")
            if text.startswith("---\n"):
                text = text[text.index("\n---\n", 4) + 5:]
            base = posixpath.dirname(path)
            link = posixpath.relpath(path, here or ".")
            # Demote headings and open the answers, outside code blocks only.
            chunks, last = [], 0
            for m in FENCE_RE.finditer(text):
                chunks.append(_print_prose(text[last:m.start()], base, here, link))
                chunks.append(m.group(0))
                last = m.end()
            chunks.append(_print_prose(text[last:], base, here, link))
            parts.append("".join(chunks))
    return "\n\n".join(parts)


def _print_prose(text: str, base: str, here: str, link: str) -> str:
    text = re.sub(r"^(#{1,5}) ", r"#\1 ", text, flags=re.M)
    # Interactive widgets do not print: drop their scripts (their relative src would break too).
    text = re.sub(r"^[ \t]*<script\b[^>]*>\s*</script>[ \t]*$", "", text, flags=re.M)
    text = re.sub(r'^\?\?\? question "', '???+ question "', text, flags=re.M)
    return rebase_links(text, base, here, link)
