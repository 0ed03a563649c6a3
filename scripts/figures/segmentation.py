"""Figures for the Segmentation architectures page (DeepLab, ASPP, FPN, U-Net, DenseNet, upsampling)."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from dlnotes.segmentation import (DEEPLAB_LINEAGE, bilinear_kernel, bilinear_upsample, dense_block_channels,
                                  dense_block_connections, overlap_count, transposed_conv2d, valid_taps)
from scripts.figures import figure


def _box(ax, x, y, w, h, text, style, color=None, fontsize=8, fill=None):
    color = color or style.accent
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                lw=1.3, edgecolor=color, facecolor=fill or "none"))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=style.fg)


def _arrow(ax, a, b, style, color=None, lw=1.1, rad=0.0):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=9, lw=lw,
                                 color=color or style.muted, connectionstyle=f"arc3,rad={rad}"))


def _blank(ax):
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)


@figure("segmentation-deeplab-lineage")
def deeplab_lineage(style):
    """Reported VOC 2012 test mIoU of each DeepLab version, with what it added."""
    fig, ax = plt.subplots(figsize=(7.6, 3.6))
    xs = np.arange(len(DEEPLAB_LINEAGE))
    vals = [row["voc_test_miou"] for row in DEEPLAB_LINEAGE]
    bars = ax.bar(xs, vals, width=0.55, color=style.accent, label="ImageNet (+COCO) pretraining")
    for x, row in zip(xs, DEEPLAB_LINEAGE):
        if row["extra_miou"]:
            ax.bar(x, row["extra_miou"] - row["voc_test_miou"], bottom=row["voc_test_miou"], width=0.55,
                   color=style.second, label="+ JFT-300M pretraining" if x == 2 else None)
            ax.text(x, row["extra_miou"] + 0.6, f"{row['extra_miou']:.1f}", ha="center", fontsize=8,
                    color=style.second)
    for bar, row in zip(bars, DEEPLAB_LINEAGE):
        ax.text(bar.get_x() + bar.get_width() / 2, 61.5, f"{row['voc_test_miou']:.1f}", ha="center",
                fontsize=9, color="white" if style.scheme == "light" else style.fg, fontweight="bold")
    ax.set_xticks(xs, [f"{r['version']} ({r['year']})\n{r['backbone']}, OS {r['output_stride'].split()[0]}\n"
                       f"{r['added']}" for r in DEEPLAB_LINEAGE], fontsize=7.5)
    ax.set_ylim(60, 93)
    ax.set_ylabel("PASCAL VOC 2012 test mIoU (%)")
    ax.set_title("DeepLab v1 → v3+: the mIoU each paper reports", fontsize=10)
    ax.grid(True, axis="y", lw=0.5)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


@figure("segmentation-aspp")
def aspp(style):
    """ASPP as in DeepLabv3 (left) and the taps of each 3x3 branch on the feature map (right)."""
    fig = plt.figure(figsize=(8, 4.2))
    ax = fig.add_axes([0.0, 0.0, 0.55, 1.0])
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    _blank(ax)
    _box(ax, 1.0, 5, 1.6, 1.5, "backbone\nfeatures\n(OS 16)", style, color=style.fg)
    branches = ["1×1 conv", "3×3 conv\nrate 6", "3×3 conv\nrate 12", "3×3 conv\nrate 18", "image pooling\n+ 1×1 conv"]
    colors = [style.muted, style.accent, style.second, style.third, style.fg]
    for i, (text, c) in enumerate(zip(branches, colors)):
        y = 9 - 2 * i
        _box(ax, 4.2, y, 2.3, 1.3, text + "\n+ BN", style, color=c, fontsize=7.5)
        _arrow(ax, (1.85, 5), (3.0, y), style)
        _arrow(ax, (5.4, y), (6.9, 5), style)
    _box(ax, 7.5, 5, 1.1, 2.2, "concat\n→ 1×1\nconv", style, color=style.fg)
    _arrow(ax, (8.1, 5), (8.8, 5), style)
    ax.text(9.35, 5, "logits", ha="center", va="center", fontsize=8)
    ax.text(8.3, 1.2, "v2: four 3×3 branches\n(rates 6, 12, 18, 24),\noutputs summed;\nv3: this module",
            ha="center", va="center", fontsize=7, color=style.muted)

    ax2 = fig.add_axes([0.58, 0.1, 0.4, 0.8])
    n = 41
    centre = n // 2
    ax2.add_patch(plt.Rectangle((-0.5, -0.5), n, n, facecolor="none", edgecolor=style.grid, lw=0.8))
    for r, c, m in [(18, style.third, "s"), (12, style.second, "D"), (6, style.accent, "o"), (1, style.fg, ".")]:
        offs = np.array([-r, 0, r])
        gx, gy = np.meshgrid(centre + offs, centre + offs)
        ax2.scatter(gx.ravel(), gy.ravel(), s=30, color=c, marker=m, zorder=3,
                    label=f"rate {r}: spans {2 * r + 1} cells")
        if r > 1:
            ax2.add_patch(plt.Rectangle((centre - r - 0.5, centre - r - 0.5), 2 * r + 1, 2 * r + 1,
                                        facecolor="none", edgecolor=c, lw=0.8, ls="--"))
    ax2.set_xlim(-1, n)
    ax2.set_ylim(-1, n)
    ax2.set_aspect("equal")
    _blank(ax2)
    ax2.set_title("9 taps per branch, spread by the rate\n(one feature-map cell = 16 input pixels)", fontsize=8.5)
    ax2.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=2)
    return fig


@figure("segmentation-valid-taps")
def valid_taps_plot(style):
    """DeepLabv3 Fig. 4 recomputed: valid taps of a 3x3 filter on a 65x65 map as the rate grows."""
    rates = np.arange(1, 65)
    hist = np.array([valid_taps(65, r) for r in rates])
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    for n, c in [(9, style.accent), (4, style.second), (1, style.third)]:
        ax.plot(rates, hist[:, n], color=c, lw=2, label=f"{n} valid weight{'s' if n > 1 else ''}")
    for r in (6, 12, 18):
        ax.axvline(r, color=style.grid, lw=0.8, zorder=0)
    ax.text(12, 1.02, "v3 rates 6, 12, 18", ha="center", fontsize=8, color=style.muted)
    ax.set_xlabel("atrous rate on a 65 × 65 feature map")
    ax.set_ylabel("fraction of positions")
    ax.set_ylim(0, 1.08)
    ax.legend(fontsize=8, loc="center right")
    ax.set_title("At large rates a 3×3 filter degenerates to its centre tap (a 1×1 filter)", fontsize=10)
    fig.tight_layout()
    return fig


@figure("segmentation-fpn-unet")
def fpn_unet(style):
    """FPN (bottom-up, top-down, lateral 1x1) and U-Net (encoder, decoder, concatenated skips)."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 4.0))
    for ax in (a, b):
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 10)
        _blank(ax)
    # FPN: widths shrink going up (lower resolution)
    ys = [1.5, 3.8, 6.1, 8.4]
    widths = [2.6, 2.0, 1.4, 0.9]
    for i, (y, w) in enumerate(zip(ys, widths)):
        _box(a, 2.0, y, w, 1.0, f"C{i + 2}\n1/{2 ** (i + 2)}", style, color=style.muted, fontsize=7)
        _box(a, 7.2, y, w, 1.0, f"P{i + 2}", style, color=style.accent, fontsize=8)
        _arrow(a, (2.0 + w / 2 + 0.05, y), (7.2 - w / 2 - 0.05, y), style, color=style.third)
        a.text(4.6, y + 0.2, "1×1 lateral", fontsize=6.5, color=style.third, ha="center")
        a.text(8.0 + w / 2, y, "→ predict", fontsize=7, color=style.muted, va="center")
        if i:
            _arrow(a, (2.0, ys[i - 1] + 0.55), (2.0, y - 0.55), style)
            _arrow(a, (7.2, y - 0.55), (7.2, ys[i - 1] + 0.55), style, color=style.second)
            a.text(7.35, (y + ys[i - 1]) / 2, "2× up\n(nearest) + add", fontsize=6.5, color=style.second,
                   va="center")
    a.text(2.0, 9.6, "bottom-up (backbone)", ha="center", fontsize=8)
    a.text(7.2, 9.6, "top-down", ha="center", fontsize=8)
    a.set_title("FPN: every level gets deep semantics", fontsize=9)
    # U-Net
    enc = [(1.5, 8.4), (2.5, 6.1), (3.5, 3.8)]
    dec = [(8.5, 8.4), (7.5, 6.1), (6.5, 3.8)]
    for i, ((xe, ye), (xd, yd)) in enumerate(zip(enc, dec)):
        ch = 64 * 2 ** i
        _box(b, xe, ye, 1.5, 1.0, f"conv×2\n{ch} ch", style, color=style.muted, fontsize=7)
        _box(b, xd, yd, 1.5, 1.0, f"conv×2\n{ch} ch", style, color=style.accent, fontsize=7)
        _arrow(b, (xe + 0.8, ye), (xd - 0.8, yd), style, color=style.third, lw=1.4)
        b.text(5, ye + 0.55 if i == 2 else ye + 0.25, "copy + concat", ha="center", fontsize=6.5,
               color=style.third)
    _box(b, 5.0, 1.5, 2.3, 1.0, "deeper levels\n512, 1024 ch", style, color=style.fg, fontsize=7)
    for (x0, y0), (x1, y1) in zip(enc, enc[1:] + [(5.0, 1.5)]):
        _arrow(b, (x0, y0 - 0.55), (x1 - 0.3, y1 + 0.55), style)
        b.text((x0 + x1) / 2 - 0.75, (y0 + y1) / 2, "max-pool", fontsize=6.5, color=style.muted)
    for (x0, y0), (x1, y1) in zip([(5.0, 1.5)] + dec[::-1][:-1], dec[::-1]):
        _arrow(b, (x0 + 0.3, y0 + 0.55), (x1, y1 - 0.55), style, color=style.second)
        b.text((x0 + x1) / 2 + 0.35, (y0 + y1) / 2, "2×2 up-conv", fontsize=6.5, color=style.second)
    b.set_title("U-Net (top 3 of 5 levels): skips carry the detail", fontsize=9)
    fig.tight_layout()
    return fig


