"""Figures for the receptive-field page: 1-D layer diagrams, gridding, transposed conv, 2-D growth, ERF."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from dlnotes.receptive_field import (analyze, contributing_units, effective_rf_profile, erf_std, parse, support,
                                     taps)
from scripts.figures import figure



def _centre(layers, level, u):
    """x position of unit u of a level: the centre of its receptive field (input pixels)."""
    if level == 0:
        return float(u)
    c = analyze(layers[:level], u)[-1].centre
    return float(u) if c is None else c


def _cone(ax, text, unit, style, title, span=None):
    """Rows of units (input at the bottom); the cone of one output unit in the accent colour."""
    layers = parse(text)
    live = contributing_units(layers, unit)
    lo, hi = span if span else (min(live[0]) - 2, max(live[0]) + 2)
    names = ["input"] + [layer.text for layer in layers]
    for level in range(len(layers) + 1):
        y = level
        # units of this level whose centre falls in the window
        cands = range(-200, 200) if level else range(lo, hi + 1)
        xs = {u: _centre(layers, level, u) for u in cands}
        xs = {u: x for u, x in xs.items() if lo - 0.01 <= x <= hi + 0.01}
        on = set(live[level])
        if level:
            for u in on & set(xs):
                for i in taps(layers[level - 1], u):
                    if i in live[level - 1]:
                        ax.plot([xs[u], _centre(layers, level - 1, i)], [y, y - 1], color=style.accent,
                                lw=1.0, alpha=0.7, zorder=1)
        for u, x in xs.items():
            hit = u in on
            ax.scatter([x], [y], s=70 if hit else 30, zorder=2, color=style.accent if hit else style.off,
                       edgecolors=style.fg if (level == len(layers) and hit) else "none", linewidths=1.2)
        ax.text(lo - 1.0, y, names[level], ha="right", va="center", fontsize=8, color=style.muted)
    seen = live[0]
    ax.set_title(f"{title}: receptive field {seen[-1] - seen[0] + 1} pixels", fontsize=10)
    ax.set_xlim(lo - 1.2 - 0.11 * (hi - lo + 6), hi + 0.8)
    ax.set_ylim(-0.6, len(layers) + 0.6)
    ax.set_yticks([])
    ax.set_xlabel("input pixel")
    ax.spines[["left"]].set_visible(False)


@figure("rf-stacked-convs")
def stacked_convs(style):
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    _cone(ax, "conv3 p1; conv3 p1; conv3 p1", 0, style, "three 3×3 convolutions, stride 1", span=(-6, 6))
    fig.tight_layout()
    return fig


@figure("rf-stride-pool")
def stride_pool(style):
    fig, ax = plt.subplots(figsize=(7.6, 3.4))
    _cone(ax, "conv3 p1; pool2 s2; conv3 p1; conv3 p1", 2, style,
          "conv3, pool2 s2, conv3, conv3", span=(-3, 14))
    fig.tight_layout()
    return fig


@figure("rf-dilated-gridding")
def dilated_gridding(style):
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    _cone(axes[0], "conv3 d2 p2; conv3 d2 p2; conv3 d2 p2", 0, style, "rates 2, 2, 2", span=(-9, 9))
    _cone(axes[1], "conv3 p1; conv3 d2 p2; conv3 d5 p5", 0, style, "rates 1, 2, 5", span=(-9, 9))
    for ax, text in zip(axes, ["conv3 d2 p2 x3", "conv3 p1; conv3 d2 p2; conv3 d5 p5"]):
        n_seen = len(support(text))
        ax.set_title(ax.get_title() + f"\n{n_seen} of them are read", fontsize=9)
    fig.tight_layout()
    return fig


def _writes_centre(layer, i):
    """Input i of a transposed conv writes outputs i*s - p + d*j: draw it under their middle."""
    return i * layer.stride - layer.padding + layer.dilation * (layer.kernel - 1) / 2


@figure("rf-transposed")
def transposed(style):
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    for ax, text in zip(axes, ["tconv3 s2 p1", "tconv4 s2 p1"]):
        layer = parse(text)[0]
        n_in = 5
        n_out = (n_in - 1) * layer.stride - 2 * layer.padding + layer.kernel + (1 if text == "tconv3 s2 p1" else 0)
        counts = []
        for o in range(n_out):
            ins = [i for i in taps(layer, o) if 0 <= i < n_in]
            counts.append(len(ins))
            for i in ins:
                ax.plot([o, _writes_centre(layer, i)], [1, 0], color=style.accent, lw=1, alpha=0.6)
        cols = [style.second if c == min(counts) and min(counts) != max(counts) else style.accent for c in counts]
        ax.scatter(range(n_out), [1] * n_out, s=90, color=cols, zorder=3)
        for o, c in enumerate(counts):
            ax.text(o, 1.13, str(c), ha="center", fontsize=8, color=style.fg)
        xs = [_writes_centre(layer, i) for i in range(n_in)]
        ax.scatter(xs, [0] * n_in, s=90, color=style.fg, zorder=3)
        inner = counts[1:-1]
        ax.set_title(f"{text}: inner outputs read {min(inner)}–{max(inner)} inputs" if min(inner) != max(inner)
                     else f"{text}: every inner output reads {inner[0]} inputs", fontsize=10)
        ax.set_yticks([0, 1], ["input", "output"])
        ax.set_xticks([])
        ax.set_ylim(-0.3, 1.35)
        ax.spines[["bottom", "left"]].set_visible(False)
    fig.tight_layout()
    return fig


@figure("rf-growth-2d")
def growth_2d(style):
    text = "conv3 p1; conv3 p1; pool2 s2; conv3 p1; conv3 p1"
    layers = parse(text)
    rows = analyze(layers, unit=3)
    fig, ax = plt.subplots(figsize=(7.6, 4.2))
    n = 20
    for x in range(n + 1):
        ax.plot([x, x], [0, n], color=style.grid, lw=0.5)
        ax.plot([0, n], [x, x], color=style.grid, lw=0.5)
    colours = [style.third, style.second, style.muted, style.accent, style.fg]
    for r, colour in zip(reversed(rows), reversed(colours)):
        a, b = r.start + 3, r.end + 3                  # shift: pixel -3 drawn at the grid's left edge
        ax.add_patch(Rectangle((a, a), b - a + 1, b - a + 1, fill=True, alpha=0.18, color=colour, lw=0))
        ax.add_patch(Rectangle((a, a), b - a + 1, b - a + 1, fill=False, color=colour, lw=2,
                               label=f"after layer {r.index} ({r.text}): {r.rf}×{r.rf}"))
    ax.set_aspect("equal")
    ax.set_xlim(0, n)
    ax.set_ylim(0, n)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)
    ax.set_title("input pixels seen by one unit after each layer", fontsize=10)
    fig.subplots_adjust(left=0.02, right=0.52, top=0.92, bottom=0.04)
    return fig


@figure("rf-effective")
def effective(style):
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for depth, colour in zip([5, 10, 20, 40], style.cycle):
        offs, prof = effective_rf_profile(depth)
        axes[0].plot(offs / depth, prof / prof.max(), color=colour, lw=1.5, label=f"{depth} layers")
    axes[0].axvspan(-1, 1, color=style.off, alpha=0.35, lw=0, label="theoretical RF")
    axes[0].set_xlabel("offset / number of layers (RF spans −1 … 1)")
    axes[0].set_ylabel("E[gradient²] (peak = 1)")
    axes[0].legend(fontsize=8, loc="upper right")
    axes[0].set_xlim(-1.05, 1.05)
    axes[0].set_title("effective RF of n random 3-tap layers", fontsize=10)
    ns = np.arange(1, 61)
    axes[1].plot(ns, 2 * ns + 1, color=style.muted, lw=1.5, ls="--", label="theoretical RF: 2n + 1")
    axes[1].plot(ns, [4 * erf_std(int(n)) for n in ns], color=style.accent, lw=2,
                 label="effective RF: ±2 std = 4√(2n/3)")
    axes[1].set_xlabel("number of layers n")
    axes[1].set_ylabel("width in pixels")
    axes[1].legend(fontsize=8)
    axes[1].set_title("RF grows like n, effective RF like √n", fontsize=10)
    fig.tight_layout()
    return fig
