"""scripts/site/figures.py: ``fig:`` markup becomes light and dark images with size and
loading; unknown names, missing alt text and author attributes fail the build."""
from types import SimpleNamespace as NS

import pytest

from scripts import figures as drawings
from scripts.site import figures


@pytest.fixture
def one_figure(monkeypatch, tmp_path):
    from PIL import Image
    paths = {}
    for scheme in drawings.SCHEMES:
        paths[scheme] = tmp_path / f"demo-{scheme}.png"
        Image.new("RGB", (30, 20)).save(paths[scheme])
    monkeypatch.setattr(figures, "_FIGURES", {"demo": "x"})
    monkeypatch.setattr(drawings, "output_paths", lambda name: paths)


PAGE = NS(file=NS(src_uri="en/training/dropout.md"))


def test_markup_has_both_schemes_size_and_lazy_loading(one_figure):
    out = figures.expand("![A plot](fig:demo)", PAGE)
    assert out == ('![A plot](../../assets/figures/demo-light.png#only-light)'
                   '{ width="30" height="20" loading="lazy" decoding="async" } '
                   '![A plot](../../assets/figures/demo-dark.png#only-dark)'
                   '{ width="30" height="20" loading="lazy" decoding="async" }')
    assert 'loading="eager"' in figures.expand("![A](fig:demo)", PAGE, eager=True)


@pytest.mark.parametrize("markdown, error", [
    ("![A](fig:nope)", "unknown figure 'fig:nope'"),
    ("![ ](fig:demo)", "has no alt text"),
    ("![A](fig:demo){ width=3 }", "takes no attributes"),
])
def test_bad_markup_fails_naming_the_page(one_figure, markdown, error):
    with pytest.raises(SystemExit, match="en/training/dropout.md") as e:
        figures.expand(markdown, PAGE)
    assert error in str(e.value)


def test_stale_figures_become_one_background_job_per_module(monkeypatch):
    from scripts import figures as drawings
    from scripts.site import figures as site_figures

    known = drawings.all_figures()
    crf = [n for n in sorted(known) if known[n] == "crf"]
    names = crf + ["dropout-train-vs-eval"]
    monkeypatch.setattr(drawings, "stale", lambda: names)
    jobs = site_figures.jobs()
    assert [(j.key, j.module, j.function, j.args) for j in jobs] == [
        ("figures:crf", "scripts.figures", "build", (crf,)),       # one worker shares the CRF run
        ("figures:dropout", "scripts.figures", "build", (["dropout-train-vs-eval"],))]
    assert len(crf) == 3 and jobs[0].guess == 3 * jobs[1].guess
    monkeypatch.setattr(drawings, "stale", lambda: [])
    assert site_figures.jobs() == []
