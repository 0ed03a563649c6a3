"""Figures for the object-detection basics page."""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse, Rectangle

from dlnotes.detection import (PR_EXAMPLE_N_GT, PR_EXAMPLE_TP, SCENE_OBJECTS, average_precision, nms,
                               nms_scene, pr_curve, soft_nms)
from scripts.figures import figure

NMS_THRESHOLD = 0.5
SHOW_ABOVE = 0.3       # soft-NMS keeps every box: solid and labelled above this score
FAINT_ABOVE = 0.1      # dashed between FAINT_ABOVE and SHOW_ABOVE, hidden below


def _scene(ax, style):
    """Two overlapping figures and a third object, drawn as simple shapes."""
    ax.add_patch(Rectangle((0, 0), 280, 160, color=style.grid, alpha=0.35, lw=0))
    for x1, y1, x2, y2 in SCENE_OBJECTS[:2]:
        cx, w = (x1 + x2) / 2, x2 - x1
        ax.add_patch(Ellipse((cx, y1 + 0.72 * (y2 - y1)), 0.8 * w, 0.55 * (y2 - y1),
                             color=style.off, lw=0))
        ax.add_patch(Ellipse((cx, y1 + 0.22 * (y2 - y1)), 0.38 * w, 0.36 * (y2 - y1),
                             color=style.off, lw=0))
    x1, y1, x2, y2 = SCENE_OBJECTS[2]
    ax.add_patch(Ellipse(((x1 + x2) / 2, (y1 + y2) / 2), 0.9 * (x2 - x1), 0.9 * (y2 - y1),
                         color=style.off, lw=0))
    ax.set_xlim(0, 280)
    ax.set_ylim(160, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)


def _boxes(ax, boxes, scores, owner, colors, label=True, lw=1.8, alpha=1.0, ls="-"):
    for (x1, y1, x2, y2), s, k in zip(boxes, scores, owner):
        ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, ec=colors[k], lw=lw, alpha=alpha,
                               ls=ls))
        if label and k == 1:        # the occluded object: label under its box, clear of the other
            ax.text(x2 - 1, y2 + 3, f"{s:.2f}", color=colors[k], fontsize=10, va="top", ha="right",
                    fontweight="bold")
        elif label:
            ax.text(x1 + 1, y1 - 2, f"{s:.2f}", color=colors[k], fontsize=10, va="bottom", fontweight="bold")


@figure("detection-nms")
def nms_before_after(style):
    """Raw candidates, greedy NMS at 0.5 and 0.7, and Gaussian soft-NMS on the same scene."""
    boxes, scores, owner = nms_scene()
    colors = [style.accent, style.second, style.third]
    fig, axes = plt.subplots(2, 2, figsize=(8.0, 5.0))
    (a0, a1), (a2, a3) = axes
    _scene(a0, style)
    _boxes(a0, boxes, scores, owner, colors, label=False, lw=1.0, alpha=0.8)
    a0.set_title(f"before: {len(boxes)} candidate boxes", fontsize=11)
    for ax, t in ((a1, NMS_THRESHOLD), (a2, 0.7)):
        keep = nms(boxes, scores, t)
        _scene(ax, style)
        _boxes(ax, boxes[keep], scores[keep], owner[keep], colors)
        ax.set_title(f"greedy NMS, drop IoU > {t}: {len(keep)} boxes", fontsize=11)

    keep, new = soft_nms(boxes, scores, "gaussian", sigma=0.5)
    show, faint = new >= SHOW_ABOVE, (new >= FAINT_ABOVE) & (new < SHOW_ABOVE)
    _scene(a3, style)
    _boxes(a3, boxes[keep[faint]], new[faint], owner[keep[faint]], colors, label=False, lw=0.9, ls="--")
    _boxes(a3, boxes[keep[show]], new[show], owner[keep[show]], colors)
    a3.set_title("Gaussian soft-NMS (σ = 0.5): rescored", fontsize=11)
    a3.text(140, 157, f"dashed: score now {FAINT_ABOVE}–{SHOW_ABOVE}", ha="center", va="bottom",
            fontsize=9, color=style.muted)
    fig.tight_layout()
    return fig


@figure("detection-pr")
def pr_interpolation(style):
    """One PR curve, with the 11-point (VOC 2007) and all-point (VOC 2010+) areas shaded."""
    precision, recall = pr_curve(np.array(PR_EXAMPLE_TP), PR_EXAMPLE_N_GT)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.4), sharey=True)
    r_steps = np.concatenate([[0.0], recall])
    for ax in axes:
        ax.plot(recall, precision, "o-", color=style.muted, lw=1, ms=4, label="raw precision after each detection")
        ax.set(xlim=(-0.02, 1.02), ylim=(0, 1.08), xlabel="recall")
        ax.grid(True, lw=0.5)
    # 11-point: interpolated precision sampled at recall 0, 0.1, ..., 1, each a bar of width 1/11
    grid = np.linspace(0, 1, 11)
    idx = np.searchsorted(recall, grid, side="left")
    p11 = np.concatenate([envelope, [0.0]])[idx]
    axes[0].bar(grid, p11, width=1 / 11, color=style.accent, alpha=0.3, align="center",
                label="11 samples, each weighted 1/11")
    axes[0].plot(grid, p11, "s", color=style.accent, ms=5)
    ap11 = average_precision(precision, recall, "11point")
    axes[0].set_title(f"VOC 2007, 11-point: AP = {ap11:.3f}", fontsize=10)
    axes[0].set_ylabel("precision")
    # all-point: area under the monotone envelope, a step function over recall
    axes[1].fill_between(np.repeat(r_steps, 2)[1:-1], np.repeat(envelope, 2), step=None,
                         color=style.second, alpha=0.3, lw=0, label="area under the envelope")
    axes[1].step(r_steps, np.concatenate([envelope[:1], envelope]), where="pre", color=style.second, lw=1.8,
                 label="interpolated: best precision at recall ≥ r")
    apall = average_precision(precision, recall, "all")
    axes[1].set_title(f"VOC 2010+, all points: AP = {apall:.3f}", fontsize=10)
    for ax in axes:
        ax.legend(fontsize=7.5, loc="lower left")
    fig.suptitle(f"{len(precision)} detections ranked by score, {PR_EXAMPLE_N_GT} objects (one never found)",
                 fontsize=10)
    fig.tight_layout()
    return fig
