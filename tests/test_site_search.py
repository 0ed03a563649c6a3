"""scripts/site/search.py: pages read into sections, the index files and stubs, the
page config that points Material at our worker."""
import json
import re
from types import SimpleNamespace as NS

from scripts.site import search

ARTICLE = """<html><body><nav>menu</nav><article class="md-content__inner md-typeset">
<a class="md-content__button" href="x">Edit</a>
<h1 id="dropout">Dropout<a class="headerlink" href="#dropout">&para;</a></h1>
<p>Intro with <span class="arithmatex">\\(1/(1-p)\\)</span> scaling.</p>
<div class="arithmatex">\\[\\frac{a}{b}\\]</div>
<h2 id="code">Code</h2><p>随机失活在训练时
丢弃单元。</p>
<div class="highlight"><pre><code>import copy
y = copy.deepcopy(x)
layer = nn.Dropout(p=0.5)
</code></pre></div>
<details class="question"><summary>Why?</summary><p>Deep answer text.</p></details>
<div class="jp-OutputArea"><pre>0.123 output numbers</pre></div>
</article><footer>footer text</footer></body></html>"""


def test_a_page_is_split_at_headings_with_prose_math_and_code_names():
    sections = search.page_sections(ARTICLE)
    assert [s[:2] for s in sections] == [["", "Dropout"], ["code", "Code"]]
    intro, code = sections
    assert intro[2] == "Intro with 1/(1-p) scaling."             # inline TeX kept, display math and "Edit" not
    assert code[2] == "随机失活在训练时丢弃单元。 Why? Deep answer text."   # no gap between Chinese lines
    assert code[3] == "copy copy.deepcopy layer nn.Dropout"       # names, not keywords or numbers
    assert "output numbers" not in json.dumps(sections) and "menu" not in json.dumps(sections)


def test_code_names_drop_keywords_and_short_names():
    assert search.code_names("for i in range(3): np.zeros(x); label_smoothing=0.1; KMeans(n_init=10)") == \
        "label_smoothing KMeans n_init"


def test_synonym_groups_carry_every_name_and_the_page():
    groups = search.synonym_groups()
    by_first = {g["n"][0]: g for g in groups}
    dropout = by_first["dropout"]
    assert "随机失活" in dropout["n"] and dropout["p"] == "training/dropout/"
    miou = next(g for g in groups if "mIoU" in g["n"])
    assert "mean IoU" in miou["n"], "a name's parenthesised abbreviation is a name of its own"


def _page(src, url, meta=None):
    return NS(file=NS(src_uri=src), url=url, title="T", meta=meta or {})


def test_page_config_points_at_the_worker_and_chinese_pages_at_zh():
    cfg = ('<script id="__config" type="application/json">{"base": "../..", '
           '"search": "../../assets/javascripts/workers/search.a7633da7.min.js"}</script>')
    read = lambda html: json.loads(re.search(r">(\{.*\})<", html).group(1))   # noqa: E731
    en = read(search.page_config(cfg, _page("en/training/dropout.md", "training/dropout/"), offline=False))
    zh = read(search.page_config(cfg, _page("zh/training/dropout.md", "zh/training/dropout/"), offline=False))
    assert en["base"] == "../.." and zh["base"] == "../../zh/"
    assert re.fullmatch(r"\.\./\.\./assets/search/worker\.js\?v=[0-9a-f]{10}", en["search"])
    off = read(search.page_config(cfg, _page("en/x.md", "x.html"), offline=True))
    assert off["search"] == "../../assets/search/worker.js"


def test_write_index_writes_hashed_scripts_and_stubs(tmp_path):
    search.collect(ARTICLE, _page("en/training/dropout.md", "training/dropout/", {"tags": ["regularization"]}))
    search.collect(ARTICLE, _page("zh/training/dropout.md", "zh/training/dropout/"))
    search.collect(ARTICLE, _page("en/print.md", "print/", {"search": {"exclude": True, "dl": {"exclude": True}}}))
    search.collect(ARTICLE, _page("en/drill.md", "drill/", {"search": {"exclude": True, "dl": {"intro_only": True}}}))
    names = search.write_index(tmp_path, offline=True)
    assert set(names) == {"en", "zh"} and all(re.fullmatch(r"index-(en|zh)\.[0-9a-f]{10}\.js", n)
                                               for n in names.values())
    script = (tmp_path / "assets" / "search" / names["zh"]).read_text(encoding="utf-8")
    data = json.loads(script.split("=", 2)[2].rstrip(";\n"))
    assert [p["u"] for p in data["pages"]] == ["training/dropout/"]       # zh/ stripped: relative to /zh/
    en = json.loads((tmp_path / "assets" / "search" / names["en"]).read_text().split("=", 2)[2].rstrip(";\n"))
    assert [p["u"] for p in en["pages"]] == ["drill/", "training/dropout/"], "the print page opted out"
    assert [s[0] for s in en["pages"][0]["s"]] == [""], "the drill keeps only its opening"
    assert en["pages"][1]["k"] == "regularization"
    stub = json.loads((tmp_path / "zh" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert stub["docs"] == [] and stub["config"]["dl"] == {"lang": "zh", "files": names, "glossary": "glossary.html"}
    assert (tmp_path / "search" / "search_index.js").read_text().startswith("var __index = {")
    assert not any(search._pages.values()), "collected pages are forgotten after writing"
