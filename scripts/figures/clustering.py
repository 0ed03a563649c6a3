"""Figures for the k-means / k-means++ / ISODATA page."""
import functools

import matplotlib.pyplot as plt
import numpy as np

from dlnotes.clustering import (IsodataParams, _sq_dist, greedy_trials, isodata, kmeans, kmeans_plusplus,
                                quantize_colors)
from scripts.figures import figure

SEED = 3


def grid_blobs(seed=SEED, per=60, spread=0.45):
    """Nine round blobs on a 3 x 3 grid: the true k is 9 and the optimum is obvious."""
    rng = np.random.default_rng(seed)
    means = np.array([(x, y) for x in (0, 3, 6) for y in (0, 3, 6)], float)
    return np.vstack([rng.normal(m, spread, (per, 2)) for m in means]), means


@functools.lru_cache(maxsize=None)      # both colour schemes share the 600 runs
def init_comparison(n_seeds=200):
    """Final inertia of Lloyd's algorithm from random and from k-means++ seeds."""
    X, _ = grid_blobs()
    runs = {"random": dict(init="random"), "k-means++": dict(init="k-means++"),
            "greedy k-means++ (scikit-learn)": dict(init="k-means++", n_local_trials=greedy_trials(9))}
    out = {name: np.array([kmeans(X, 9, seed=s, **kw).inertia for s in range(n_seeds)])
           for name, kw in runs.items()}
    return X, out


def share_at_best(values, best, rel=0.02):
    """Fraction of runs whose inertia is within rel of the best one found."""
    return float(np.mean(values <= best * (1 + rel)))


def isodata_demo_data(seed=SEED):
    """An elongated cluster (two sub-blobs), two overlapping blobs, and 4 stray points."""
    rng = np.random.default_rng(seed)
    parts = [rng.normal((-4, 2.5), 0.5, (80, 2)), rng.normal((-4, -2.5), 0.5, (80, 2)),
             rng.normal((3.0, 0.4), 0.5, (80, 2)), rng.normal((3.7, -0.4), 0.5, (80, 2)),
             rng.normal((0.5, 5.0), 0.2, (4, 2))]
    X = np.vstack(parts)
    init = np.array([(-4, 0), (3.0, 0.4), (3.7, -0.4), (0.5, 5.0)], float)
    params = IsodataParams(k_desired=3, min_size=6, max_std=1.5, merge_dist=1.5, max_merges=1, n_iter=4)
    return X, init, params


@figure("clustering-init-inertia")
def init_inertia(style):
    X, res = init_comparison()
    best = min(r.min() for r in res.values())
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    bins = np.linspace(best * 0.95, max(r.max() for r in res.values()) * 1.02, 45)
    width = (bins[1] - bins[0]) / 3.2
    for i, ((name, r), color) in enumerate(zip(res.items(), (style.second, style.third, style.accent))):
        counts, _ = np.histogram(r, bins=bins)
        ax.bar(bins[:-1] + (i + 0.5) * width, counts, width=width, color=color,
               label=f"{name}: best solution in {share_at_best(r, best):.0%} of {len(r)} seeds")
    ax.set_xlabel("final inertia after Lloyd's algorithm (lower is better)")
    ax.set_ylabel("number of seeds")
    ax.set_title("9 round blobs, k = 9: where Lloyd's algorithm ends, by initialisation", fontsize=10)
    ax.legend(fontsize=8.5)
    fig.tight_layout()
    return fig


