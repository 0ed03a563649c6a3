"""Figures for the assignment / shallow copy / deep copy page: names -> objects diagrams."""
import copy

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

from dlnotes.copying import reference_graph
from scripts.figures import figure

CELL_W, CELL_H = 0.55, 0.5


def draw_graph(ax, graph, style, title):
    """Names in a column on the left, containers placed in columns by depth."""
    cols = {}
    for i, node in enumerate(graph.nodes):
        cols.setdefault(node.depth, []).append(i)
    pos = {}
    for depth, members in cols.items():
        for row, i in enumerate(members):
            pos[i] = (1.3 + depth * 2.1, -row * (0.8 if len(members) > 3 else 0.95))
    name_pos = {name: (0, -k * 1.4) for k, name in enumerate(graph.names)}

    def arrow(a, b, color):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=9, color=color, lw=1.1,
                                     shrinkA=0, shrinkB=1, connectionstyle="arc3,rad=0.08"))

    for i, node in enumerate(graph.nodes):
        x, y = pos[i]
        color = style.accent if node.depth == 0 else style.third
        ax.text(x, y + CELL_H + 0.08, node.kind, fontsize=7, color=style.muted)
        for c, (_, ref) in enumerate(node.cells):
            cx = x + c * CELL_W
            ax.add_patch(Rectangle((cx, y), CELL_W, CELL_H, facecolor=color, alpha=0.18, edgecolor=color))
            if ref[0] == "value":
                ax.text(cx + CELL_W / 2, y + CELL_H / 2, ref[1], ha="center", va="center", fontsize=8)
            else:
                tx, ty = pos[ref[1]]
                ax.plot(cx + CELL_W / 2, y + CELL_H / 2, "o", ms=3, color=style.fg)
                arrow((cx + CELL_W / 2, y + CELL_H / 2), (tx, ty + CELL_H / 2), style.fg)
    for name, (x, y) in name_pos.items():
        ax.text(x, y + CELL_H / 2, name, ha="center", va="center", fontsize=11, family="monospace",
                bbox=dict(boxstyle="round,pad=0.25", facecolor="none", edgecolor=style.second))
        ref = graph.names[name]
        if ref[0] == "node":
            tx, ty = pos[ref[1]]
            arrow((x + 0.25, y + CELL_H / 2), (tx, ty + CELL_H / 2), style.second)
    ax.set_xlim(-0.4, 5.3)
    ax.set_ylim(min([-2.5] + [y for _, y in pos.values()]) - 0.3, 1.3)
    ax.set_axis_off()
    ax.set_title(title, fontsize=9, family="monospace")


def _before_after(style, make_b, label):
    fig, axes = plt.subplots(1, 2, figsize=(8, 2.7))
    a = [[1, 2], [3, 4]]
    b = make_b(a)
    draw_graph(axes[0], reference_graph({"a": a, "b": b}), style, f"a = [[1, 2], [3, 4]]; {label}")
    a[0].append(5)
    a.append([6])
    draw_graph(axes[1], reference_graph({"a": a, "b": b}), style, "after a[0].append(5); a.append([6])")
    fig.tight_layout()
    return fig


@figure("copying-assignment")
def assignment(style):
    return _before_after(style, lambda a: a, "b = a")


@figure("copying-shallow")
def shallow(style):
    return _before_after(style, copy.copy, "b = copy.copy(a)")


@figure("copying-deep")
def deep(style):
    return _before_after(style, copy.deepcopy, "b = copy.deepcopy(a)")
