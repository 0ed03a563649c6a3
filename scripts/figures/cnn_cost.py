"""Figures for the CNN building blocks page (costs counted in multiply-adds)."""
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.cnn_cost import PRESETS, conv_macs, count, separable_ratio
from scripts.figures import figure

C, SIZE = 256, 56          # one layer, 256 -> 256 channels on a 56 x 56 map


def layer_kinds():
    """(label, params, MACs) of the layer types compared in the first panel."""
    full = conv_macs(3, C, C, SIZE)
    grouped = conv_macs(3, C, C, SIZE, groups=32)
    dw = conv_macs(3, C, C, SIZE, groups=C)
    pw = conv_macs(1, C, C, SIZE)
    hw = SIZE * SIZE
    return [("3×3 conv", full // hw, full), ("3×3, 32 groups", grouped // hw, grouped),
            ("1×1 (pointwise)", pw // hw, pw), ("3×3 depthwise", dw // hw, dw),
            ("depthwise + 1×1", (dw + pw) // hw, dw + pw)]


@figure("cnn-blocks-layer-costs")
def layer_costs(style):
    """Left: MACs of five layer types; right: the separable-to-full ratio against N."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.6, 3.6), gridspec_kw={"width_ratios": [1.15, 1]})
    kinds = layer_kinds()
    colors = [style.fg, style.third, style.second, style.muted, style.accent]
    ys = np.arange(len(kinds))[::-1]
    for y, (label, params, macs), color in zip(ys, kinds, colors):
        ax.barh(y, macs / 1e6, color=color, height=0.6)
        ax.text(macs / 1e6 * 1.15, y, f"{macs / 1e6:,.1f} M  ({params:,} weights)", va="center", fontsize=8,
                color=style.fg)
    ax.set_xscale("log")
    ax.set_xlim(1, 6e4)
    ax.set_yticks(ys, [k[0] for k in kinds], fontsize=9)
    ax.set_xlabel("multiply-adds (millions, log scale)")
    ax.set_title(f"one layer, {C} → {C} channels, {SIZE}×{SIZE} output", fontsize=10)
    n = np.unique(np.geomspace(8, 2048, 200).astype(int))
    for k, color, ls in [(3, style.accent, "-"), (5, style.second, "--"), (7, style.third, ":")]:
        bx.plot(n, [separable_ratio(k, int(v)) for v in n], color=color, ls=ls, lw=1.6,
                label=f"{k}×{k}: 1/N + 1/{k * k}")
        bx.axhline(1 / k**2, color=color, lw=0.6, alpha=0.6)
    bx.set_xscale("log")
    bx.set_yscale("log")
    bx.set_yticks([0.02, 0.04, 0.1, 0.2], ["0.02", "0.04", "0.1", "0.2"])
    bx.yaxis.set_minor_formatter(plt.NullFormatter())
    bx.set_xlabel("output channels N (log scale)")
    bx.set_ylabel("separable cost / full conv cost")
    bx.set_title("depthwise-separable vs full convolution", fontsize=10)
    bx.legend(fontsize=8, loc="upper right")
    bx.grid(True, which="major", lw=0.5)
    fig.tight_layout()
    return fig


def stage_shares(name):
    """Per stage: (name, share of parameters, share of multiply-adds)."""
    rows = count(PRESETS[name])
    stages = {}
    for r in rows:
        p, m = stages.get(r.stage, (0, 0))
        stages[r.stage] = (p + r.params, m + r.macs)
    tp, tm = sum(p for p, _ in stages.values()), sum(m for _, m in stages.values())
    return [(s, p / tp, m / tm) for s, (p, m) in stages.items()]


@figure("cnn-blocks-resnet50-stages")
def resnet50_stages(style):
    """Where ResNet-50's parameters and multiply-adds are, stage by stage."""
    shares = stage_shares("resnet50-v1")
    fig, ax = plt.subplots(figsize=(7.6, 3.3))
    x = np.arange(len(shares))
    ax.bar(x - 0.2, [100 * p for _, p, _ in shares], width=0.4, color=style.second, label="parameters")
    ax.bar(x + 0.2, [100 * m for _, _, m in shares], width=0.4, color=style.accent, label="multiply-adds")
    for xi, (_, p, m) in zip(x, shares):
        ax.text(xi - 0.2, 100 * p + 1, f"{100 * p:.0f}", ha="center", fontsize=8, color=style.fg)
        ax.text(xi + 0.2, 100 * m + 1, f"{100 * m:.0f}", ha="center", fontsize=8, color=style.fg)
    ax.set_xticks(x, [s.replace("_x", "") + ("\n(FC)" if s == "head" else "") for s, _, _ in shares])
    ax.set_ylabel("share of the total (%)")
    ax.set_ylim(0, 70)
    ax.set_title("ResNet-50 (v1, 224×224): 25.6 M parameters, 3.86 G multiply-adds", fontsize=10)
    ax.legend(fontsize=9, loc="upper left")
    fig.tight_layout()
    return fig
