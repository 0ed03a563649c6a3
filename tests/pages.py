"""Reading the site's sources: pages, front matter, sections, figures, snippets, notebooks."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("en", "zh")

# The page contract's H2 sections, in order; "Lab" is optional. The fourth is the corrections
# of the original notes, or, on a topic the notes do not cover, the common wrong answers.
SECTIONS = {
    "en": ["Why", "Code", "Figures", ("What the original notes get wrong or leave out", "Common wrong answers"),
           "Follow-up questions", "References"],
    "zh": ["原理", "代码", "图示", ("原笔记的错误与遗漏", "常见错误回答"), "追问", "参考文献"],
}
ABSTRACT_TITLE = {"en": "30-second answer", "zh": "30 秒回答"}
FIG_RE = re.compile(r"!\[[^\]]*\]\(fig:([a-z0-9-]+)\)")
SNIPPET_RE = re.compile(r'^\s*--8<--\s+"([^"]+)"', re.M)
QUESTION_RE = re.compile(r'^\?\?\?\+? question "', re.M)


def page_files(lang: str) -> list[str]:
    """Relative paths of every page (md and ipynb) of one language."""
    base = DOCS / lang
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.suffix in (".md", ".ipynb"))


def topic_pages(lang: str = "en") -> list[str]:
    """Topic pages: Markdown pages inside a section folder (docs/<lang>/<section>/<topic>.md)."""
    return [p for p in page_files(lang) if p.endswith(".md") and "/" in p]


@dataclass
class Page:
    lang: str
    path: str
    meta: dict
    body: str

    @property
    def h2(self) -> list[str]:
        return [m.group(1).strip() for m in re.finditer(r"^## (.+)$", _strip_fences(self.body), re.M)]

    def section(self, title: str | tuple[str, ...]) -> str:
        """The text of the H2 section ``title`` (the first present of a tuple of titles)."""
        text = _strip_fences(self.body)
        for name in (title if isinstance(title, tuple) else (title,)):
            m = re.search(rf"^## {re.escape(name)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
            if m:
                return m.group(1)
        return ""

    @property
    def figures(self) -> list[str]:
        return FIG_RE.findall(self.body)

    @property
    def snippets(self) -> list[str]:
        return SNIPPET_RE.findall(self.body)

    @property
    def questions(self) -> int:
        return len(QUESTION_RE.findall(self.section(SECTIONS[self.lang][4])))


def read_page(lang: str, path: str) -> Page:
    text = (DOCS / lang / path).read_text(encoding="utf-8")
    meta, body = {}, text
    if text.startswith("---\n"):
        end = text.index("\n---\n", 4)
        meta = yaml.safe_load(text[4:end]) or {}
        body = text[end + 5:]
    return Page(lang, path, meta, body)


def _strip_fences(text: str) -> str:
    """Drop fenced code blocks so '## ' inside code is not taken for a heading."""
    return re.sub(r"^(```+|~~~+).*?^\1\s*$", "", text, flags=re.M | re.S)


def notebook_cells(lang: str, path: str) -> list[dict]:
    return json.loads((DOCS / lang / path).read_text(encoding="utf-8"))["cells"]


def mkdocs_config() -> dict:
    """mkdocs.yml as plain data (!ENV resolved like MkDocs does, python tags ignored)."""
    import os

    class Loader(yaml.SafeLoader):
        pass

    def env(loader, node):
        names = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else [loader.construct_scalar(node)]
        *keys, default = names if len(names) > 1 else (names + [None])
        return next((os.environ[k] for k in keys if k in os.environ), default)
    Loader.add_constructor("!ENV", env)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *a: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


def nav_paths() -> list[str]:
    """Every page path listed in mkdocs.yml's nav."""
    cfg = mkdocs_config()
    out = []

    def walk(node):
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
    walk(cfg["nav"])
    return out
