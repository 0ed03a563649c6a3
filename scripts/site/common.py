"""Helpers shared by the build modules: paths, the cache folder, the current language,
front matter and the topic list from the nav. Nothing here reacts to a MkDocs event."""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("DLNOTES_CACHE", ROOT / ".cache"))
GLOSSARY = ROOT / "scripts" / "glossary.tsv"
log = logging.getLogger("mkdocs.hooks.dlnotes")

# Labs and figures run side by side on a 2-core machine; with every process's BLAS and
# OpenMP pools spinning on both cores, the dropout lab took 35 s instead of 4.
ONE_THREAD_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# The relative path from a built page to the site root, read from Material's stylesheet link.
ROOT_PREFIX_RE = re.compile(r'href="([^"]*)assets/stylesheets/main\.')


def current_lang(config) -> str:
    """The language being built (i18n builds each language in turn in one process)."""
    i18n = config.plugins.get("i18n")
    return i18n.current_language if i18n is not None else "en"


def page_lang(page) -> str:
    """'en' or 'zh', from the page's source path (docs/<lang>/...)."""
    return page.file.src_uri.split("/", 1)[0]


def page_dir(page) -> str:
    """The page's folder inside its language tree ('' at the top)."""
    return posixpath.dirname(page.file.src_uri.split("/", 1)[1])


@dataclass(frozen=True)
class Job:
    """A piece of background work for ``background.run``: ``module.function(*args)`` in a
    worker process. Made by ``figures.jobs`` and ``labs.jobs``."""
    key: str                   # stable across builds, e.g. "figures:crf", "lab:cnn/crf-lab.ipynb"
    module: str
    function: str
    args: tuple = ()
    guess: float = 5.0         # seconds, until a build has timed it
    label: str = ""


class Term(NamedTuple):
    """One glossary row: English and Chinese names (the first is the display name, the
    others are synonyms and abbreviations, all searchable) and the page explaining it."""
    en: tuple[str, ...]
    zh: tuple[str, ...]
    page: str


def read_glossary() -> list[Term]:
    """The rows of scripts/glossary.tsv, the one source of the glossary and of search
    synonyms: ``english[ | alias…]<TAB>chinese[ | alias…][<TAB>page]``."""
    rows = []
    for n, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        names = [tuple(a.strip() for a in c.split("|")) for c in cells[:2]]
        if len(cells) not in (2, 3) or not all(all(group) for group in names):
            raise SystemExit(f"{GLOSSARY}:{n}: expected 'english[ | alias…]<TAB>chinese[ | alias…][<TAB>page]'")
        rows.append(Term(names[0], names[1], cells[2].strip() if len(cells) == 3 else ""))
    return rows


def front_matter(path: Path) -> dict:
    """A page's YAML front matter; for a notebook, its title from the first cell."""
    import yaml

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        import json
        cells = json.loads(text)["cells"]
        first = "".join(cells[0]["source"]) if cells else ""
        return {"title": first.lstrip("# ").split("\n")[0]}
    if not text.startswith("---\n"):
        return {}
    return yaml.safe_load(text[4:text.index("\n---\n", 4)]) or {}


def topic_paths(config) -> list[tuple[str, list[str]]]:
    """(section, [topic page paths]) in nav order; labs and top-level pages excluded."""
    out = []
    for item in config.nav:
        if isinstance(item, dict):
            (section, children), = item.items()
            paths = [c if isinstance(c, str) else next(iter(c.values())) for c in children]
            out.append((section, [p for p in paths if p.endswith(".md")]))
    return out


def rebase_links(text: str, base: str, here: str, page_link: str) -> str:
    """Make the relative links of Markdown written in folder ``base`` work from ``here``."""
    def fix(m):
        target = m.group(1)
        if re.match(r"^[a-z]+:|^/", target):
            return m.group(0)
        if target.startswith("#"):
            return f"]({page_link}{target})"
        return "](" + posixpath.relpath(posixpath.join(base, target), here or ".") + ")"
    return re.sub(r"\]\(([^)\s]+)\)", fix, text)


def dlnotes_digest() -> str:
    """Hash of every dlnotes source and the library versions the labs depend on."""
    files = tuple((p, p.stat().st_mtime_ns) for p in sorted((ROOT / "dlnotes").glob("*.py")))
    return _digest_of(files)


@functools.lru_cache(maxsize=8)
def _digest_of(files: tuple) -> str:               # once per version of the sources
    from importlib.metadata import version

    h = hashlib.sha256()
    for name in ("numpy", "scipy", "scikit-learn", "scikit-image", "matplotlib", "imbalanced-learn"):
        h.update(f"{name}={version(name)};".encode())
    for path, _ in files:
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


class DiskMemo:
    """A pure function's results kept across builds in ``.cache/<name>.json``.

    ``get(key, compute)`` returns the stored value or computes and stores it; ``save()``
    writes the entries this process used (so the file never grows with stale ones) and is
    called once per build by the hook. Keys are hashed; values must be JSON. Use it only
    for deterministic work whose every input is in the key.
    """
    _all: list["DiskMemo"] = []

    def __new__(cls, name: str):
        """One memo per name and process: i18n loads the config (and so the hook's
        on_config) once per language, and two memos of one file would each save only
        their own language's entries."""
        for memo in cls._all:
            if memo.name == name:
                return memo
        memo = super().__new__(cls)
        memo.name, memo.path = name, CACHE_DIR / f"{name}.json"
        memo._data, memo._used = None, {}
        cls._all.append(memo)
        return memo

    def get(self, key: str, compute):
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        if digest in self._used:
            return self._used[digest]
        if self._data is None:
            try:
                import json
                self._data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._data = {}
        value = self._data[digest] if digest in self._data else compute()
        self._used[digest] = value
        return value

    def save(self) -> None:
        if not self._used or self._used == self._data:
            return
        import json
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self._used, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)          # atomic: a concurrent build reads the old or the new file
        self._data = dict(self._used)

    @classmethod
    def save_all(cls) -> None:
        for memo in cls._all:
            memo.save()
