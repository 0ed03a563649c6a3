"""Figures for the Dropout page."""
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.dropout import classic_dropout, dropout_mask, inverted_dropout, variance_shift
from scripts.figures import figure

SEED = 7


@figure("dropout-thinned-network")
def thinned_network(style):
    """A 4-6-6-3 MLP, full and after one dropout mask on the two hidden layers."""
    sizes = [4, 6, 6, 3]
    p = 0.5
    masks = [np.ones(4, bool), dropout_mask(6, p, SEED), dropout_mask(6, p, SEED + 1), np.ones(3, bool)]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for ax, title, use_mask in [(axes[0], "training step without dropout", False),
                                (axes[1], f"one training step with dropout, p = {p}", True)]:
        coords = [[(i, (n - 1) / 2 - j) for j in range(n)] for i, n in enumerate(sizes)]
        for layer in range(len(sizes) - 1):
            for a, (xa, ya) in enumerate(coords[layer]):
                for b, (xb, yb) in enumerate(coords[layer + 1]):
                    live = not use_mask or (masks[layer][a] and masks[layer + 1][b])
                    ax.plot([xa, xb], [ya, yb], color=style.accent if live else style.off,
                            lw=1.0 if live else 0.5, alpha=0.9 if live else 0.5, zorder=1)
        for layer, pts in enumerate(coords):
            for j, (x, y) in enumerate(pts):
                kept = not use_mask or masks[layer][j]
                ax.scatter([x], [y], s=260, zorder=2, color=style.accent if kept else "none",
                           edgecolors=style.accent if kept else style.off, linewidths=1.5)
                if not kept:
                    ax.plot([x - .18, x + .18], [y - .18, y + .18], color=style.second, lw=2, zorder=3)
                    ax.plot([x - .18, x + .18], [y + .18, y - .18], color=style.second, lw=2, zorder=3)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(4), ["input", "hidden 1", "hidden 2", "output"])
        ax.set_yticks([])
        ax.spines[:].set_visible(False)
        ax.set_xlim(-0.5, 3.5)
        ax.set_ylim(-3.2, 3.2)
    fig.tight_layout()
    return fig


@figure("dropout-train-vs-eval")
def train_vs_eval(style):
    """Sum of a layer's outputs over many training masks vs the single eval output."""
    rng = np.random.default_rng(SEED)
    x = np.maximum(rng.normal(0.5, 1.0, 200), 0)      # one layer of ReLU activations
    p, trials = 0.4, 4000
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
    for ax, name, fn in [(axes[0], "inverted (PyTorch, Keras)", inverted_dropout),
                         (axes[1], "classic (Srivastava et al. 2014)", classic_dropout)]:
        sums = np.array([fn(x, p, training=True, seed=rng).sum() for _ in range(trials)])
        test = fn(x, p, training=False).sum()
        counts, _, _ = ax.hist(sums, bins=50, color=style.accent, alpha=0.75,
                               label="training: one mask each")
        ax.set_ylim(0, counts.max() * 1.55)          # headroom for the legend
        ax.axvline(sums.mean(), color=style.fg, lw=1.5, ls="--", label=f"training mean {sums.mean():.1f}")
        ax.axvline(test, color=style.second, lw=2, label=f"eval output {test:.1f}")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("sum of the layer's 200 outputs")
        ax.legend(fontsize=8, loc="upper left")
    axes[0].set_ylabel(f"count over {trials} masks")
    fig.suptitle(f"p = {p}: the training mean equals the eval output in both conventions "
                 f"(sum of inputs = {x.sum():.1f})", fontsize=10)
    fig.tight_layout()
    return fig


@figure("dropout-variance-shift")
def variance_shift_plot(style):
    """Var(train)/Var(eval) of inverted dropout vs p, formula and simulation."""
    rng = np.random.default_rng(SEED)
    ps = np.linspace(0.0, 0.8, 81)
    sim_ps = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for (mean, var), color in zip([(0.0, 1.0), (1.0, 1.0), (2.0, 1.0)], style.cycle):
        ax.plot(ps, [variance_shift(p, mean, var) for p in ps], color=color,
                label=f"formula, mean/std = {mean:.0f}")
        x = rng.normal(mean, np.sqrt(var), 100_000)
        sims = [inverted_dropout(x, p, seed=rng).var() / x.var() for p in sim_ps]
        ax.scatter(sim_ps, sims, color=color, s=18, zorder=3)
    ax.scatter([], [], color=style.muted, s=18, label="simulation, 100 000 samples")
    ax.set_xlabel("drop probability p")
    ax.set_ylabel("Var(train output) / Var(eval output)")
    ax.grid(True, lw=0.5)
    ax.legend(fontsize=8)
    ax.set_title("Inverted dropout keeps the mean but not the variance", fontsize=10)
    fig.tight_layout()
    return fig