@figure("clustering-d2-steps")
def d2_steps(style):
    X, _ = grid_blobs(per=25)
    rng = np.random.default_rng(SEED)
    centers, idx = kmeans_plusplus(X, 4, seed=rng)
    from matplotlib.colors import LinearSegmentedColormap
    cmap = LinearSegmentedColormap.from_list("d2", [style.off, style.accent, style.third])
    fig, axes = plt.subplots(1, 3, figsize=(8, 3.0), sharey=True)
    fig.suptitle("k-means++: the next center is a sample drawn with probability ∝ D(x)²", fontsize=10)
    for t, ax in enumerate(axes, start=1):
        d2 = _sq_dist(X, centers[:t]).min(1)
        prob = d2 / d2.sum()
        sc = ax.scatter(X[:, 0], X[:, 1], c=prob, s=6 + 1500 * prob, cmap=cmap, vmin=0,
                        edgecolors="none", alpha=0.9)
        ax.scatter(centers[:t, 0], centers[:t, 1], marker="*", s=180, color=style.second,
                   edgecolors=style.fg, linewidths=0.6, zorder=3, label="chosen centers")
        ax.scatter(*centers[t], s=260, facecolors="none", edgecolors=style.fg, linewidths=1.6, zorder=3,
                   label="next center drawn")
        ax.set_title(f"after {t} center{'s' if t > 1 else ''}", fontsize=9.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    axes[0].legend(fontsize=7.5, loc="lower left", bbox_to_anchor=(0, -0.28), ncol=2)
    cb = fig.colorbar(sc, ax=axes, fraction=0.025, pad=0.01)
    cb.set_label("probability (dot size too)", fontsize=8)
    return fig


@figure("clustering-isodata")
def isodata_steps(style):
    X, init, params = isodata_demo_data()
    res = isodata(X, params, init_centers=init)
    ev = res.history
    panels = [(f"start: {len(ev[0]['start'])} centers", ev[0]["start"], None),
              (f"iteration 1: discard (✕, fewer than θ_N = {params.min_size}),\nthen split (○, σ_max > θ_S = {params.max_std})",
               ev[0]["end"], ev[0]),
              (f"iteration 2: merge (●–●, centers closer\nthan θ_C = {params.merge_dist})", ev[1]["end"], ev[1]),
              (f"after {params.n_iter} iterations: {len(res.centers)} clusters", res.centers, None)]
    fig, axes = plt.subplots(2, 2, figsize=(7, 4.5), sharex=True, sharey=True)
    for ax, (title, centers, event) in zip(axes.flat, panels):
        labels = _sq_dist(X, centers).argmin(1)
        cols = [style.accent, style.third, style.second, style.muted, style.fg]
        ax.scatter(X[:, 0], X[:, 1], s=4, c=[cols[i % len(cols)] for i in labels], alpha=0.55)
        ax.scatter(centers[:, 0], centers[:, 1], marker="*", s=160, color=style.fg, zorder=3)
        if event:
            for c in event["discarded"]:
                ax.scatter(*c, marker="x", s=90, color=style.second, linewidths=2, zorder=4)
            for c in event["split"]:
                ax.scatter(*c, s=220, facecolors="none", edgecolors=style.second, linewidths=1.5, zorder=4)
            for a, b in event["merged"]:
                ax.plot([a[0], b[0]], [a[1], b[1]], color=style.second, lw=2, zorder=4)
                ax.scatter([a[0], b[0]], [a[1], b[1]], s=40, color=style.second, zorder=4)
        ax.set_title(title, fontsize=8.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    fig.tight_layout()
    return fig


def china_small():
    from sklearn.datasets import load_sample_image
    return load_sample_image("china.jpg")[::2, ::2] / 255.0


@figure("clustering-quantize")
def quantize(style):
    img = china_small()
    fig, axes = plt.subplots(1, 3, figsize=(8, 2.35))
    axes[0].imshow(img)
    axes[0].set_title("original (scikit-learn china.jpg)", fontsize=9)
    for ax, k in zip(axes[1:], (4, 16)):
        q, palette = quantize_colors(img, k, seed=0)
        ax.imshow(np.clip(q, 0, 1))
        ax.set_title(f"k-means, k = {k} colours", fontsize=9)
    for ax in axes:
        ax.set_axis_off()
    fig.tight_layout()
    return fig
