"""Figure registry and builder.

Every figure is a function ``fn(style) -> matplotlib.figure.Figure`` registered
with :func:`figure`; it is drawn twice, once per colour scheme, so it is legible
in light and dark mode.  Pages embed it with ``![alt text](fig:name)``.

The builder caches each figure by a hash of its module's source, the sources of
the ``dlnotes`` modules that module imports, this file, and the versions of
numpy and matplotlib; output goes to ``.cache/figures`` (outside ``docs/``).
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import os
import pkgutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
# DLNOTES_CACHE relocates every build cache (the benchmark's cold build uses an empty one).
CACHE_DIR = Path(os.environ.get("DLNOTES_CACHE", ROOT / ".cache"))
OUT_DIR = CACHE_DIR / "figures"
SCHEMES = ("light", "dark")


@dataclass(frozen=True)
class Style:
    """Colours for one scheme; figure code takes every colour from here."""
    scheme: str
    fg: str
    muted: str
    grid: str
    accent: str      # the colour of "the thing to look at"
    second: str
    third: str
    off: str         # dropped / inactive elements

    @property
    def cycle(self):
        return [self.accent, self.second, self.third, self.fg]


STYLES = {
    "light": Style("light", fg="#1f2328", muted="#57606a", grid="#d0d7de",
                   accent="#3f51b5", second="#d1495b", third="#2a9d8f", off="#c8ccd2"),
    "dark": Style("dark", fg="#e6e6e6", muted="#a0a7b4", grid="#3b4252",
                  accent="#8c9eff", second="#ff7b8a", third="#4fd1c5", off="#4a505c"),
}


@dataclass(frozen=True)
class FigureSpec:
    name: str
    func: Callable
    module: str


REGISTRY: dict[str, FigureSpec] = {}


def figure(name: str):
    """Register ``fn(style)`` under ``name`` (lowercase, digits and dashes)."""
    if not name.replace("-", "").isalnum() or name.lower() != name:
        raise ValueError(f"figure name must be lowercase letters, digits and dashes: {name!r}")

    def deco(fn):
        if name in REGISTRY:
            raise ValueError(f"figure {name!r} is registered twice")
        REGISTRY[name] = FigureSpec(name, fn, fn.__module__)
        return fn
    return deco


def load_all(reload: bool = False) -> dict[str, FigureSpec]:
    """Import every topic module in this package (each registers its figures).

    ``reload=True`` (used by ``mkdocs serve`` on every rebuild) re-imports the
    ``dlnotes`` modules and the figure modules, so edited code is redrawn.
    """
    if reload:
        REGISTRY.clear()
        for name in sorted(n for n in sys.modules if n == "dlnotes" or n.startswith("dlnotes.")):
            importlib.reload(sys.modules[name])
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        full = f"{__name__}.{info.name}"
        if reload and full in sys.modules:
            importlib.reload(sys.modules[full])
        else:
            importlib.import_module(full)
    return REGISTRY


def _source_files(spec: FigureSpec) -> list[Path]:
    mod = sys.modules[spec.module]
    files = {Path(mod.__file__), Path(__file__)}
    for value in vars(mod).values():
        src = getattr(inspect.getmodule(value), "__name__", "") if not inspect.ismodule(value) else value.__name__
        if src.startswith("dlnotes"):
            files.add(Path(sys.modules[src].__file__))
    dl = ROOT / "dlnotes"
    files.add(dl / "_check.py")
    return sorted(files)


def cache_key(spec: FigureSpec) -> str:
    import matplotlib
    import numpy

    h = hashlib.sha256()
    h.update(f"{spec.name}|numpy {numpy.__version__}|matplotlib {matplotlib.__version__}".encode())
    for path in _source_files(spec):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def output_paths(name: str, out_dir: Path = OUT_DIR) -> dict[str, Path]:
    return {s: out_dir / f"{name}.{s}.png" for s in SCHEMES}


def _apply_style(style: Style):
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.dpi": 100, "savefig.dpi": 150,
        "font.family": "DejaVu Sans", "font.size": 10,
        "text.color": style.fg, "axes.labelcolor": style.fg, "axes.edgecolor": style.muted,
        "xtick.color": style.muted, "ytick.color": style.muted,
        "axes.titlecolor": style.fg, "grid.color": style.grid,
        "axes.prop_cycle": mpl.cycler(color=style.cycle),
        "legend.frameon": False, "axes.spines.top": False, "axes.spines.right": False,
        "svg.hashsalt": "dlnotes", "path.simplify": True,
    })


def render(spec: FigureSpec, out_dir: Path = OUT_DIR) -> dict[str, Path]:
    """Draw one figure in both schemes; return the written paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = output_paths(spec.name, out_dir)
    for scheme, path in paths.items():
        style = STYLES[scheme]
        with matplotlib.rc_context():
            _apply_style(style)
            fig = spec.func(style)
            # Transparent background: the page colour shows through in either scheme.
            fig.savefig(path, transparent=True, metadata={"Software": None}, bbox_inches=None)
            plt.close(fig)
        _quantize(path)
    return paths


def _quantize(path: Path, colors: int = 192):
    """Shrink a PNG to a palette image (2-4x smaller, invisible for plots).

    Photos keep more colours: a figure module may save a JPEG/PNG itself instead.
    """
    from PIL import Image

    with Image.open(path) as im:
        im.load()
    pal = im.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    pal.save(path, optimize=True)


def build(names=None, out_dir: Path = OUT_DIR, force=False, log=print, reload=False) -> dict[str, float]:
    """Build (or reuse from cache) the named figures; return seconds per figure."""
    registry = load_all(reload=reload)
    names = sorted(registry) if names is None else list(names)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise KeyError(f"unknown figure(s): {', '.join(unknown)}")
    timings = {}
    for name in names:
        spec = registry[name]
        key = cache_key(spec)
        stamp = out_dir / f"{name}.key"
        paths = output_paths(name, out_dir)
        if not force and stamp.exists() and stamp.read_text() == key and all(p.exists() for p in paths.values()):
            timings[name] = 0.0
            continue
        t0 = time.perf_counter()
        render(spec, out_dir)
        stamp.write_text(key)
        timings[name] = time.perf_counter() - t0
        if log:
            log(f"figure {name}: {timings[name]:.2f} s")
    return timings


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, read from its IHDR chunk."""
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
