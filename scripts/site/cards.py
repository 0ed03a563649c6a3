"""Practice cards: every follow-up question, each topic's 30-second answer and each
correction of the original notes, read from the topic pages at build time, with ids that
survive rewording; the practice page's deck; the key comments stripped from every page.

Card syntax (one line above the thing it keys, in both languages, same keys in the same order)::

    <!-- card: two-3x3-convs -->
    ??? question "Why use two 3×3 convolutions instead of one 5×5?"

    <!-- card: rf-last-layer
    * The notes' claim, restated: the wrong statement.
    - A true statement a candidate might doubt.
    - Another true statement.
    -->
    1. **The notes say:** ...
       **Correction:** ...

A key (``[a-z0-9-]``) keys the ``??? question`` right below it (Follow-up questions) or the
numbered item right below it (What the original notes get wrong / Common wrong answers). The
card id is ``<page path without .md>#<key>``; the 30-second answer is ``<page>#30s``. The
optional statements make the correction a "spot the wrong answer" item: exactly one ``*``
(wrong) and two or three ``-`` (right). Anything else fails the build naming file and line.

Events: ``on_files`` (``add_files``: validates every topic page of both languages, adds
``practice-<lang>.json``), ``on_page_markdown`` (``expand``: strips the key comments from every
page, fills ``<!-- practice-deck -->``, ``<!-- practice-topics -->``, the home page's
``<!-- practice-progress: <topic> -->`` and adds the topic pages' "Test yourself" line after the
30-second answer; flags those pages ``practice_progress`` for overrides/main.html to load
practice-core.js and practice-progress.js), ``on_post_page`` (``split_deck``: the rendered
cards leave the practice page for ``practice-deck.js`` beside it, which the page loads when a
session starts: opening the page costs a third of what it did). Must not change the topic
pages' sources.
"""
from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from scripts.site.common import current_lang, front_matter, page_dir, page_lang, rebase_links, topic_paths

SCHEMA = 1
KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*$")
OPEN_RE = re.compile(r"^<!-- card:(.*)$")
STRIP_RE = re.compile(r"^<!-- card:[^\n]*?-->[ \t]*\n|^<!-- card:.*?^-->[ \t]*\n", re.M | re.S)
QUESTION_RE = re.compile(r'^\?\?\?\+? question "((?:[^"\\]|\\.)*)"\s*$')
ITEM_RE = re.compile(r"^\d+\. ")
SECTIONS = {
    "en": {"fix": ("What the original notes get wrong or leave out", "Common wrong answers"),
           "q": ("Follow-up questions",), "abstract": "30-second answer",
           "correction": "**Correction:**"},
    "zh": {"fix": ("原笔记的错误与遗漏", "常见错误回答"), "q": ("追问",), "abstract": "30 秒回答",
           "correction": "**更正：**"},
}


@dataclass
class Card:
    id: str
    topic: str                 # page path without .md, e.g. "cnn/receptive-field"
    kind: str                  # "30s" | "q" (follow-up) | "fix" (correction)
    front: str                 # Markdown
    back: str                  # Markdown
    line: int                  # where the key is, for messages
    anchor: str = ""           # the section's heading id on the topic page
    quiz: list = field(default_factory=list)   # [(wrong: bool, markdown)], empty if none


class CardError(PluginError):
    pass


def _slug(text: str) -> str:
    from pymdownx.slugs import slugify
    return slugify(case="lower")(text, "-")


def _block(lines: list[str], i: int) -> list[str]:
    """Indented continuation lines of the block that starts at line i (blank lines kept inside)."""
    out = []
    for ln in lines[i + 1:]:
        if ln.startswith("   ") or not ln.strip():
            out.append(ln)
        else:
            break
    while out and not out[-1].strip():
        out.pop()
    return out


def _dedent(block: list[str], n: int) -> str:
    return "\n".join(ln[n:] if ln.startswith(" " * n) else ln.lstrip() for ln in block)


