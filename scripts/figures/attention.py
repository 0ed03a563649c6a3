"""Figures for the Attention and Transformer page."""
import functools
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from dlnotes.attention import (causal_mask, padding_mask, rope, scaled_dot_product_attention,
                               sinusoidal_positions, softmax_saturation)
from scripts.figures import figure

SAT_DKS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
SAT_KEYS = 16

TOKENS = ["the", "cat", "sat", "on", "the", "mat", "<pad>", "<pad>"]
N_REAL = 6
HEAT_D = 16
HEAT_SEED = 3

ROPE_D = 16
ROPE_SEED = 5
ROPE_QUERIES = (20, 60)       # absolute positions of the query in the right panel
ROPE_OFFSETS = np.arange(0, 21)


@functools.lru_cache(maxsize=None)      # both colour schemes
def saturation_curves():
    """d_k -> (unscaled, scaled) statistics of softmax over SAT_KEYS random keys."""
    return {d: (softmax_saturation(d, SAT_KEYS, scaled=False), softmax_saturation(d, SAT_KEYS))
            for d in SAT_DKS}


@figure("attention-saturation")
def saturation(style):
    """Max weight, entropy and Jacobian norm of softmax(q.k) against d_k, with and without 1/sqrt(d_k)."""
    curves = saturation_curves()
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.3))
    panels = [("max_weight", "largest weight", 1 / SAT_KEYS, "uniform 1/16"),
              ("entropy", "entropy (nats)", math.log(SAT_KEYS), "uniform: ln 16"),
              ("jacobian_norm", "‖softmax Jacobian‖_F", None, None)]
    for ax, (key, label, ref, ref_label) in zip(axes, panels):
        un = [curves[d][0][key] for d in SAT_DKS]
        sc = [curves[d][1][key] for d in SAT_DKS]
        ax.plot(SAT_DKS, un, color=style.second, marker="o", ms=4, lw=1.6, label="q·k (no scaling)")
        ax.plot(SAT_DKS, sc, color=style.accent, marker="s", ms=4, lw=1.6, label="q·k / √d_k")
        if ref is not None:
            ax.axhline(ref, color=style.muted, ls=":", lw=1)
            ax.text(1, ref, ref_label, color=style.muted, fontsize=8, va="bottom")
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 4, 16, 64, 256, 1024])
        ax.set_xticklabels(["1", "4", "16", "64", "256", "1024"])
        ax.set_xlabel("d_k")
        ax.set_title(label, fontsize=10)
        ax.grid(True, lw=0.5)
        ax.set_ylim(bottom=0)
    axes[0].set_ylim(0, 1.02)
    axes[0].legend(fontsize=8, loc="center right")
    fig.suptitle(f"softmax over {SAT_KEYS} keys, q and k with i.i.d. N(0, 1) entries "
                 "(mean of 1000 draws)", fontsize=10)
    fig.tight_layout()
    return fig


def heatmap_weights():
    """The three weight matrices of the mask figure: no mask, causal, causal + padding."""
    rng = np.random.default_rng(HEAT_SEED)
    vocab = {w: rng.normal(size=HEAT_D) for w in dict.fromkeys(TOKENS)}
    x = np.array([vocab[w] for w in TOKENS])                     # no positions: "the" twice = same row
    Wq, Wk = (rng.normal(0, 1 / math.sqrt(HEAT_D), (HEAT_D, HEAT_D)) for _ in range(2))
    q, k = x @ Wq, x @ Wk
    n = len(TOKENS)
    full = scaled_dot_product_attention(q, k, x)[1]
    causal = scaled_dot_product_attention(q, k, x, causal_mask(n))[1]
    both = scaled_dot_product_attention(q, k, x, causal_mask(n) & padding_mask([N_REAL], n)[0])[1]
    return full, causal, both


