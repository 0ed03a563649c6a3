"""scripts/site/search.py: what goes into the index and which index a page loads."""
import json
from types import SimpleNamespace as NS

from scripts.site.search import exclude_code, language_base

CONFIG = '<script id="__config" type="application/json">{"base": "../..", "search": "w.js"}</script>'


def test_chinese_pages_point_material_at_the_chinese_index():
    zh = language_base(CONFIG, NS(file=NS(src_uri="zh/training/dropout.md")))
    assert json.loads(zh.split(">", 1)[1].split("<")[0])["base"] == "../../zh/"
    assert language_base(CONFIG, NS(file=NS(src_uri="en/training/dropout.md"))) == CONFIG


def test_code_blocks_and_labs_stay_out_of_the_index():
    page = NS(file=NS(src_uri="en/x.md"), meta={})
    assert exclude_code('<div class="language-python highlight">', page) == \
        '<div class="language-python highlight" data-search-exclude>'
    lab = NS(file=NS(src_uri="en/x-lab.ipynb"), meta={})
    exclude_code("<p>x</p>", lab)
    assert lab.meta["search"] == {"exclude": True}
