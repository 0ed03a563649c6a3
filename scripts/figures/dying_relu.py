"""Figures for the Dying ReLU page."""
import functools

import matplotlib.pyplot as plt
import numpy as np

from dlnotes.dying_relu import lr_sweep, off_units, toy_regression
from dlnotes.mlp import activation, make_mlp, train
from scripts.figures import figure

LRS = [0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045]


@functools.lru_cache(maxsize=None)      # both colour schemes share the sweeps
def sweeps():
    return lr_sweep(LRS, "relu"), lr_sweep(LRS, "leaky_relu", slope=0.01)


@figure("dying-relu-vs-lr")
def dead_vs_lr(style):
    """Fraction of hidden units off on every input after training, vs learning rate."""
    relu, leaky = sweeps()
    fig, ax = plt.subplots(figsize=(6.8, 3.6))
    for res, key, label, color, ls, marker in [
            (relu, "dead", "ReLU: dead (zero gradient on every input)", style.second, "-", "o"),
            (leaky, "off", "Leaky ReLU: negative on every input", style.accent, "--", "s"),
            (leaky, "dead", "Leaky ReLU: dead (zero gradient)", style.third, ":", "^")]:
        mean = np.nanmean(res[key], axis=1)
        ax.plot(LRS, mean, color=color, ls=ls, marker=marker, ms=4, label=label)
        ax.fill_between(LRS, np.nanmin(res[key], axis=1), np.nanmax(res[key], axis=1), color=color, alpha=0.15, lw=0)
    ax.set_xlabel("learning rate (plain SGD, 300 steps, batch 32)")
    ax.set_ylabel("fraction of the 64 hidden units")
    ax.set_ylim(-0.03, 1)
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("1-hidden-layer MLP fitting sin(3x): line = mean of 5 seeds, band = min to max", fontsize=9)
    fig.tight_layout()
    return fig


@figure("dying-relu-activations")
def activations(style):
    """The activation functions and their derivatives."""
    z = np.linspace(-4, 4, 401)
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for (kind, label, color, ls) in [("sigmoid", "sigmoid", style.muted, "-"),
                                     ("tanh", "tanh", style.third, "-"),
                                     ("relu", "ReLU", style.second, "-"),
                                     ("leaky_relu", "Leaky ReLU (slope 0.1)", style.accent, "--"),
                                     ("gelu", "GELU", style.fg, ":")]:
        value, deriv = activation(z, kind, slope=0.1)
        axes[0].plot(z, value, color=color, ls=ls, lw=1.8, label=label)
        axes[1].plot(z, deriv, color=color, ls=ls, lw=1.8, label=label)
    axes[0].set_ylim(-1.5, 4)
    axes[0].set_title("f(z)", fontsize=10)
    axes[1].set_title("f'(z): ReLU's is exactly 0 for every z < 0", fontsize=10)
    axes[1].axhline(0.25, color=style.muted, lw=0.8, ls=":")
    axes[1].annotate("sigmoid' ≤ 1/4", (2.0, 0.27), fontsize=8, color=style.muted)
    for ax in axes:
        ax.set_xlabel("pre-activation z")
        ax.grid(True, lw=0.5)
        ax.axvline(0, color=style.grid, lw=0.8)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


@figure("dying-relu-units")
def units_after_training(style):
    """Every hidden unit's output h(x) after training with a small and a large learning rate."""
    X, y = toy_regression()
    grid = np.linspace(-5, 5, 401)[:, None]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True)
    for ax, lr in zip(axes, (0.01, 0.045)):
        model = make_mlp(1, 64, 1, 1, seed=0)
        train(model, X, y, loss="mse", lr=lr, steps=300, batch_size=32, seed=0)
        dead = off_units(model, X)[0]
        W, b = model.layers[0].params["W"][0], model.layers[0].params["b"]
        h = np.maximum(grid * W + b, 0)
        ax.axvspan(X.min(), X.max(), color=style.grid, alpha=0.5, lw=0, zorder=0,
                   label="range of the training inputs" if ax is axes[0] else None)
        for j in np.argsort(dead):                    # live units first, dead ones on top
            ax.plot(grid[:, 0], h[:, j], color=style.second if dead[j] else style.accent,
                    lw=1.4 if dead[j] else 0.8, alpha=0.9 if dead[j] else 0.5)
        ax.set_title(f"lr = {lr}: {dead.sum()} of {dead.size} units dead", fontsize=10)
        ax.set_xlabel("input x")
        ax.set_ylim(0, 6)
    axes[0].plot([], [], color=style.accent, label="alive unit")
    axes[0].plot([], [], color=style.second, lw=1.4, label="dead unit: 0 on every training input")
    fig.legend(fontsize=8, loc="upper center", ncol=3)
    axes[0].set_ylabel("unit output max(0, w x + b)")
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    return fig
