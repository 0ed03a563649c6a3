"""Figures for the Vanishing gradients page."""
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.mlp import make_mlp
from dlnotes.vanishing_gradients import config_gradient_norms, hidden_activations, toy_batch
from scripts.figures import figure

DEPTH = 30


@figure("vanishing-gradients-layer-norms")
def layer_norms(style):
    """||dL/dW|| per layer at initialisation for six 30-layer MLPs."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), sharey=True)
    panels = [(axes[0], "sigmoid: the problem and two fixes",
               ["sigmoid, Xavier", "sigmoid, Xavier + BN", "sigmoid, Xavier + residual", "ReLU, He"]),
              (axes[1], "ReLU: BatchNorm alone vs BN + residual",
               ["ReLU, He", "ReLU, He + BN", "ReLU, He + BN + residual"])]
    colors = {"sigmoid, Xavier": style.second, "sigmoid, Xavier + BN": style.third,
              "sigmoid, Xavier + residual": style.muted, "ReLU, He": style.accent,
              "ReLU, He + BN": style.third, "ReLU, He + BN + residual": style.fg}
    styles = {"ReLU, He + BN": "--", "sigmoid, Xavier + residual": "-."}
    for ax, title, names in panels:
        for name in names:
            norms = config_gradient_norms(name, depth=DEPTH)[:-1]        # hidden layers only
            ax.semilogy(np.arange(1, DEPTH + 1), norms, color=colors[name], ls=styles.get(name, "-"),
                        lw=1.8, label=name)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("layer (1 = next to the input)")
        ax.grid(True, lw=0.5, which="major")
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel("gradient norm ||dL/dW|| (log scale)")
    fig.suptitle(f"{DEPTH} hidden layers of width 64, one batch at initialisation", fontsize=10)
    fig.tight_layout()
    return fig


@figure("vanishing-gradients-bn-histograms")
def bn_histograms(style):
    """Sigmoid activations per layer, naive N(0, 1) init, without and with BatchNorm."""
    X, _ = toy_batch(n=512)
    layers = [1, 4, 7, 10]
    fig, axes = plt.subplots(2, len(layers), figsize=(8, 4), sharex=True, sharey=True)
    for row, bn in enumerate([False, True]):
        model = make_mlp(X.shape[1], 64, 10, 10, activation="sigmoid", init=1.0, batchnorm=bn, seed=1)
        acts = hidden_activations(model, X)
        for col, layer in enumerate(layers):
            ax = axes[row, col]
            a = acts[layer - 1].ravel()
            ax.hist(a, bins=np.linspace(0, 1, 41), color=style.accent if bn else style.second,
                    weights=np.full(a.size, 1 / a.size))
            ax.axvspan(0, 0.0286, color=style.off, alpha=0.5, lw=0, zorder=0)     # sigmoid' < 10 % of its max
            ax.axvspan(1 - 0.0286, 1, color=style.off, alpha=0.5, lw=0, zorder=0)
            if row == 0:
                ax.set_title(f"layer {layer}", fontsize=10)
            if row == 1:
                ax.set_xlabel("sigmoid output")
        axes[row, 0].set_ylabel("with BN" if bn else "no BN", fontsize=10)
    fig.suptitle("Sigmoid MLP with weights ~ N(0, 1): outputs pile up in the flat ends (grey) "
                 "unless BN rescales the pre-activations", fontsize=9)
    fig.tight_layout()
    return fig
