"""Figures for the Regularization page.

Every computation runs with one BLAS thread: the matrices are tiny, and on a loaded
machine extra BLAS threads only fight for the cores (a 7x slow-down measured).
"""
import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, Polygon
from threadpoolctl import threadpool_limits

from dlnotes.regularization import (digits_split, double_descent, gd_filter, gd_least_squares, lasso_cd,
                                    lasso_lambda_max, mlp_curves, poly_data, poly_errors, poly_features,
                                    poly_learning_curve, ridge, ridge_filter, soft_threshold)
from scripts.figures import figure

# ---- settings shared with the tests (every number on the page is recomputed from these)
POLY_N, POLY_NOISE, POLY_SEED = 20, 0.3, 0
POLY_DEGREES = list(range(16))
POLY_SHOWN = (1, 3, 15)
LC_SIZES = [12, 15, 20, 30, 50, 100, 200, 500]
LC_DEGREES = (1, 9)

GEOM_X = np.array([[2.0, 0.6], [0.6, 1.0], [1.0, -0.4]])     # three samples, two features
GEOM_Y = GEOM_X @ np.array([1.2, 0.4])                      # least squares at (1.2, 0.4)
GEOM_LAM = 0.4                                               # the lasso's lam; ridge gets the same L2 norm

ES_LR, ES_STEPS = 0.5, 40

MLP_NOISE, MLP_N, MLP_STEPS, MLP_LR, MLP_EVERY = 0.3, 200, 1000, 0.3, 20
MLP_DECAYS = (0.0, 1e-2, 3e-2)

DD_PS = [2, 5, 10, 15, 20, 25, 30, 34, 37, 39, 40, 41, 43, 46, 50, 60, 80, 100, 150, 200, 300, 500, 1000]
DD_N, DD_NOISES, DD_LAM = 40, (0.0, 0.2), 1e-2


@functools.lru_cache(maxsize=None)
def poly_results():
    return poly_errors(POLY_DEGREES, POLY_N, POLY_NOISE, POLY_SEED)


@functools.lru_cache(maxsize=None)
def learning_curves():
    return {d: poly_learning_curve(d, LC_SIZES, POLY_NOISE) for d in LC_DEGREES}


@functools.lru_cache(maxsize=None)
@threadpool_limits.wrap(limits=1)
def mlp_results():
    """(label noise, weight decay) -> history dict."""
    out = {}
    for noise in (0.0, MLP_NOISE):
        split = digits_split(MLP_N, noise)
        for wd in (MLP_DECAYS if noise else (0.0,)):
            out[noise, wd] = mlp_curves(*split, lr=MLP_LR, steps=MLP_STEPS, weight_decay=wd, every=MLP_EVERY)
    return out


@functools.lru_cache(maxsize=None)
@threadpool_limits.wrap(limits=1)
def dd_results():
    curves = {noise: double_descent(DD_PS, DD_N, noise) for noise in DD_NOISES}
    curves["ridge"] = double_descent(DD_PS, DD_N, DD_NOISES[-1], lam=DD_LAM)
    return curves


def geometry_solutions():
    """Lasso at GEOM_LAM, ridge with the same L2 norm as least squares' shrunk by the same share."""
    w_ls = np.linalg.lstsq(GEOM_X, GEOM_Y, rcond=None)[0]
    w_lasso = lasso_cd(GEOM_X, GEOM_Y, GEOM_LAM)
    # ridge penalty chosen so that its L2 radius equals the lasso's L1 radius (same "budget" t)
    lams = np.geomspace(1e-4, 1e3, 4000)
    norms = np.array([np.linalg.norm(ridge(GEOM_X, GEOM_Y, lam)) for lam in lams])
    t = np.abs(w_lasso).sum()
    w_ridge = ridge(GEOM_X, GEOM_Y, lams[np.argmin(np.abs(norms - t))])
    return w_ls, w_lasso, w_ridge, t


