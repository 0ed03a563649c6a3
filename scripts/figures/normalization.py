"""Figures for the Normalization page."""
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.normalization import (bn_output_spread, residual_stream_norms, running_mean_path,
                                   stat_groups)
from scripts.figures import figure

CUBE = (6, 6, 5, 1)          # N, C, H*W (drawn as one axis, as in Wu & He's figure), 1
PANELS = [("batch", "BatchNorm\nper channel: N, H, W"),
          ("layer", "LayerNorm\nper sample: C, H, W"),
          ("instance", "InstanceNorm\nper sample, channel: H, W"),
          ("group", "GroupNorm (G = 2)\nper sample, group: C/G, H, W")]
BATCH_SIZES = [2, 4, 8, 16, 32, 64]


@figure("normalization-axes")
def axes_cube(style):
    """The N x C x (H, W) block with the entries that share one mean and variance highlighted."""
    fig = plt.figure(figsize=(6.4, 5.6))
    N, C, HW, _ = CUBE
    for i, (kind, title) in enumerate(PANELS):
        ax = fig.add_subplot(2, 2, i + 1, projection="3d")
        ids = stat_groups(CUBE, kind, num_groups=2)[:, :, :, 0]     # (N, C, HW)
        lit = ids == ids[N - 1, 0, 0]              # the set that holds the front-right corner
        colors = np.empty(lit.shape, dtype=object)
        colors[lit] = style.accent
        colors[~lit] = style.off
        # axes of the plot: x = N (batch), y = C (channels), z = H, W
        ax.voxels(np.ones(lit.shape, bool), facecolors=colors, edgecolor=style.fg, linewidth=0.35, shade=False,
                  alpha=0.95)
        ax.set_box_aspect((N, C, HW), zoom=0.85)
        ax.view_init(elev=22, azim=-58)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_zticks([])
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_pane_color((0, 0, 0, 0))
            axis.line.set_color((0, 0, 0, 0))
        ax.set_xlabel("N", labelpad=-12, color=style.fg)
        ax.set_ylabel("C", labelpad=-12, color=style.fg)
        ax.set_zlabel("H, W", labelpad=-12, color=style.fg)
        ax.patch.set_alpha(0)
        fig.text((i % 2 + 0.5) / 2, 0.99 - 0.5 * (i // 2), title, ha="center", va="top", fontsize=10,
                 color=style.fg)
    fig.subplots_adjust(left=0.0, right=1.0, bottom=0.0, top=0.93, wspace=0.0, hspace=0.12)
    return fig


@figure("normalization-small-batch")
def small_batch(style):
    """Left: BN output of one fixed example depends on its batch-mates. Right: running mean."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.2))
    spread = [bn_output_spread(m) for m in BATCH_SIZES]
    ax.plot(BATCH_SIZES, spread, color=style.second, marker="o", lw=1.6, label="BatchNorm (training mode)")
    ax.plot(BATCH_SIZES, [0.0] * len(BATCH_SIZES), color=style.accent, marker="s", lw=1.6,
            label="GroupNorm / LayerNorm")
    ax.set_xscale("log", base=2)
    ax.set_xticks(BATCH_SIZES, [str(m) for m in BATCH_SIZES])
    ax.set(xlabel="batch size", ylabel="std of one example's output")
    ax.set_title("same example, 400 random batches", fontsize=10)
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=8)
    path = running_mean_path(steps=60, true_mean=2.0, batch_size=16, momentum=0.1)
    steps = np.arange(1, len(path) + 1)
    ax2.plot(steps, path, color=style.accent, lw=1.6, label="running_mean (momentum 0.1)")
    ax2.plot(steps, 2.0 * (1 - 0.9**steps), color=style.fg, ls="--", lw=1, label="2 · (1 − 0.9ᵗ)")
    ax2.axhline(2.0, color=style.muted, lw=0.8, ls=":")
    ax2.set(xlabel="training step", ylabel="running_mean")
    ax2.set_title("running mean starts at 0, true mean 2", fontsize=10)
    ax2.grid(True, lw=0.5)
    ax2.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


@figure("normalization-pre-post")
def pre_post(style):
    """Norm of the residual stream per block at initialisation, Pre-LN vs Post-LN."""
    depth = 24
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    layers = np.arange(1, depth + 1)
    for placement, color, label in [("pre", style.accent, "Pre-LN: x + F(LN(x))"),
                                    ("post", style.second, "Post-LN: LN(x + F(x))")]:
        norms = np.mean([residual_stream_norms(depth, 64, placement, seed=s) for s in range(8)], axis=0)
        ax.plot(layers, norms, color=color, marker="o", ms=3, lw=1.6, label=label)
    ax.plot(layers, np.sqrt(layers + 1), color=style.fg, ls="--", lw=1, label="√(1 + l)")
    ax.set(xlabel="block l", ylabel="‖x_l‖ / √d")
    ax.set_title("residual stream at initialisation (d = 64, mean of 8 seeds)", fontsize=10)
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
