"""Figures for the Optimizers page."""
import functools
import math

import matplotlib.pyplot as plt
import numpy as np

from dlnotes.optimizers import (cosine_lr, decay_under_noise, one_cycle_lr, quadratic, rosenbrock,
                                rosenbrock_grad, run, step_lr)
from scripts.figures import figure

# (label, method, lr, extra hyper-parameters); the same settings in both quadratic panels
QUAD_RUNS = [
    ("GD, lr 0.09", "sgd", 0.09, {}),
    ("momentum 0.9, lr 0.02", "momentum", 0.02, {}),
    ("Nesterov 0.9, lr 0.02", "nesterov", 0.02, {}),
    ("RMSProp, lr 0.1", "rmsprop", 0.1, {"alpha": 0.9}),
    ("Adam, lr 0.3", "adam", 0.3, {}),
]
QUAD_START = np.array([-4.0, 2.0])
QUAD_STEPS = 60

ROSEN_RUNS = [
    ("GD, lr 1e-3", "sgd", 1e-3, {}),
    ("momentum 0.9, lr 1e-3", "momentum", 1e-3, {}),
    ("Nesterov 0.9, lr 1e-3", "nesterov", 1e-3, {}),
    ("AdaGrad, lr 0.5", "adagrad", 0.5, {}),
    ("RMSProp, lr 1e-2", "rmsprop", 1e-2, {}),
    ("Adam, lr 5e-2", "adam", 5e-2, {}),
]
ROSEN_START = np.array([-1.2, 1.0])
ROSEN_STEPS = 3000


def _looks(style):
    """Colour, line style and marker per method: momentum family blue, adaptive family red."""
    return {
        "sgd": (style.fg, "-", "o"),
        "momentum": (style.accent, "-", "s"),
        "nesterov": (style.accent, "--", "^"),
        "adagrad": (style.third, ":", "D"),
        "rmsprop": (style.third, "-", "v"),
        "adam": (style.second, "-", "*"),
        "adamw": (style.second, "--", "x"),
    }


@figure("optimizers-quadratic")
def quadratic_paths(style):
    """60 steps on an ill-conditioned quadratic, axis-aligned and rotated by 45 degrees."""
    looks = _looks(style)
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.9), sharey=True)
    for ax, angle, title in [(axes[0], 0.0, "axis-aligned: f = (x² + 20 y²) / 2"),
                             (axes[1], math.pi / 4, "same bowl rotated by 45°")]:
        f, grad, _ = quadratic(20.0, angle)
        xs, ys = np.meshgrid(np.linspace(-4.6, 4.6, 200), np.linspace(-2.6, 2.6, 200))
        zs = np.vectorize(lambda a, b: f(np.array([a, b])))(xs, ys)
        ax.contour(xs, ys, zs, levels=np.geomspace(0.05, 80, 12), colors=style.grid, linewidths=0.7)
        for label, method, lr, hp in QUAD_RUNS:
            path = run(method, grad, QUAD_START, lr, QUAD_STEPS, **hp)
            color, ls, marker = looks[method]
            ax.plot(path[:, 0], path[:, 1], color=color, ls=ls, lw=1.3, marker=marker, ms=3,
                    markevery=6, label=label)
        ax.scatter([0], [0], marker="+", s=80, color=style.fg, zorder=5)
        ax.scatter(*QUAD_START, s=25, color=style.muted, zorder=5)
        ax.set_title(title, fontsize=10)
        ax.set_xlim(-4.6, 4.6)
        ax.set_ylim(-2.6, 2.6)
        ax.set_aspect("equal")
        ax.set_xlabel("x")
    axes[0].set_ylabel("y")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)
    fig.suptitle(f"{QUAD_STEPS} steps from ({QUAD_START[0]:.0f}, {QUAD_START[1]:.0f}), condition number 20",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.13, 1, 1))
    return fig


@functools.lru_cache(maxsize=None)      # both colour schemes
def rosenbrock_run(method, lr, hp):
    path = run(method, rosenbrock_grad, ROSEN_START, lr, ROSEN_STEPS, **dict(hp))
    return path, np.array([rosenbrock(p) for p in path])