@figure("attention-masks")
def masks(style):
    """Attention weights of one head on an 8-token sequence under no mask, a causal mask, causal + padding."""
    weights = heatmap_weights()
    cmap = LinearSegmentedColormap.from_list("w", [style.off, style.accent])
    titles = ["no mask (encoder)", "causal mask (decoder)", "causal + padding mask"]
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.7))
    for ax, w, title in zip(axes, weights, titles):
        im = ax.imshow(w, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks(range(len(TOKENS)))
        ax.set_xticklabels(TOKENS, rotation=60, fontsize=8)
        ax.set_yticks(range(len(TOKENS)))
        ax.set_yticklabels(TOKENS, fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("key (attended to)", fontsize=9)
        for i in range(len(TOKENS)):
            for j in range(len(TOKENS)):
                if w[i, j] == 0.0:
                    ax.text(j, i, "0", ha="center", va="center", fontsize=7, color=style.muted)
        for s in ax.spines.values():
            s.set_visible(False)
    axes[0].set_ylabel("query (row sums to 1)", fontsize=9)
    cb = fig.colorbar(im, ax=axes, fraction=0.02, pad=0.01)
    cb.ax.tick_params(labelsize=8)
    cb.outline.set_visible(False)
    return fig


def rope_scores():
    """Score matrix of RoPE for one fixed q and k content at every position, and the offset curves."""
    rng = np.random.default_rng(ROPE_SEED)
    q, k = rng.normal(size=ROPE_D), rng.normal(size=ROPE_D)
    n = 24
    pos = np.arange(n)
    Q = rope(np.tile(q, (n, 1)), pos)
    K = rope(np.tile(k, (n, 1)), pos)
    matrix = Q @ K.T                                               # [m, n] = <R_m q, R_n k>
    pe = sinusoidal_positions(max(ROPE_QUERIES) + 1, ROPE_D)
    curves = {}
    for m in ROPE_QUERIES:
        ns = m - ROPE_OFFSETS
        rq = rope(q[None], [m])[0]
        curves[m] = {
            "rope": np.array([rq @ rope(k[None], [j])[0] for j in ns]),
            "additive": np.array([(q + pe[m]) @ (k + pe[j]) for j in ns]),   # sinusoids added to the input
        }
    return matrix, curves


@figure("attention-rope")
def rope_figure(style):
    """RoPE as a rotation, its Toeplitz score matrix, and scores against offset for two query positions."""
    matrix, curves = rope_scores()
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.4), gridspec_kw={"width_ratios": [1, 1.05, 1.35]})
    ax = axes[0]
    theta = 0.35                                                    # one pair, angle step per position
    v = np.array([1.0, 0.25])
    for m in range(6):
        c, s = math.cos(m * theta), math.sin(m * theta)
        w = np.array([[c, -s], [s, c]]) @ v
        color = style.accent if m in (1, 4) else style.off
        ax.annotate("", xy=w, xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color=color, lw=1.6))
        ax.text(*(1.13 * w), f"m={m}", fontsize=7.5, ha="center", va="center", color=style.fg)
    ax.set_xlim(-0.6, 1.35)
    ax.set_ylim(-0.3, 1.35)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_visible(False)
    ax.scatter([0], [0], s=12, color=style.fg)
    ax.set_title("one pair (x₂ᵢ, x₂ᵢ₊₁):\nrotated by m·θᵢ", fontsize=9.5)
    ax2 = axes[1]
    lim = np.abs(matrix).max()
    cmap = LinearSegmentedColormap.from_list("s", [style.second, style.off, style.accent])
    ax2.imshow(matrix, cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
    ax2.set_title("RoPE score ⟨R_m q, R_n k⟩:\nconstant along diagonals", fontsize=9.5)
    ax2.set_xlabel("key position n", fontsize=9)
    ax2.set_ylabel("query position m", fontsize=9)
    ax3 = axes[2]
    for m, ls in zip(ROPE_QUERIES, ("-", "--")):
        ax3.plot(ROPE_OFFSETS, curves[m]["rope"], color=style.accent, ls=ls, lw=1.6, label=f"RoPE, m = {m}")
        ax3.plot(ROPE_OFFSETS, curves[m]["additive"], color=style.second, ls=ls, lw=1.4,
                 label=f"added sinusoids, m = {m}")
    ax3.set_xlabel("offset m − n", fontsize=9)
    ax3.set_ylabel("score q·k (same content)", fontsize=9)
    ax3.set_title("RoPE curves coincide;\nadded sinusoids depend on m", fontsize=9.5)
    ax3.grid(True, lw=0.5)
    top = max(max(c["rope"].max(), c["additive"].max()) for c in curves.values())
    ax3.set_ylim(top=1.45 * top)
    ax3.legend(fontsize=7, loc="upper center", ncol=2)
    fig.tight_layout()
    return fig
