"""Finite-difference gradients shared by the tests of every backward pass."""
import numpy as np


def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar function ``f`` at ``x`` (any shape)."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[idx] = eps
        g[idx] = (f(x + d) - f(x - d)) / (2 * eps)
    return g
