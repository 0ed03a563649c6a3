"""Figures for the page on softmax with many classes and CE vs MSE."""
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np

from dlnotes.softmax import (logistic_unit_loss, logit_gradient, many_class_data,
                             softmax_logit_gradient, train_linear_softmax, train_logistic_unit)
from scripts.figures import figure

SEED = 0


def landscape_data(seed=SEED):
    """1-D inputs, label 1 when x > 0, 10 % of labels flipped (so the CE minimum is finite)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=200)
    y = (x > 0).astype(float)
    flip = rng.random(200) < 0.1
    y[flip] = 1 - y[flip]
    return x, y


@figure("softmax-ce-mse-gradient")
def gradient_vs_probability(style):
    """|dL/dz| against the predicted probability of the true class."""
    p = np.linspace(0.001, 0.999, 400)
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    ax = axes[0]
    ax.plot(p, np.abs(logit_gradient(p, 1.0, "ce")), color=style.accent, label="sigmoid + CE: 1 − p")
    ax.plot(p, np.abs(logit_gradient(p, 1.0, "mse")), color=style.second,
            label="sigmoid + MSE: (1 − p)·p(1 − p)")
    ax.set_title("one sigmoid unit, target y = 1", fontsize=10)
    ax = axes[1]
    C = 10
    zs = np.linspace(-12, 12, 400)
    probs, ce, mse = [], [], []
    for z in zs:
        logits = np.zeros(C)
        logits[0] = z
        probs.append(np.exp(z) / (np.exp(z) + C - 1))
        ce.append(np.linalg.norm(softmax_logit_gradient(logits, 0, "ce")))
        mse.append(np.linalg.norm(softmax_logit_gradient(logits, 0, "mse")))
    ax.plot(probs, ce, color=style.accent, label="softmax + CE")
    ax.plot(probs, mse, color=style.second, label="softmax + MSE")
    ax.set_title(f"softmax over {C} classes, true class 0", fontsize=10)
    for ax in axes:
        ax.axvspan(0, 0.1, color=style.off, alpha=0.35, lw=0)
        ax.text(0.015, 0.3, "confidently\nwrong", fontsize=8, color=style.muted, va="bottom")
        ax.set_xlabel("predicted probability of the true class")
        ax.set_xlim(0, 1)
        ax.grid(True, lw=0.5)
        ax.legend(fontsize=8, loc="upper right")
    axes[0].set_ylabel("|∂ loss / ∂ logit|  (norm)")
    fig.tight_layout()
    return fig


@figure("softmax-logistic-landscape")
def logistic_landscape(style):
    """Loss of a single logistic unit vs its weight, and gradient descent from a bad start."""
    x, y = landscape_data()
    w = np.linspace(-12, 12, 481)
    ce, mse = logistic_unit_loss(w, x, y, "ce"), logistic_unit_loss(w, x, y, "mse")
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    ax = axes[0]
    ax.plot(w, ce, color=style.accent, label="cross-entropy: convex")
    ax.plot(w, mse, color=style.second, label="MSE: not convex, flat for w ≪ 0")
    ax.set_xlabel("weight w of p = σ(w x)")
    ax.set_ylabel("mean loss")
    ax.set_title("1-D loss landscape, 200 points, 10 % label noise", fontsize=10)
    ax.set_ylim(0, 3)
    ax.legend(fontsize=8, loc="upper right", bbox_to_anchor=(1.0, 0.6))
    ax.grid(True, lw=0.5)
    ax = axes[1]
    for loss, color, name in (("ce", style.accent, "cross-entropy"), ("mse", style.second, "MSE")):
        path = train_logistic_unit(x, y, w0=-8.0, loss=loss, lr=1.0, steps=300)
        ax.plot(path, color=color, label=name)
    ax.axhline(w[np.argmin(ce)], color=style.muted, lw=1, ls="--", label="CE minimum")
    ax.set_xlabel("gradient-descent step (lr = 1, start w = −8)")
    ax.set_ylabel("w")
    ax.set_title("MSE crawls off the plateau, CE does not stall", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, lw=0.5)
    fig.tight_layout()
    return fig


EXPERIMENT = dict(num_classes=2000, dim=32, per_class=5, test_per_class=2, noise=1.0, seed=SEED)
RUNS = [("full", 0), ("sampled", 32), ("sampled", 128), ("sampled", 512)]


@lru_cache(maxsize=2)          # both colour schemes reuse one run
def run_experiment(epochs=6):
    X, y, Xt, yt = many_class_data(**EXPERIMENT)
    return {(m, s): train_linear_softmax(X, y, Xt, yt, EXPERIMENT["num_classes"], method=m,
                                         num_sampled=max(s, 1), epochs=epochs, batch=100, lr=1.0, seed=SEED)
            for m, s in RUNS}


@figure("softmax-full-vs-sampled")
def full_vs_sampled(style):
    """Test accuracy per epoch and per output-layer multiply-add, full vs sampled softmax."""
    runs = run_experiment()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True)
    colors = [style.fg, style.accent, style.second, style.third]
    for ((m, s), r), color in zip(runs.items(), colors):
        label = "full softmax (2000 classes)" if m == "full" else f"sampled, {s} negatives"
        epochs = np.arange(1, len(r["acc_history"]) + 1)
        axes[0].plot(epochs, r["acc_history"], marker="o", ms=3, color=color, label=label)
        axes[1].plot(np.array(r["macs_history"]) / 1e6, r["acc_history"], marker="o", ms=3, color=color)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("test accuracy (argmax over all classes)")
    axes[1].set_xlabel("output-layer multiply-adds, millions (log)")
    axes[1].set_xscale("log")
    axes[0].legend(fontsize=8, loc="lower right")
    for ax in axes:
        ax.grid(True, lw=0.5)
    fig.suptitle("Linear classifier, 2000 classes, 5 training samples per class", fontsize=10)
    fig.tight_layout()
    return fig