def parse_page(path: Path, lang: str, topic: str) -> list[Card]:
    """The cards of one topic page; raises CardError naming ``path:line`` on a malformed card."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    names = SECTIONS[lang]
    where = lambda n: f"{path}:{n + 1}"  # noqa: E731
    cards: list[Card] = []
    # The 30-second answer: the abstract admonition.
    head = f'!!! abstract "{names["abstract"]}"'
    at = next((i for i, ln in enumerate(lines) if ln.strip() == head), None)
    if at is None:
        raise CardError(f"{path}: no '{head}' admonition, the 30-second answer card")
    h1 = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), topic)
    prompt = (f"用 30 秒回答：{h1}" if lang == "zh" else f"Answer in 30 seconds: {h1}")
    cards.append(Card(f"{topic}#30s", topic, "30s", prompt, _dedent(_block(lines, at), 4), at + 1))

    section, fence, seen = None, False, {}
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("```") or ln.startswith("~~~"):
            fence = not fence
        if fence:
            i += 1
            continue
        if ln.startswith("## "):
            title = ln[3:].strip()
            section = ("fix" if title in names["fix"] else "q" if title in names["q"] else None)
            anchor = _slug(title)
        m = OPEN_RE.match(ln)
        if m:
            rest = m.group(1)
            start = i
            if rest.rstrip().endswith("-->"):
                key, body = rest.rstrip()[:-3].strip(), []
            else:
                key, body = rest.strip(), []
                i += 1
                while i < len(lines) and lines[i].strip() != "-->":
                    if lines[i].startswith("<!--") or lines[i].startswith("## "):
                        break
                    body.append(lines[i])
                    i += 1
                if i >= len(lines) or lines[i].strip() != "-->":
                    raise CardError(f"{where(start)}: card '{key}' is not closed by a line '-->'")
            if not KEY_RE.match(key) or len(key) > 48:
                raise CardError(f"{where(start)}: card key {key!r} must be lowercase letters, digits and "
                                "single hyphens (at most 48 characters)")
            if key == "30s":
                raise CardError(f"{where(start)}: the key '30s' is reserved for the 30-second answer")
            if key in seen:
                raise CardError(f"{where(start)}: card key '{key}' is used twice on this page "
                                f"(first at line {seen[key] + 1})")
            seen[key] = start
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            q = QUESTION_RE.match(nxt)
            if section == "q" and q:
                if body:
                    raise CardError(f"{where(start)}: card '{key}': statements belong to correction cards only")
                answer = _dedent(_block(lines, i + 1), 4)
                cards.append(Card(f"{topic}#{key}", topic, "q", q.group(1).replace('\\"', '"'), answer,
                                  start + 1, anchor))
            elif section == "fix" and ITEM_RE.match(nxt):
                item = ITEM_RE.sub("", nxt) + ("\n" + _dedent(_block(lines, i + 1), 3)
                                               if _block(lines, i + 1) else "")
                front, sep, back = item.partition(names["correction"])
                if not sep:      # "Left out: ..." has no claim to correct: the whole item is the answer
                    lead = re.match(r"\*\*[^*]+\*\*\s*", item)
                    front = (lead.group(0) if lead else "") + ("……？" if lang == "zh" else "…?")
                    back = item[lead.end():] if lead else item
                quiz = _statements(body, where, start, key)
                cards.append(Card(f"{topic}#{key}", topic, "fix", front.strip(), back.strip(), start + 1,
                                  anchor, quiz))
            else:
                what = ("a '??? question' line" if section == "q" else "a numbered item" if section == "fix"
                        else "a follow-up question or a correction (in those sections)")
                raise CardError(f"{where(start)}: card '{key}' must be followed by {what}")
            i += 1
            continue
        if section == "q" and QUESTION_RE.match(ln) and not OPEN_RE.match(lines[i - 1]):
            raise CardError(f"{where(i)}: follow-up question without a key: add '<!-- card: some-key -->' "
                            "on the line above")
        if section == "fix" and ITEM_RE.match(ln) and not _closes_card(lines, i):
            raise CardError(f"{where(i)}: correction without a key: add '<!-- card: some-key -->' "
                            "on the line above")
        i += 1
    return cards


def _closes_card(lines: list[str], i: int) -> bool:
    prev = lines[i - 1].strip() if i else ""
    return bool(OPEN_RE.match(prev)) or prev == "-->"


def _statements(body: list[str], where, start: int, key: str) -> list:
    if not body:
        return []
    out = []
    for n, ln in enumerate(body, start + 1):
        if not ln.strip():
            continue
        if ln[:2] not in ("* ", "- ") or not ln[2:].strip():
            raise CardError(f"{where(n)}: card '{key}': a statement line starts with '* ' (the wrong one) "
                            "or '- ' (a right one)")
        out.append((ln[0] == "*", ln[2:].strip()))
    wrong = sum(w for w, _ in out)
    if wrong != 1 or not 3 <= len(out) <= 4:
        raise CardError(f"{where(start)}: card '{key}': {len(out)} statements with {wrong} marked '*'; "
                        "write 3-4 statements, exactly one of them '*'")
    return out


def deck(docs_dir, lang: str, config) -> list[Card]:
    """Every card of one language in nav order, validated against the other language's keys."""
    docs = Path(docs_dir)
    out = []
    for _, paths in topic_paths(config):
        for path in paths:
            topic = path.removesuffix(".md")
            mine = parse_page(docs / lang / path, lang, topic)
            other_lang = "zh" if lang == "en" else "en"
            other_path = docs / other_lang / path
            if other_path.exists():
                other = parse_page(other_path, other_lang, topic)
                a = [(c.id, bool(c.quiz)) for c in mine]
                b = [(c.id, bool(c.quiz)) for c in other]
                if a != b:
                    diff = sorted(set(a) ^ set(b)) or "order"
                    raise CardError(f"{docs / lang / path}: card keys differ from {other_path}: {diff}")
            out += mine
    return out


