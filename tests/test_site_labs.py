"""scripts/site/labs.py: photos are published as WebP, plots stay PNG, every image has an alt;
heading ids follow the TOC."""
import io

import numpy as np
import pytest
from PIL import Image

from scripts.site.labs import lab_alts, web_image
from tests.pages import page_files

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def png_bytes(array) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


def test_a_photo_becomes_a_much_smaller_webp():
    from skimage import data

    photo = png_bytes(data.astronaut()[::2, ::2])
    ext, out = web_image("png", photo)
    assert ext == "webp" and len(out) < len(photo) / 4
    assert Image.open(io.BytesIO(out)).size == (256, 256)


def test_a_plot_and_a_transparent_image_stay_png():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(np.sin(np.linspace(0, 6, 100)))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    ext, out = web_image("png", buf.getvalue())
    assert ext == "png" and len(out) < len(buf.getvalue()), "a plot is re-encoded as a smaller palette PNG"
    before = np.asarray(Image.open(buf).convert("RGB"), dtype=float)
    after = np.asarray(Image.open(io.BytesIO(out)).convert("RGB"), dtype=float)
    assert before.shape == after.shape and np.abs(before - after).mean() < 0.5
    assert (after[0, 0] == 255).all(), "the white background stays white"
    rgba = np.random.default_rng(0).integers(0, 256, (64, 64, 4), dtype=np.uint8)
    rgba[..., 3] = 128
    assert web_image("png", png_bytes(rgba))[0] == "png"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lab_image_cell_has_alt_text_in_its_language(lang):
    labs = [p for p in page_files("en") if p.endswith(".ipynb")]
    assert labs
    for lab in labs:
        alts = lab_alts(str(ROOT / "docs" / lang / lab))
        assert alts, f"{lang}/{lab}: no alt text for its figures"
        for alt in alts:
            assert 40 <= len(alt) <= 400, f"{lang}/{lab}: alt of {len(alt)} characters: {alt!r}"
            has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in alt)
            assert has_cjk == (lang == "zh"), f"{lang}/{lab}: alt in the wrong language: {alt!r}"


def test_heading_ids_take_the_toc_anchors_in_order():
    from types import SimpleNamespace as NS

    from scripts.site.labs import heading_ids
    toc = [NS(id="crf", children=[NS(id="_1", children=[])]), NS(id="crf_1", children=[])]
    html = ('<h1 id="crf">CRF<a href="#crf">¶</a></h1><h2 id="">条件<a href="#">¶</a></h2>'
            '<h2 id="crf">CRF again</h2><h3 id="x">no TOC entry</h3>')
    out = heading_ids(html, NS(toc=toc))
    assert out == ('<h1 id="crf">CRF<a href="#crf">¶</a></h1><h2 id="_1">条件<a href="#_1">¶</a></h2>'
                   '<h2 id="crf_1">CRF again</h2><h3 id="x">no TOC entry</h3>')