@figure("segmentation-dense-block")
def dense_block(style):
    """Connectivity of a 5-layer dense block and how its channel count grows."""
    L, k0, k = 5, 16, 12
    pairs = dense_block_connections(L)
    inputs, out = dense_block_channels(k0, k, L)
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.4), gridspec_kw={"width_ratios": [1.5, 1]})
    xs = np.arange(L + 1)
    for src, dst in pairs:
        span = dst - src
        color = style.accent if span == 1 else style.second
        a.add_patch(FancyArrowPatch((src, 0), (dst, 0), arrowstyle="-|>", mutation_scale=8, lw=1.0,
                                    color=color, alpha=0.9, connectionstyle=f"arc3,rad={-0.28 - 0.02 * span}"))
    a.scatter(xs, np.zeros_like(xs), s=380, color=style.fg, zorder=3)
    for x in xs:
        a.text(x, 0, f"x{x}", ha="center", va="center", color="white" if style.scheme == "light" else "black",
               fontsize=8, zorder=4)
    a.plot([], [], color=style.accent, label=f"{L} consecutive links (a plain CNN)")
    a.plot([], [], color=style.second, label=f"{len(pairs) - L} extra dense links")
    a.set_xlim(-0.6, L + 0.6)
    a.set_ylim(-0.6, 2.2)
    _blank(a)
    a.legend(fontsize=7.5, loc="upper left")
    a.set_title(f"L = {L} layers: L(L+1)/2 = {len(pairs)} direct connections", fontsize=9)
    b.bar(np.arange(1, L + 1), inputs, color=style.accent, width=0.6)
    b.bar([L + 1], [out], color=style.second, width=0.6)
    b.set_xticks(list(range(1, L + 2)), [str(i) for i in range(1, L + 1)] + ["out"])
    b.set_xlabel("layer")
    b.set_ylabel("input channels")
    b.set_title(f"k0 = {k0}, growth rate k = {k}: k0 + (l−1)k", fontsize=9)
    b.grid(True, axis="y", lw=0.5)
    b.set_axisbelow(True)
    fig.tight_layout()
    return fig