def deck_json(cards: list[Card], lang: str) -> str:
    return json.dumps({"schema": SCHEMA, "lang": lang,
                       "cards": [{k: v for k, v in asdict(c).items() if k != "line"} for c in cards]},
                      ensure_ascii=False, indent=1) + "\n"


def add_files(files, config) -> None:
    lang = current_lang(config)
    cards = deck(config.docs_dir, lang, config)
    files.append(File.generated(config, f"practice-{lang}.json", content=deck_json(cards, lang)))


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
def strip_keys(markdown: str) -> str:
    return STRIP_RE.sub("", markdown)


def expand(markdown: str, page, config) -> str:
    """Key comments removed; the practice page's deck and topic list; the topic pages' link."""
    if "<!-- card:" in markdown:
        markdown = strip_keys(markdown)
    if "<!-- practice-deck -->" in markdown:
        markdown = markdown.replace("<!-- practice-deck -->", deck_markdown(page, config))
    if "<!-- practice-topics -->" in markdown:
        markdown = markdown.replace("<!-- practice-topics -->", topic_options(page, config))
    if "<!-- practice-tags -->" in markdown:
        markdown = markdown.replace("<!-- practice-tags -->", tag_options(page, config))
    if "<!-- practice-progress:" in markdown:           # the home page's topic map (collections.py)
        markdown = PROGRESS_RE.sub(lambda m: progress_span(m.group(1), page, config), markdown)
        page.meta["practice_progress"] = True
    topic = _topic_of(page, config)
    if topic:
        markdown = test_yourself(markdown, topic, page, config)
        page.meta["practice_progress"] = True
    return markdown


# ---------------------------------------------------------------------------
# Progress on the topic pages and the home page (filled by assets/js/practice-progress.js)
# ---------------------------------------------------------------------------
PROGRESS_RE = re.compile(r"<!-- practice-progress: ([a-z0-9/-]+) -->")
TEST_YOURSELF = {"en": "Test yourself", "zh": "练一练"}