@figure("optimizers-rosenbrock")
def rosenbrock_paths(style):
    """Paths on the Rosenbrock valley and the loss per step."""
    looks = _looks(style)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.7), gridspec_kw={"width_ratios": [1.1, 1]})
    xs, ys = np.meshgrid(np.linspace(-1.6, 1.6, 240), np.linspace(-0.6, 2.2, 240))
    zs = (1 - xs) ** 2 + 100 * (ys - xs**2) ** 2
    ax.contour(xs, ys, zs, levels=np.geomspace(0.02, 600, 14), colors=style.grid, linewidths=0.7)
    for label, method, lr, hp in ROSEN_RUNS:
        path, loss = rosenbrock_run(method, lr, tuple(sorted(hp.items())))
        color, ls, marker = looks[method]
        ax.plot(path[:, 0], path[:, 1], color=color, ls=ls, lw=1.2, label=label)
        ax2.plot(np.arange(len(loss)), np.maximum(loss, 1e-16), color=color, ls=ls, lw=1.3,
                 marker=marker, ms=4, markevery=300, label=label)
    ax.scatter([1], [1], marker="+", s=90, color=style.fg, zorder=5)
    ax.scatter(*ROSEN_START, s=25, color=style.muted, zorder=5)
    ax.set(xlim=(-1.6, 1.6), ylim=(-0.6, 2.2), xlabel="x", ylabel="y")
    ax.set_title("paths from (−1.2, 1) to the minimum (1, 1)", fontsize=10)
    ax2.set_yscale("log")
    ax2.set_ylim(1e-16, 1e2)
    ax2.set(xlabel="step", ylabel="f(x, y)")
    ax2.set_title(f"loss over {ROSEN_STEPS} steps", fontsize=10)
    ax2.grid(True, lw=0.5)
    ax2.legend(fontsize=7.5, loc="lower left")
    fig.tight_layout()
    return fig


@figure("optimizers-schedules")
def schedules(style):
    """Learning rate per step for the four common schedules."""
    T = 100
    t = np.arange(T)
    curves = [
        ("StepLR: × 0.1 every 30 steps", [step_lr(i, 0.1, 30) for i in t], "log"),
        ("cosine annealing to 0", [cosine_lr(i, 0.1, T) for i in t], "linear"),
        ("linear warm-up (10 steps) + cosine", [cosine_lr(i, 0.1, T, warmup=10) for i in t], "linear"),
        ("one-cycle (PyTorch defaults)", [one_cycle_lr(i, 0.1, T) for i in t], "log"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(8, 4.6), sharex=True)
    for ax, (title, lrs, scale), color in zip(axes.ravel(), curves, style.cycle):
        ax.plot(t, lrs, color=color, lw=1.8)
        ax.set_yscale(scale)
        ax.set_title(title, fontsize=10)
        ax.grid(True, lw=0.5)
    axes[1, 1].annotate("peak 0.1 at step 29\nstart 0.1/25, end 0.1/25/10⁴", xy=(29, 0.1), xytext=(45, 3e-4),
                        fontsize=8, color=style.fg, arrowprops=dict(arrowstyle="->", color=style.muted))
    for ax in axes[1]:
        ax.set_xlabel("step (of 100)")
    for ax in axes[:, 0]:
        ax.set_ylabel("learning rate")
    fig.tight_layout()
    return fig


@figure("optimizers-adamw-decay")
def adamw_decay(style):
    """Adam + L2 vs AdamW on a flat loss with gradient noise of three scales."""
    sigmas = [0.01, 1.0, 100.0]
    lr, wd, steps = 1e-3, 1.0, 3000
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.3), sharey=True)
    t = np.arange(steps + 1)
    for ax, method, title in [(axes[0], "adam", "Adam with an L2 penalty (weight_decay in Adam)"),
                              (axes[1], "adamw", "AdamW (decoupled weight decay)")]:
        path = decay_under_noise(method, sigmas, steps=steps, lr=lr, weight_decay=wd)
        for i, (s, color) in enumerate(zip(sigmas, [style.third, style.accent, style.second])):
            ax.plot(t, path[:, i], color=color, lw=1.4, label=f"gradient noise σ = {s:g}")
        ax.plot(t, (1 - lr * wd) ** t, color=style.fg, ls="--", lw=1, label="(1 − lr·λ)ᵗ")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("step")
        ax.grid(True, lw=0.5)
    axes[0].set_ylabel("weight θ (starts at 1)")
    axes[1].legend(fontsize=8, loc="upper right")
    fig.suptitle(f"Flat loss, noisy gradients, lr = {lr:g}, λ = {wd:g}: only the regulariser pulls θ to 0",
                 fontsize=10)
    fig.tight_layout()
    return fig
