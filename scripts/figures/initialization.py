"""Figures for the Weight initialisation page."""
import functools

import matplotlib.pyplot as plt
import numpy as np

from dlnotes.initialization import depth_profile, jacobian_singular_values
from scripts.figures import figure

DEPTH, WIDTH, BATCH = 50, 256, 256
FLOOR = 1e-22          # the log axes stop here; 'small' falls far below it


def labels(nonlinearity):
    """Legend text per scheme; the 'gain' is calculate_gain(nonlinearity)."""
    g = "5/3" if nonlinearity == "tanh" else "√2"
    return {
        "small": "N(0, 0.01²)",
        "xavier": "Xavier (gain 1)",
        "he": f"fan_in, gain {g} (He)",
        "pytorch": "PyTorch default (nn.Linear)",
        "orthogonal": f"orthogonal × {g}",
        "lsuv": "LSUV",
    }


@functools.lru_cache(maxsize=None)
def profile(scheme, nonlinearity):
    """Cached: both colour schemes draw the same numbers."""
    return depth_profile(scheme, nonlinearity, depth=DEPTH, width=WIDTH, batch=BATCH, seed=0)


def _looks(style):
    return {
        "small": (style.muted, ":", None),
        "xavier": (style.third, "-", "o"),
        "he": (style.accent, "-", "s"),
        "pytorch": (style.second, "-", "^"),
        "orthogonal": (style.fg, "--", None),
        "lsuv": (style.accent, ":", "D"),
    }


@figure("initialization-depth")
def depth_statistics(style):
    """Activation and gradient std per layer of a 50-layer MLP, tanh and ReLU, six schemes."""
    looks = _looks(style)
    fig, axes = plt.subplots(2, 2, figsize=(8.4, 6.4), sharex=True, sharey="row")
    layers = np.arange(1, DEPTH + 1)
    for col, act in enumerate(("tanh", "relu")):
        for scheme, label in labels(act).items():
            a, g = profile(scheme, act)
            color, ls, marker = looks[scheme]
            for row, values in enumerate((a, g)):
                axes[row, col].plot(layers, np.maximum(values, FLOOR * 1e-3), color=color, ls=ls, lw=1.5,
                                    marker=marker, ms=3.5, markevery=7, label=label)
        axes[0, col].set_title(f"{act}: activations h_l (forward)", fontsize=10)
        axes[1, col].set_title(f"{act}: gradients ∂L/∂h_l (backward)", fontsize=10)
        axes[1, col].set_xlabel("layer l")
    for ax in axes.ravel():
        ax.set_yscale("log")
        ax.grid(True, lw=0.5)
        ax.set_xlim(0, DEPTH + 1)
    axes[0, 0].set_ylim(FLOOR, 1e2)
    axes[1, 0].set_ylim(FLOOR, 1e4)
    axes[0, 0].set_ylabel("std of h_l")
    axes[1, 0].set_ylabel("std of ∂L/∂h_l  (= 1 at layer 50)")
    for col in range(2):
        axes[0, col].legend(fontsize=7.5, loc="lower left")
    fig.suptitle(f"{DEPTH} layers of width {WIDTH}, input x ~ N(0, 1), no normalisation, at initialisation",
                 fontsize=10)
    fig.tight_layout()
    return fig


@figure("initialization-isometry")
def isometry(style):
    """Singular values of the input-output Jacobian of a 50-layer linear net: Gaussian vs orthogonal."""
    fig, ax = plt.subplots(figsize=(7.2, 3.4))
    for scheme, label, color, ls in [("xavier", "Gaussian, Var = 1/n (Xavier)", style.third, "-"),
                                     ("orthogonal", "orthogonal", style.accent, "--")]:
        sv = jacobian_singular_values(scheme, depth=DEPTH, width=128, seed=0)
        ax.plot(np.arange(1, len(sv) + 1), np.maximum(sv, 1e-13), color=color, ls=ls, lw=1.8, label=label)
    ax.axhspan(1e-17, 1e-12, color=style.off, alpha=0.35, lw=0)
    ax.text(64, 3e-15, "below 1e-12: float64 round-off, values not reliable", ha="center", fontsize=8,
            color=style.muted)
    ax.set_ylim(1e-15, 1e2)
    ax.set_yscale("log")
    ax.set_xlabel("index of singular value (largest first)")
    ax.set_ylabel("singular value of W₅₀ ⋯ W₁")
    ax.set_title(f"Linear network, {DEPTH} layers of width 128: product of the weight matrices", fontsize=10)
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=8.5, loc="upper right")
    fig.tight_layout()
    return fig