def _topic_of(page, config) -> str | None:
    """The page's topic path without .md if it is a topic page, else None."""
    path = page.file.src_uri.split("/", 1)[-1]
    return (path.removesuffix(".md")
            if any(path in paths for _, paths in topic_paths(config)) else None)


def progress_span(topic: str, page, config) -> str:
    """A fixed-size line reserved at build time, its text the card count and "not practised
    yet"; the script replaces the text with seen / due / mastered from this browser's progress."""
    lang = page_lang(page)
    cards = parse_page(Path(config.docs_dir) / lang / f"{topic}.md", lang, topic)
    keys = " ".join(c.id.split("#", 1)[1] for c in cards)
    zh = lang == "zh"
    text = f"共 {len(cards)} 张 · 还没练过" if zh else f"{len(cards)} cards · not practised yet"
    title = "你在本浏览器中的练习进度（只存在本机）" if zh else "Your practice progress, kept in this browser only"
    return (f'<span class="pq-prog" data-topic="{_attr(topic)}" data-cards="{_attr(keys)}" '
            f'title="{title}">{text}</span>')


def test_yourself(markdown: str, topic: str, page, config) -> str:
    """The "Test yourself" line right after the 30-second answer: a link that starts a
    practice session on this topic and the reader's progress on it."""
    lang = page_lang(page)
    head = f'!!! abstract "{SECTIONS[lang]["abstract"]}"'
    lines = markdown.split("\n")
    at = next((i for i, ln in enumerate(lines) if ln.strip() == head), None)
    if at is None:
        return markdown
    end = at + 1 + len(_block(lines, at))
    practice = posixpath.relpath("practice.md", page_dir(page) or ".")
    bar = ['', '<div class="pq-bar" markdown>', '',
           f'[{TEST_YOURSELF[lang]}]({practice}?topic={topic}){{ .pq-go }}'
           f'{progress_span(topic, page, config)}', '', '</div>', '']
    return "\n".join(lines[:end] + bar + lines[end:])


def _topics(page, config) -> list[tuple[str, str, list[str]]]:
    """(path, short title (the H1), tags) of every topic page, in nav order."""
    lang = page_lang(page)
    docs = Path(config.docs_dir) / lang
    out = []
    for _, paths in topic_paths(config):
        for path in paths:
            text = (docs / path).read_text(encoding="utf-8")
            h1 = next((ln[2:].strip() for ln in text.split("\n") if ln.startswith("# ")), path)
            out.append((path, h1, [str(t) for t in front_matter(docs / path).get("tags", [])]))
    return out


def _attr(text: str) -> str:
    import html
    return html.escape(text, quote=True)


def topic_options(page, config) -> str:
    """<option>s of the topic pickers, rendered at build (nothing moves when the script runs)."""
    return "".join(f'<option value="{_attr(p.removesuffix(".md"))}">{_attr(t)}</option>'
                   for p, t, _ in _topics(page, config))


def tag_options(page, config) -> str:
    """<option>s for every tag of the topic pages (value ``tag:<name>``)."""
    tags = sorted({t for _, _, ts in _topics(page, config) for t in ts}, key=str.lower)
    return "".join(f'<option value="tag:{_attr(t)}">{_attr(t)}</option>' for t in tags)


