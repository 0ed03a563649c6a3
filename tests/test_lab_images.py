"""Lab outputs: photos are published as WebP, plots stay PNG, every image has an alt."""
import io

import numpy as np
import pytest
from PIL import Image

from scripts.hooks.site_hooks import lab_alts, web_image
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
    assert web_image("png", buf.getvalue()) == ("png", buf.getvalue())
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