@figure("regularization-poly")
@threadpool_limits.wrap(limits=1)
def poly(style):
    """Fits of three degrees and train/test error against the degree."""
    x, y = poly_data(POLY_N, POLY_NOISE, POLY_SEED)
    grid = np.linspace(-1, 1, 400)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.5))
    ax.scatter(x, y, s=18, color=style.fg, zorder=5, label=f"{POLY_N} noisy samples")
    ax.plot(grid, np.sin(np.pi * grid), color=style.muted, ls=":", lw=1.2, label="true sin(πx)")
    for d, color, ls in zip(POLY_SHOWN, [style.third, style.accent, style.second], ["--", "-", "-"]):
        w = np.linalg.lstsq(poly_features(x, d), y, rcond=None)[0]
        ax.plot(grid, poly_features(grid, d) @ w, color=color, ls=ls, lw=1.5, label=f"degree {d}")
    ax.set(ylim=(-2, 2), xlabel="x", ylabel="y")
    ax.set_title("under-fit (1), about right (3), over-fit (15)", fontsize=10)
    ax.legend(fontsize=7.5, loc="lower right")
    train, test = poly_results()
    ax2.plot(POLY_DEGREES, train, color=style.accent, marker="o", ms=3.5, lw=1.5, label="train MSE")
    ax2.plot(POLY_DEGREES, test, color=style.second, marker="s", ms=3.5, lw=1.5, label="test MSE")
    ax2.axhline(POLY_NOISE**2, color=style.muted, ls=":", lw=1, label=f"noise variance {POLY_NOISE**2:.2f}")
    best = POLY_DEGREES[int(np.argmin(test))]
    ax2.axvline(best, color=style.grid, lw=1)
    ax2.set_yscale("log")
    ax2.set_xticks(POLY_DEGREES[::3])
    ax2.set(xlabel="polynomial degree", ylabel="mean squared error")
    ax2.set_title(f"test error is lowest at degree {best}", fontsize=10)
    ax2.grid(True, lw=0.5)
    ax2.legend(fontsize=7.5, loc="upper left")
    fig.tight_layout()
    return fig


@figure("regularization-learning-curves")
@threadpool_limits.wrap(limits=1)
def learning_curve_fig(style):
    """Train/test error against the training-set size for a biased and a high-variance model."""
    curves = learning_curves()
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.3), sharey=True)
    titles = {1: "degree 1: high bias (under-fit)", 9: "degree 9: high variance (over-fit when n is small)"}
    for ax, d in zip(axes, LC_DEGREES):
        train, test = curves[d]
        ax.plot(LC_SIZES, train, color=style.accent, marker="o", ms=3.5, lw=1.5, label="train MSE")
        ax.plot(LC_SIZES, test, color=style.second, marker="s", ms=3.5, lw=1.5, label="test MSE")
        ax.axhline(POLY_NOISE**2, color=style.muted, ls=":", lw=1, label="noise variance")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(1e-2, 10)
        ax.set_xlabel("training-set size n")
        ax.set_title(titles[d], fontsize=10)
        ax.grid(True, lw=0.5)
    axes[0].set_ylabel("median MSE over 50 draws")
    axes[0].legend(fontsize=7.5, loc="upper right")
    fig.tight_layout()
    return fig


@figure("regularization-l1-l2")
@threadpool_limits.wrap(limits=1)
def l1_l2(style):
    """The diamond and the circle touching the loss contours, and the two shrinkage maps."""
    w_ls, w_lasso, w_ridge, t = geometry_solutions()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.9), gridspec_kw={"width_ratios": [1.15, 1]})
    g = np.linspace(-1.6, 2.2, 300)
    W1, W2 = np.meshgrid(g, g)
    R = GEOM_Y[:, None, None] - GEOM_X[:, 0, None, None] * W1 - GEOM_X[:, 1, None, None] * W2
    loss = (R**2).sum(axis=0)
    level = lambda w: float(((GEOM_Y - GEOM_X @ w) ** 2).sum())
    ax.contour(W1, W2, loss, levels=sorted({level(w_lasso), level(w_ridge)} | set(np.linspace(0.2, 9, 6))),
               colors=style.grid, linewidths=0.8)
    ax.contour(W1, W2, loss, levels=[level(w_lasso)], colors=style.second, linewidths=1.1, linestyles="--")
    ax.contour(W1, W2, loss, levels=[level(w_ridge)], colors=style.accent, linewidths=1.1, linestyles="--")
    ax.add_patch(Polygon([[t, 0], [0, t], [-t, 0], [0, -t]], closed=True, fill=False, ec=style.second, lw=1.8))
    ax.add_patch(Circle((0, 0), t, fill=False, ec=style.accent, lw=1.8))
    ax.scatter(*w_ls, color=style.fg, s=30, zorder=5)
    ax.annotate("least squares", w_ls, xytext=(6, 4), textcoords="offset points", fontsize=8, color=style.fg)
    ax.scatter(*w_lasso, color=style.second, s=40, marker="D", zorder=6,
               label=f"L1 (lasso): w = ({w_lasso[0]:.2f}, {w_lasso[1]:.2f})")
    ax.scatter(*w_ridge, color=style.accent, s=40, marker="o", zorder=6,
               label=f"L2 (ridge): w = ({w_ridge[0]:.2f}, {w_ridge[1]:.2f})")
    ax.axhline(0, color=style.muted, lw=0.6)
    ax.axvline(0, color=style.muted, lw=0.6)
    ax.set(xlim=(-1.6, 2.2), ylim=(-1.6, 2.2), xlabel="w₁", ylabel="w₂")
    ax.set_aspect("equal")
    ax.set_title(f"same budget t = {t:.2f}: ‖w‖₁ ≤ t vs ‖w‖₂ ≤ t", fontsize=10)
    ax.legend(fontsize=7.5, loc="lower left")
    z = np.linspace(-3, 3, 601)
    ax2.plot(z, z, color=style.muted, ls=":", lw=1, label="no penalty: w = z")
    ax2.plot(z, soft_threshold(z, 1.0), color=style.second, lw=2, label="L1: soft-threshold S(z, 1)")
    ax2.plot(z, z / (1 + 1.0), color=style.accent, lw=2, ls="--", label="L2: z / (1 + 1)")
    ax2.axvspan(-1, 1, color=style.grid, alpha=0.5, lw=0)
    ax2.text(0, 2.3, "|z| ≤ λ → exactly 0", ha="center", fontsize=8, color=style.fg)
    ax2.set(xlabel="least-squares coefficient z (orthonormal design)", ylabel="penalised coefficient w")
    ax2.set_title("per-coordinate shrinkage, λ = 1", fontsize=10)
    ax2.grid(True, lw=0.5)
    ax2.legend(fontsize=7.5, loc="lower right")
    fig.tight_layout()
    return fig