def deck_markdown(page, config) -> str:
    """Every card of the page's language as hidden HTML (math is rendered by the normal page
    pipeline, links resolved by MkDocs, and it works over file:// with no fetch)."""
    lang, here = page_lang(page), page_dir(page)
    titles = {p.removesuffix(".md"): (t, tags) for p, t, tags in _topics(page, config)}
    out = ['<div id="practice-deck" hidden markdown>\n']
    for c in deck(config.docs_dir, lang, config):
        title, tags = titles[c.topic]
        link = posixpath.relpath(c.topic + ".md", here or ".") + (f"#{c.anchor}" if c.anchor else "")
        base, page_link = posixpath.dirname(c.topic), posixpath.relpath(c.topic + ".md", here or ".")
        front, back = (rebase_links(t, base, here, page_link) for t in (c.front, c.back))
        quiz = ""
        if c.quiz:
            quiz = "".join(f'<div class="pq-st" data-wrong="{str(w).lower()}" markdown>\n\n{rebase_links(s, base, here, page_link)}\n\n</div>\n'
                           for w, s in c.quiz)
            quiz = f'<div class="pq-quiz" markdown>\n{quiz}</div>\n'
        out.append(f'<div class="pq-card" data-id="{_attr(c.id)}" data-kind="{c.kind}" '
                   f'data-topic="{_attr(c.topic)}" data-tags="{_attr("|".join(tags))}" markdown>\n'
                   f'<div class="pq-front" markdown>\n\n{front}\n\n</div>\n'
                   f'<div class="pq-back" markdown>\n\n{back}\n\n</div>\n{quiz}'
                   f'<p class="pq-src" markdown>[{title}]({link})</p>\n</div>\n')
    out.append("</div>\n")
    return "\n".join(out)



# ---------------------------------------------------------------------------
# The deck leaves the page (on_post_page, after math is rendered)
# ---------------------------------------------------------------------------
DECK_FILE = "practice-deck.js"
DECK_OPEN_RE = re.compile(r'<div\b[^>]*\bid="practice-deck"[^>]*>')
DIV_RE = re.compile(r"<div\b[^>]*>|</div>")
CARD_OPEN_RE = re.compile(r'<div class="pq-card"([^>]*)>')


def _div_end(html: str, start: int) -> int:
    """The end of the <div> opening at ``start`` (our own markup: balanced divs)."""
    depth = 0
    for m in DIV_RE.finditer(html, start):
        depth += 1 if m.group(0) != "</div>" else -1
        if depth == 0:
            return m.end()
    raise CardError(f"unbalanced <div> in the practice deck at offset {start}")


def split_deck(output: str, page) -> str:
    """Move every card's rendered HTML (math already KaTeX, links already resolved) from the
    practice page to ``practice-deck.js`` in the page's folder: ``window.DLPracticeDeck =
    {lang, cards: {id: html}}``. The page keeps an empty shell per card (id, kind, topic, tags,
    and whether it has a quiz), enough to count what is due; practice.js loads the script
    when a session starts. A script tag, not fetch(): it also works over file:// offline."""
    opening = DECK_OPEN_RE.search(output)
    if opening is None:
        return output
    at = opening.start()
    end = _div_end(output, at)
    shells, bodies, pos = [], {}, opening.end()
    while (m := CARD_OPEN_RE.search(output, pos, end)) is not None:
        card_end = _div_end(output, m.start())
        inner = output[m.end():card_end - len("</div>")].strip()
        card_id = re.search(r'data-id="([^"]+)"', m.group(1)).group(1)
        quiz = ' data-quiz=""' if 'class="pq-quiz"' in inner else ""
        shells.append(f'<div class="pq-card"{m.group(1)}{quiz}></div>')
        bodies[card_id] = inner
        pos = card_end
    if not bodies:
        raise CardError(f"{page.file.src_uri}: the practice deck has no cards")
    script = ("window.DLPracticeDeck = " + json.dumps({"lang": page_lang(page), "cards": bodies},
                                                      ensure_ascii=False, separators=(",", ":")) + ";\n")
    dest = Path(page.file.abs_dest_path).parent / DECK_FILE
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(script, encoding="utf-8")
    version = hashlib.sha256(script.encode()).hexdigest()[:10]
    return (output[:at] + f'<div id="practice-deck" hidden data-src="{DECK_FILE}?v={version}">\n'
            + "\n".join(shells) + "\n</div>" + output[end:])


def deck_fragments(site: Path):
    """The card HTML of every ``practice-deck.js`` in a built site (for the font subsetter)."""
    for path in Path(site).rglob(DECK_FILE):
        text = path.read_text(encoding="utf-8")
        yield from json.loads(text[text.index("{"):text.rindex("}") + 1])["cards"].values()
