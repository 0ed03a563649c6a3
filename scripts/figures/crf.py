"""Figures for the dense CRF page: before/after on a real photo, the mean-field iterations, the kernels."""
import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, ListedColormap

from dlnotes.crf import coarse_probabilities, demo_scene, free_energy, mean_field, pairwise_kernel
from dlnotes.segmentation import confusion_matrix, mean_iou
from scripts.figures import figure

# The setting the page describes: 48 x 72 flower photo, a stride-8 "network" with noise.
PARAMS = dict(theta_alpha=6.0, theta_beta=13.0, theta_gamma=3.0, w_app=5.0, w_smooth=1.0)


@functools.lru_cache(maxsize=None)      # three figures x two colour schemes share one run
def flower_run(iterations=10):
    image, mask = demo_scene("flower", (48, 72))
    probs = coarse_probabilities(mask, stride=8, confidence=3.0, noise=1.0, seed=0)
    K = pairwise_kernel(image, **PARAMS)
    Q, history = mean_field(probs, K, iterations=iterations)
    return image, mask, probs, K, Q, history


def _blank(ax):
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)


@figure("crf-before-after")
def before_after(style):
    image, mask, probs, K, Q, _ = flower_run()
    prob_cmap = LinearSegmentedColormap.from_list("p", [style.off, style.accent])
    lab_cmap = ListedColormap([style.off, style.accent])
    miou = lambda pred: mean_iou(confusion_matrix(mask, pred, 2))  # noqa: E731
    panels = [
        ("photo (48 × 72)", image.astype(np.uint8), None),
        ("pseudo ground truth", mask, lab_cmap),
        ("network P(flower)", probs[..., 1], prob_cmap),
        (f"argmax before CRF\nmIoU {miou(probs.argmax(-1)):.3f}", probs.argmax(-1), lab_cmap),
        (f"after 10 mean-field steps\nmIoU {miou(Q.argmax(-1)):.3f}", Q.argmax(-1), lab_cmap),
    ]
    fig, axes = plt.subplots(1, 5, figsize=(8, 2.0))
    for ax, (title, img, cmap) in zip(axes, panels):
        ax.imshow(img, cmap=cmap, vmin=0 if cmap else None, vmax=1 if cmap else None, interpolation="nearest")
        ax.set_title(title, fontsize=7.5)
        _blank(ax)
    fig.tight_layout(pad=0.3)
    return fig


@figure("crf-iterations")
def iterations(style):
    _, _, probs, K, _, history = flower_run()
    prob_cmap = LinearSegmentedColormap.from_list("p", [style.off, style.accent])
    steps = [0, 1, 2, 5, 10]
    fig = plt.figure(figsize=(8, 3.3))
    for i, t in enumerate(steps):
        ax = fig.add_axes([0.01 + 0.125 * i, 0.38, 0.118, 0.5])
        ax.imshow(history[t][..., 1], cmap=prob_cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title("unary only" if t == 0 else f"iteration {t}", fontsize=8)
        _blank(ax)
    fig.text(0.32, 0.25, "Q(flower) per pixel: dark = 0, bright = 1", ha="center", fontsize=8, color=style.muted)
    ax = fig.add_axes([0.7, 0.2, 0.28, 0.66])
    F = [free_energy(q, probs, K) for q in history]
    ax.plot(range(len(F)), F, "o-", color=style.second, ms=4)
    ax.set_yscale("log")
    ax.set_xlabel("mean-field iteration", fontsize=8)
    ax.set_ylabel("free energy KL(Q‖P) + const", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, lw=0.5)
    ax.set_title("it drops at once, then settles", fontsize=8.5)
    return fig


@functools.lru_cache(maxsize=None)      # both colour schemes
def kernel_rows():
    """The photo, a pixel just inside the flower's edge, and its rows of each kernel."""
    image, mask, _, _, _, _ = flower_run()
    H, W = mask.shape
    edges = np.argwhere(mask[:, 1:] != mask[:, :-1])
    r, c = (int(edges[len(edges) // 2][0]), int(edges[len(edges) // 2][1]) + 2)   # just inside the flower
    app = pairwise_kernel(image, **{**PARAMS, "w_smooth": 0.0})[r * W + c].reshape(H, W)
    smooth = pairwise_kernel(image, **{**PARAMS, "w_app": 0.0})[r * W + c].reshape(H, W)
    return image, r, c, app, smooth


@figure("crf-kernels")
def kernels(style):
    """One row of each kernel: which pixels a pixel on the flower's edge listens to."""
    image, r, c, app, smooth = kernel_rows()
    cmap = LinearSegmentedColormap.from_list("k", [style.off, style.third])
    fig, axes = plt.subplots(1, 3, figsize=(8, 2.3))
    axes[0].imshow(image.astype(np.uint8), interpolation="nearest")
    axes[0].set_title("photo, chosen pixel ×", fontsize=8)
    for ax, (title, k) in zip(axes[1:], [(f"appearance kernel (θα = {PARAMS['theta_alpha']:.0f}, "
                                          f"θβ = {PARAMS['theta_beta']:.0f})", app),
                                         (f"smoothness kernel (θγ = {PARAMS['theta_gamma']:.0f})", smooth)]):
        ax.imshow(k / k.max(), cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=8)
    for ax in axes:
        ax.plot([c], [r], "x", color=style.second, ms=8, mew=2)
        _blank(ax)
    fig.tight_layout(pad=0.8)
    return fig