def diabetes():
    from sklearn.datasets import load_diabetes
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y - y.mean()


@functools.lru_cache(maxsize=None)
@threadpool_limits.wrap(limits=1)
def lasso_path():
    X, y = diabetes()
    lam_max = lasso_lambda_max(X, y)
    lams = lam_max * np.geomspace(1, 1e-3, 40)
    w, path = np.zeros(X.shape[1]), []
    for lam in lams:
        w = lasso_cd(X, y, lam, tol=1e-8, w0=w)                  # warm start along the path
        path.append(w)
    return lams, np.array(path), lam_max


@figure("regularization-paths")
@threadpool_limits.wrap(limits=1)
def paths(style):
    """Lasso and ridge coefficient paths on scikit-learn's diabetes data."""
    X, y = diabetes()
    lams, lasso_w, lam_max = lasso_path()
    ridge_lams = np.geomspace(1e5, 1e-2, 60)
    ridge_w = np.array([ridge(X, y, lam) for lam in ridge_lams])
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.4), sharey=True)
    colors = [style.accent, style.second, style.third, style.fg, style.muted]
    for j in range(X.shape[1]):
        c, ls = colors[j % 5], ["-", "--"][j // 5]
        ax.plot(lams, lasso_w[:, j], color=c, ls=ls, lw=1.3)
        ax2.plot(ridge_lams, ridge_w[:, j], color=c, ls=ls, lw=1.3)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set(xlabel="lasso λ (sklearn alpha), decreasing →", ylabel="coefficient (standardised features)")
    ax.set_title(f"lasso: all 0 for λ ≥ λ_max = {lam_max:.1f}, then enter one by one", fontsize=9)
    ax2.set_xscale("log")
    ax2.invert_xaxis()
    ax2.set_xlabel("ridge λ (sklearn alpha), decreasing →")
    ax2.set_title("ridge: all 10 shrink smoothly, none is exactly 0", fontsize=9)
    for a in (ax, ax2):
        a.axhline(0, color=style.muted, lw=0.6)
        a.grid(True, lw=0.5)
    fig.tight_layout()
    return fig


def es_problem():
    """A 2-feature least-squares problem with very different curvatures (eigenvalues 1.0 and 0.05)."""
    rng = np.random.default_rng(3)
    n = 50
    Z = rng.standard_normal((n, 2))
    Z = np.linalg.qr(Z)[0] * np.sqrt(n)                   # orthonormal columns scaled: Z^T Z / n = I
    c, s = np.cos(0.5), np.sin(0.5)
    X = Z @ np.diag(np.sqrt([1.0, 0.05])) @ np.array([[c, -s], [s, c]])
    y = X @ np.array([1.5, 2.0]) + 0.3 * rng.standard_normal(n)
    return X, y


@figure("regularization-early-stopping")
@threadpool_limits.wrap(limits=1)
def early_stopping(style):
    """GD's path from 0 vs the ridge path, and the spectral filters of both."""
    X, y = es_problem()
    n = len(y)
    path = gd_least_squares(X, y, ES_LR, 2000)
    lams = np.geomspace(1e3, 1e-4, 200)                    # penalty lam/2 ||w||^2 on the 1/(2n) loss
    rpath = np.array([ridge(X, y, n * lam) for lam in lams])
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.6))
    ax.plot(rpath[:, 0], rpath[:, 1], color=style.accent, lw=2.2, label="ridge path, λ from ∞ to 0")
    ax.plot(path[:, 0], path[:, 1], color=style.second, lw=1.2, ls="--", marker="o", ms=2.5,
            markevery=[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], label="GD from 0 (marks at t = 1, 2, 5, 10, …)")
    ax.scatter(*path[-1], color=style.fg, s=30, zorder=5)
    ax.annotate("least squares", path[-1], xytext=(-75, -4), textcoords="offset points", fontsize=8, color=style.fg)
    ax.scatter([0], [0], color=style.muted, s=20)
    ax.set(xlabel="w₁", ylabel="w₂")
    ax.set_title("GD traces (almost) the ridge path", fontsize=10)
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=7.5, loc="upper left")
    s = np.geomspace(1e-4, 1, 300)
    for t, color in zip((10, ES_STEPS, 400), (style.third, style.second, style.accent)):
        ax2.plot(s, gd_filter(s, ES_LR, t), color=color, lw=1.6, label=f"GD, t = {t}")
        ax2.plot(s, ridge_filter(s, 1 / (ES_LR * t)), color=color, lw=1.2, ls=":",
                 label=f"ridge, λ = 1/(ηt) = {1 / (ES_LR * t):.3g}")
    ax2.set_xscale("log")
    ax2.set(xlabel="eigenvalue s of XᵀX / n", ylabel="share of the LS coefficient fitted")
    ax2.set_title(f"filters: 1 − (1 − ηs)ᵗ vs s / (s + λ), η = {ES_LR}", fontsize=10)
    ax2.grid(True, lw=0.5)
    ax2.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