@figure("segmentation-upsampling")
def upsampling(style):
    """Upsample a constant map by 2: bilinear, transposed conv k3 s2 (checkerboard), k4 s2 bilinear kernel."""
    cmap = LinearSegmentedColormap.from_list("seg", [style.off, style.accent, style.second])
    x = np.ones((6, 6))
    panels = [
        ("bilinear\ninterpolation ×2", bilinear_upsample(x, 2)),
        ("transposed conv\n3×3 ones, stride 2", transposed_conv2d(x, np.ones((3, 3)), 2, 1)),
        ("transposed conv, 4×4\nbilinear kernel, stride 2", transposed_conv2d(x, bilinear_kernel(2), 2, 1)),
    ]
    fig = plt.figure(figsize=(8, 3.0))
    for i, (title, img) in enumerate(panels):
        ax = fig.add_axes([0.01 + 0.19 * i, 0.08, 0.17, 0.62])
        im = ax.imshow(img, cmap=cmap, vmin=0, vmax=4, interpolation="nearest")
        ax.set_title(title, fontsize=8)
        _blank(ax)
    cax = fig.add_axes([0.585, 0.1, 0.012, 0.58])
    cb = fig.colorbar(im, cax=cax)
    cb.ax.tick_params(labelsize=7)
    ax = fig.add_axes([0.69, 0.15, 0.3, 0.55])
    counts = overlap_count(6, 3, 2)
    ax.bar(np.arange(len(counts)), counts, color=style.second, width=0.8, label="kernel 3, stride 2")
    counts4 = overlap_count(6, 4, 2)
    ax.step(np.arange(len(counts4)), counts4, where="mid", color=style.accent, label="kernel 4, stride 2")
    ax.set_title("kernel stamps covering\neach output pixel (1-D)", fontsize=8)
    ax.set_ylim(0, 3.6)
    ax.set_xlabel("output position", fontsize=8)
    ax.legend(fontsize=7, loc="upper center", ncol=2, handlelength=1.2, columnspacing=0.8)
    ax.tick_params(labelsize=7)
    fig.suptitle("Upsampling a constant 6×6 map by 2: uneven overlap of the stamps makes a checkerboard",
                 fontsize=9.5, y=0.98)
    return fig
