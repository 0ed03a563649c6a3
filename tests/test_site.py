"""Checks on the built site: strict build, links and anchors, images, no third-party
requests, no raw TeX, notebooks as pages, search index, figure determinism."""
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from scripts import figures
from conftest import site_path_prefix
from tests.pages import LANGS, page_files

pytestmark = pytest.mark.site


class Doc(HTMLParser):
    """Collects tags with attributes, element ids and text outside math/code."""

    SKIP = {"script", "style", "code", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.ids, self.text = [], set(), []
        self._stack = []          # open elements that hide their text from the raw-TeX check

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        hidden = tag in self.SKIP or "arithmatex" in (a.get("class") or "")
        if tag not in ("img", "br", "hr", "meta", "link", "input", "source", "wbr"):
            self._stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in ("img", "br", "hr", "meta", "link", "input", "source", "wbr") and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not any(self._stack):
            self.text.append(data)


_cache: dict = {}


def parse(path: Path) -> Doc:
    if path not in _cache:
        d = Doc()
        d.feed(path.read_text(encoding="utf-8"))
        _cache[path] = d
    return _cache[path]


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html"))


def test_strict_build_has_no_warnings(built_site):
    log = (built_site / ".build-log").read_text(encoding="utf-8")
    bad = [ln for ln in log.splitlines() if re.match(r"(WARNING|ERROR)\b", ln)]
    assert not bad, "\n".join(bad)


def test_every_page_is_built_in_both_languages(built_site):
    for lang in LANGS:
        prefix = built_site if lang == "en" else built_site / lang
        for path in page_files(lang):
            stem = path.rsplit(".", 1)[0]
            out = prefix / ("index.html" if stem == "index" else f"{stem}/index.html")
            assert out.exists(), f"{lang}/{path} was not built to {out}"


def test_internal_links_and_anchors_resolve(built_site):
    problems = []
    for page in html_pages(built_site):
        doc = parse(page)
        for tag, a in doc.tags:
            href = a.get("href") if tag in ("a", "link") else a.get("src") if tag in ("img", "script") else None
            if not href or href.startswith(("http://", "https://", "mailto:", "data:", "javascript:")):
                continue
            parts = urlsplit(href)
            path = unquote(parts.path)
            if path.startswith("/"):                     # root-absolute (404.html uses these)
                prefix = site_path_prefix()
                assert path.startswith(prefix), f"{page}: {href} is outside the site path {prefix}"
                target = built_site / path[len(prefix):]
            else:
                target = page if not path else (page.parent / path).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page.relative_to(built_site)}: broken link {href}")
                continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == ".html" and not frag.startswith(("only-", ":~:")):
                if frag not in parse(target).ids:
                    problems.append(f"{page.relative_to(built_site)}: missing anchor {href}")
    assert not problems, "\n".join(problems[:50])


def test_images_have_alt_size_and_lazy_loading(built_site):
    problems = []
    for page in html_pages(built_site):
        for tag, a in parse(page).tags:
            if tag != "img":
                continue
            where = f"{page.relative_to(built_site)}: {a.get('src')}"
            if not (a.get("alt") or "").strip() or a.get("alt", "").startswith("No description"):
                problems.append(f"{where} has no alt text")
            if (a.get("src") or "").startswith("data:image/"):
                problems.append(f"{where[:120]} is inlined (lab images are files: lazy and cacheable)")
            if re.search(r"assets/(figures|nb)/", a.get("src") or ""):
                if not (a.get("width") and a.get("height")):
                    problems.append(f"{where} has no width/height")
                # The print edition loads eagerly: the PDF is printed before anything scrolls.
                if a.get("loading") != "lazy" and page.parent.name != "print":
                    problems.append(f"{where} is not lazy-loaded")
    assert not problems, "\n".join(problems[:50])


LOADING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("audio", "src"),
           ("video", "src"), ("embed", "src"), ("object", "data")}


def test_nothing_loads_from_another_origin(built_site):
    problems = []
    for page in html_pages(built_site):
        for tag, a in parse(page).tags:
            urls = [a.get(attr) for t, attr in LOADING if t == tag]
            if tag == "link" and set((a.get("rel") or "").split()) & {"stylesheet", "icon", "preload",
                                                                       "modulepreload", "manifest", "prefetch"}:
                urls.append(a.get("href"))
            for url in filter(None, urls):
                if re.match(r"^(https?:)?//", url):
                    problems.append(f"{page.relative_to(built_site)}: <{tag}> loads {url}")
    for css in built_site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css.read_text(encoding="utf-8")):
            problems.append(f"{css.relative_to(built_site)}: url({url})")
    for js in (built_site / "assets" / "js").rglob("*.js"):
        if re.search(r"\bfetch\(\s*['\"]https?://|https?://(?!127\.0\.0\.1)[a-z]", js.read_text(encoding="utf-8")):
            problems.append(f"{js.relative_to(built_site)} references another origin")
    assert not problems, "\n".join(problems[:50])


def test_no_raw_tex_outside_math_elements(built_site):
    problems = []
    for page in html_pages(built_site):
        text = "".join(parse(page).text)
        for m in re.finditer(r"\\\(|\\\[|\$\$|\\frac|\\mathbb", text):
            problems.append(f"{page.relative_to(built_site)}: …{text[max(0, m.start() - 40):m.end() + 40]}…")
    assert not problems, "\n".join(problems[:20])