@figure("regularization-mlp")
@threadpool_limits.wrap(limits=1)
def mlp(style):
    """Learning curves of an MLP on 200 digits, with clean and 30 % flipped labels."""
    res = mlp_results()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.5))
    for noise, color in ((0.0, style.accent), (MLP_NOISE, style.second)):
        h = res[noise, 0.0]
        tag = "clean labels" if noise == 0 else f"{MLP_NOISE:.0%} labels flipped"
        ax.plot(h["step"], h["train_loss"], color=color, lw=1.3, ls="--", label=f"train, {tag}")
        ax.plot(h["step"], h["val_loss"], color=color, lw=1.8, label=f"validation, {tag}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="full-batch GD step", ylabel="cross-entropy")
    ax.set_title("no regulariser: train loss → 0, validation loss turns up", fontsize=9.5)
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=7, loc="lower left")
    for wd, color in zip(MLP_DECAYS, (style.second, style.third, style.accent)):
        h = res[MLP_NOISE, wd]
        ax2.plot(h["step"], h["val_acc"], color=color, lw=1.5, label=f"weight decay {wd:g}")
    h = res[MLP_NOISE, 0.0]
    i = int(np.argmax(h["val_acc"]))
    ax2.scatter(h["step"][i], h["val_acc"][i], color=style.fg, s=30, zorder=5)
    ax2.annotate(f"early stop: {h['val_acc'][i]:.3f} at step {h['step'][i]}", (h["step"][i], h["val_acc"][i]),
                 xytext=(10, -28), textcoords="offset points", fontsize=8, color=style.fg,
                 arrowprops=dict(arrowstyle="->", color=style.muted))
    ax2.set_xscale("log")
    ax2.set(xlabel="full-batch GD step", ylabel="validation accuracy")
    ax2.set_title(f"{MLP_NOISE:.0%} flipped labels: stop early or decay", fontsize=9.5)
    ax2.grid(True, lw=0.5)
    ax2.legend(fontsize=7.5, loc="lower right")
    fig.tight_layout()
    return fig


@figure("regularization-double-descent")
@threadpool_limits.wrap(limits=1)
def dd(style):
    """Test error of min-norm regression on p random ReLU features, n = 40."""
    curves = dd_results()
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    ax.plot(DD_PS, curves[0.0], color=style.accent, marker="o", ms=3, lw=1.5, label="min-norm, clean labels")
    ax.plot(DD_PS, curves[DD_NOISES[-1]], color=style.second, marker="s", ms=3, lw=1.5,
            label=f"min-norm, label noise σ = {DD_NOISES[-1]}")
    ax.plot(DD_PS, curves["ridge"], color=style.third, marker="^", ms=3, lw=1.5, ls="--",
            label=f"ridge λ = {DD_LAM:g}, label noise σ = {DD_NOISES[-1]}")
    ax.axvline(DD_N, color=style.muted, ls=":", lw=1.2)
    ax.text(DD_N / 1.08, 3, f"interpolation threshold\np = n = {DD_N}", fontsize=8, color=style.fg, ha="right")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="number of random ReLU features p", ylabel="test MSE (median of 10 draws)")
    ax.set_title("double descent: the peak sits where the model can just interpolate", fontsize=10)
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=7.5, loc="upper right")
    fig.tight_layout()
    return fig
