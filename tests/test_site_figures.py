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


def test_stale_figures_are_dealt_to_two_drawing_processes(monkeypatch):
    from scripts import figures as drawings
    from scripts.site import figures as site_figures

    names = sorted(drawings.all_figures())[:8]       # cached here, so each process exits at once
    monkeypatch.setattr(drawings, "stale", lambda: names)
    drawing = site_figures.Drawing(workers=2)
    try:
        shares = [proc.args[3:] for proc, _ in drawing.procs]
        assert shares == [names[0::2], names[1::2]]
    finally:
        drawing.finish()
    monkeypatch.setattr(drawings, "stale", lambda: names[:3])      # a few: one process is enough
    drawing = site_figures.Drawing(workers=2)
    assert len(drawing.procs) == 1
    drawing.finish()


def test_a_failing_drawing_process_fails_the_build_with_its_error(monkeypatch):
    from scripts import figures as drawings
    from scripts.site import figures as site_figures

    monkeypatch.setattr(drawings, "stale", lambda: ["no-such-figure"])
    drawing = site_figures.Drawing(workers=2)
    with pytest.raises(SystemExit, match="no-such-figure"):
        drawing.finish()