def test_notebooks_are_rendered_pages_with_a_download(built_site):
    notebooks = [p for p in page_files("en") if p.endswith(".ipynb")]
    assert notebooks
    for lang in LANGS:
        for nb in notebooks:
            stem = nb[: -len(".ipynb")]
            out = (built_site if lang == "en" else built_site / lang) / stem / "index.html"
            html = out.read_text(encoding="utf-8")
            assert "jp-Notebook" in html or "jupyter-wrapper" in html, f"{out} is not a rendered notebook"
            assert '"cell_type"' not in html, f"{out} contains raw notebook JSON"
            assert "jp-OutputArea" in html, f"{out} shows no executed output"
            assert (out.parent / Path(nb).name).exists(), f"{out.parent} has no downloadable .ipynb"
            assert f'href="{Path(nb).name}"' in html or Path(nb).name in html, "no download link"
            # JupyterLab's ~590 KB stylesheet is not inlined; a pruned copy is linked instead
            assert "--jp-layout-color0" not in html, f"{out} inlines JupyterLab's stylesheet"
            link = re.search(r'href="([^"]*assets/css/jupyter-[0-9a-f]{12}\.css)"', html)
            assert link, f"{out} links no notebook stylesheet"
            css = (out.parent / link.group(1)).resolve().read_text(encoding="utf-8")
            assert ".jp-OutputArea" in css and len(css) < 40_000, f"{link.group(1)}: {len(css)} bytes"


def test_figures_are_byte_identical_when_redrawn(built_site, tmp_path):
    registry = figures.load_all()
    for name, spec in registry.items():
        fresh = figures.render(spec, tmp_path)
        for scheme, path in figures.output_paths(name).items():
            assert path.read_bytes() == fresh[scheme].read_bytes(), f"{name}.{scheme} differs between builds"


def test_drill_page_and_anki_export_have_every_follow_up(built_site):
    from tests.pages import read_page, topic_pages
    counts = {}
    for lang in LANGS:
        expected = sum(read_page(lang, p).questions for p in topic_pages(lang))
        html = ((built_site if lang == "en" else built_site / lang) / "drill" / "index.html").read_text(encoding="utf-8")
        on_page = len(re.findall(r'<details class="question"', html))
        rows = [ln for ln in (built_site / f"drill-{lang}.tsv").read_text(encoding="utf-8").splitlines()
                if ln and not ln.startswith("#")]
        assert on_page == expected, f"{lang}: drill page has {on_page} questions, topic pages {expected}"
        assert len(rows) == expected, f"{lang}: Anki export has {len(rows)} rows, topic pages {expected}"
        assert all(len(r.split("\t")) == 3 for r in rows), "every TSV row is question, answer, tags"
        counts[lang] = expected
    assert counts["en"] == counts["zh"] > 0


def test_katex_fonts_are_cut_to_the_math_on_the_site_but_miss_nothing(built_site):
    import io

    from fontTools.ttLib import TTFont

    from scripts.site.font_subset import math_characters

    used = set()
    for page in html_pages(built_site):
        used |= math_characters(page.read_text(encoding="utf-8"))
    assert {"∑", "σ", "≤"} <= used, "the math of the site was not found"
    vendored = Path(__file__).resolve().parents[1] / "docs" / "assets" / "vendor" / "katex" / "fonts"
    shipped = built_site / "assets" / "vendor" / "katex" / "fonts"
    total_before = total_after = 0
    for src in sorted(vendored.glob("*.woff2")):
        full = {chr(c) for c in TTFont(io.BytesIO(src.read_bytes())).getBestCmap()}
        cut_bytes = (shipped / src.name).read_bytes()
        cut = {chr(c) for c in TTFont(io.BytesIO(cut_bytes)).getBestCmap()}
        missing = (full & used) - cut
        assert not missing, f"{src.name} lost glyphs the site uses: {''.join(sorted(missing))}"
        # layout closure may add a mirrored twin (∈ brings ∋, ⊂ brings ⊃), nothing more
        assert len(cut - used) <= 3, f"{src.name} keeps glyphs no page uses: {''.join(sorted(cut - used))}"
        total_before += src.stat().st_size
        total_after += len(cut_bytes)
    assert total_after < 0.8 * total_before, (total_before, total_after)


def test_edit_links_point_at_the_page_source_and_nothing_asks_github(built_site):
    import os

    from conftest import TEST_REPO_URL

    repo = os.environ.get("DLNOTES_REPO_URL", TEST_REPO_URL)
    root = Path(__file__).resolve().parents[1]
    for out, src in [("training/dropout/index.html", "docs/en/training/dropout.md"),
                     ("zh/training/dropout/index.html", "docs/zh/training/dropout.md"),
                     ("zh/training/dropout-lab/index.html", "docs/zh/training/dropout-lab.ipynb")]:
        html = (built_site / out).read_text(encoding="utf-8")
        edit = re.search(r'<a href="([^"]+)"[^>]*rel="edit"', html)
        assert edit, f"{out} has no edit link"
        assert edit.group(1) == f"{repo}/edit/main/{src}", edit.group(1)
        assert (root / src).exists()
        assert f'href="{repo}"' in html, f"{out} has no repository link"
        # Material fetches stars/forks from api.github.com for a data-md-component="source" link
        assert 'data-md-component="source"' not in html, f"{out} would call the GitHub API"
