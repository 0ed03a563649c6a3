"""Figure registry and builder.

Every figure is a function ``fn(style) -> matplotlib.figure.Figure`` registered
with :func:`figure`; it is drawn twice, once per colour scheme, so it is legible
in light and dark mode.  Pages embed it with ``![alt text](fig:name)``.

The builder caches each figure by a hash of its module's source, the sources of
the ``dlnotes`` modules that module imports, this file, and the versions of
numpy and matplotlib; output goes to ``.cache/figures`` (outside ``docs/``).
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
# DLNOTES_CACHE relocates every build cache (the benchmark's cold build uses an empty one).
CACHE_DIR = Path(os.environ.get("DLNOTES_CACHE", ROOT / ".cache"))
OUT_DIR = CACHE_DIR / "figures"
SCHEMES = ("light", "dark")
SAVE_DPI = 120   # an 8-inch figure is 960 px: sharp at 1.4x the content width, light pages


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


def load_all() -> dict[str, FigureSpec]:
    """Import every figure module (each registers its figures); return the registry."""
    for module in module_paths():
        importlib.import_module(f"{__name__}.{module}")
    return REGISTRY


def module_paths() -> dict[str, Path]:
    """Figure modules of this package: module name -> file."""
    here = Path(__file__).parent
    return {p.stem: p for p in sorted(here.glob("*.py")) if not p.stem.startswith("_")}


def figure_names(path: Path) -> list[str]:
    """Names registered in one figure module, read from its source (no import)."""
    return list(_figure_names(path, path.stat().st_mtime_ns))


@functools.lru_cache(maxsize=None)
def _figure_names(path: Path, mtime_ns: int) -> tuple[str, ...]:   # parsed once per file version
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                if (isinstance(dec, ast.Call) and getattr(dec.func, "id", None) == "figure"
                        and dec.args and isinstance(dec.args[0], ast.Constant)):
                    names.append(dec.args[0].value)
    return tuple(names)


def all_figures() -> dict[str, str]:
    """Every figure name -> the module that draws it, from the sources (no import)."""
    out = {}
    for module, path in module_paths().items():
        for name in figure_names(path):
            if name in out:
                raise ValueError(f"figure {name!r} is registered in {out[name]} and {module}")
            out[name] = module
    return out


@functools.lru_cache(maxsize=None)
def _direct_dlnotes_imports(path: Path, mtime_ns: int) -> tuple[Path, ...]:
    """The dlnotes files one source imports directly (parsed once per file version)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        mods = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "dlnotes":
            mods = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            mods = [a.name for a in node.names if a.name.split(".")[0] == "dlnotes"]
        for mod in mods:
            file = ROOT.joinpath(*mod.split(".")).with_suffix(".py")
            if file.exists() and file not in found:
                found.append(file)
    return tuple(found)


def _dlnotes_sources(path: Path, seen: set[Path] | None = None) -> set[Path]:
    """The dlnotes files a module imports, transitively (read from the sources)."""
    seen = set() if seen is None else seen
    for file in _direct_dlnotes_imports(path, path.stat().st_mtime_ns):
        if file not in seen:
            seen.add(file)
            _dlnotes_sources(file, seen)
    return seen


@functools.lru_cache(maxsize=None)
def _library_versions() -> str:
    from importlib.metadata import version

    return f"numpy {version('numpy')}|matplotlib {version('matplotlib')}|pillow {version('pillow')}"


def cache_key(name: str, module: str) -> str:
    """Hash of the figure's module, the dlnotes code it imports, this file and library versions."""
    path = module_paths()[module]
    files = sorted({path, Path(__file__), ROOT / "dlnotes" / "_check.py"} | _dlnotes_sources(path))
    h = hashlib.sha256()
    h.update(f"{name}|{_library_versions()}".encode())
    for file in files:
        h.update(file.relative_to(ROOT).as_posix().encode())
        h.update(file.read_bytes())
    return h.hexdigest()[:16]


def stale(out_dir: Path = OUT_DIR) -> list[str]:
    """Figures whose cached PNGs are missing or older than their sources."""
    out = []
    for name, module in all_figures().items():
        stamp = out_dir / f"{name}.key"
        if (not stamp.exists() or stamp.read_text() != cache_key(name, module)
                or not all(p.exists() for p in output_paths(name, out_dir).values())):
            out.append(name)
    return out


def output_paths(name: str, out_dir: Path = OUT_DIR) -> dict[str, Path]:
    return {s: out_dir / f"{name}.{s}.png" for s in SCHEMES}


def _apply_style(style: Style):
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.dpi": 100, "savefig.dpi": SAVE_DPI,
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

    Every figure goes through this; photo figures posterise their tiles themselves
    (see scripts/figures/augment.py) so the shared palette loses nothing visible.
    """
    from PIL import Image

    with Image.open(path) as im:
        im.load()
    pal = im.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    pal.save(path, optimize=True)


def build(names=None, out_dir: Path = OUT_DIR, force=False, log=print) -> dict[str, float]:
    """Draw the named (default: all) figures that are stale; return seconds per figure.

    Imports only the figure modules that have something to draw. ``mkdocs`` calls
    this in a fresh process (``python -m scripts.figures``) so edited code is used.
    """
    known = all_figures()
    names = sorted(known) if names is None else list(names)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(f"unknown figure(s): {', '.join(unknown)}")
    todo = set(names) if force else set(stale(out_dir)) & set(names)
    timings = {n: 0.0 for n in names}
    for module in sorted({known[n] for n in todo}):
        importlib.import_module(f"{__name__}.{module}")
    for name in sorted(todo):
        t0 = time.perf_counter()
        render(REGISTRY[name], out_dir)
        (out_dir / f"{name}.key").write_text(cache_key(name, known[name]))
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
