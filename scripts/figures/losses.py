"""Figures for the classification-losses page."""
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.losses import class_balanced_weights, focal_loss, softmax, surrogate_loss
from scripts.figures import figure


@figure("losses-surrogates")
def surrogates(style):
    """0-1 loss and its convex surrogates as functions of the margin y f(x)."""
    m = np.linspace(-2, 3, 501)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    names = {"zero_one": "0-1: [m ≤ 0]", "hinge": "hinge: max(0, 1 − m)  (SVM)",
             "logistic": "logistic: log₂(1 + e^−m)", "exponential": "exponential: e^−m  (AdaBoost)",
             "squared": "squared: (1 − m)²"}
    colors = [style.fg, style.accent, style.second, style.third, style.muted]
    for (kind, name), color in zip(names.items(), colors):
        ls = "--" if kind == "squared" else "-"
        lw = 2.4 if kind == "zero_one" else 1.6
        ax.plot(m, surrogate_loss(m, kind), color=color, lw=lw, ls=ls, label=name)
    ax.set_ylim(0, 4)
    ax.set_xlabel("margin m = y·f(x)   (m > 0: correct side)")
    ax.set_ylabel("loss")
    ax.axvline(0, color=style.grid, lw=1)
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=8)
    ax.set_title("All surrogates bound the 0-1 loss; squared loss also punishes m > 1", fontsize=10)
    fig.tight_layout()
    return fig


@figure("losses-focal")
def focal(style):
    """Focal loss vs p_t for several gamma; class-balanced weights vs class size."""
    pt = np.linspace(0.01, 1.0, 300)
    z = np.log(pt / (1 - pt + 1e-12) + 1e-300)      # logit of a positive with p = pt
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    ax = axes[0]
    for gamma, color in zip((0, 0.5, 1, 2, 5), [style.fg, style.muted, style.third, style.accent, style.second]):
        loss = [focal_loss([zz], [1.0], alpha=1.0, gamma=gamma) for zz in z]
        ax.plot(pt, loss, color=color, lw=2.2 if gamma == 2 else 1.4, label=f"γ = {gamma}" + ("  (CE)" if gamma == 0 else ""))
    ax.set_ylim(0, 4)
    ax.set_xlabel("probability of the true class p_t")
    ax.set_ylabel("loss (α = 1)")
    ax.set_title("Focal loss: easy examples (p_t > 0.6) fade", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, lw=0.5)
    ax = axes[1]
    counts = np.unique(np.round(np.logspace(0, 4, 60)).astype(int))
    for beta, color in zip((0.9, 0.99, 0.999, 0.9999), [style.muted, style.third, style.accent, style.second]):
        w = class_balanced_weights(counts, beta)
        ax.plot(counts, w / w[0], color=color, label=f"β = {beta}")
    ax.plot(counts, 1 / counts, color=style.fg, ls="--", lw=1, label="1 / n (inverse frequency)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("samples in the class, n")
    ax.set_ylabel("weight relative to n = 1")
    ax.set_title("Class-balanced weights (Cui et al. 2019)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, lw=0.5)
    fig.tight_layout()
    return fig


@figure("losses-temperature")
def temperature(style):
    """A teacher's softmax at temperatures 1, 4, 10: dark knowledge appears."""
    logits = np.array([9.0, 5.5, 4.5, 2.0, 1.0, 0.5, 0.0, -1.0, -2.0, -3.0])
    classes = ["cat", "dog", "fox", "car", "cup", "bus", "hat", "map", "pen", "key"]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    width = 0.27
    for i, (T, color) in enumerate(zip((1, 4, 10), (style.fg, style.accent, style.second))):
        ax.bar(np.arange(10) + (i - 1) * width, softmax(logits / T), width, color=color, label=f"T = {T}")
    ax.set_xticks(np.arange(10), classes)
    ax.set_ylabel("softmax(z / T)")
    ax.set_title("Higher temperature reveals which wrong classes the teacher finds similar", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", lw=0.5)
    fig.tight_layout()
    return fig
