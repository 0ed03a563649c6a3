"""Figures for the RNN / LSTM page."""
import matplotlib.pyplot as plt
import numpy as np

from dlnotes.rnn import grad_norm_through_time, init_params, spectral_radius
from scripts.figures import figure

T = 100
H = 32
# (label, init keyword arguments); rho=None is PyTorch's default initialisation
RNN_RUNS = [(None, {}), (0.9, {"rho": 0.9}), (1.2, {"rho": 1.2}), (3.0, {"rho": 3.0})]
LSTM_RUNS = [0.0, 1.0, 3.0]


def default_rho(seed=0):
    """Spectral radius of W_hh under PyTorch's default init, as used in the figure (seed + 1)."""
    return spectral_radius(init_params("rnn", 2, H, seed=seed + 1)["W_hh"])


@figure("rnn-gradient-through-time")
def gradient_through_time(style):
    """||dL/dh_t|| against T - t for a vanilla RNN and an LSTM on the first-input task."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.6), sharey=True)
    k = np.arange(T)
    colors = [style.accent, style.third, style.second, style.fg]
    for (rho, kw), color in zip(RNN_RUNS, colors):
        label = (f"PyTorch init (ρ = {default_rho():.2f})" if rho is None else rf"$\rho(W_{{hh}})$ = {rho:g}")
        ax1.plot(k, grad_norm_through_time("rnn", T, H, **kw), color=color, lw=1.6, label=label)
    for fb, color in zip(LSTM_RUNS, colors):
        label = "forget bias 0 (PyTorch init)" if fb == 0 else f"forget bias +{fb:g}"
        ax2.plot(k, grad_norm_through_time("lstm", T, H, forget_bias=fb), color=color, lw=1.6,
                 label=label)
    ax1.set_title("vanilla tanh RNN", fontsize=10)
    ax2.set_title("LSTM (additive cell path)", fontsize=10)
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        ax.set_ylim(1e-27, 1e13)
        ax.set_xlabel("steps back in time, T − t")
        ax.grid(True, lw=0.5)
        ax.legend(fontsize=8, loc="upper left" if ax is ax2 else "lower left")
    ax1.set_ylabel(r"$\Vert\partial L/\partial h_t\Vert$   (equal to 1 at $t = T$)")
    fig.suptitle(f"Gradient reaching earlier states, hidden size {H}, remember-the-first-input inputs, at initialisation",
                 fontsize=9.5)
    fig.tight_layout()
    return fig
