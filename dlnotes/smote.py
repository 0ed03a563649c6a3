"""SMOTE from scratch (Chawla et al., JAIR 2002).

Each synthetic point is ``a + g * (b - a)`` with ``a`` a minority sample, ``b``
one of its ``k`` nearest *minority* neighbours and ``g ~ U[0, 1)``: it lies on
the segment between two existing minority points. The class-imbalance page
imports :func:`smote`; imbalanced-learn's ``SMOTE`` is the reference.
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, integer, rng_from


# --8<-- [start:neighbours]
def nearest_neighbours(X, k):
    """Indices (n, k) of each row's k nearest other rows (Euclidean, self excluded)."""
    X = as_float_array(X, "X", ndim=2)
    k = integer(k, "k", low=1, high=max(len(X) - 1, 1))
    if len(X) < 2:
        raise ValueError(f"X needs at least 2 samples to have neighbours, got {len(X)}")
    sq = (X * X).sum(axis=1)
    d2 = sq[:, None] + sq[None, :] - 2.0 * X @ X.T     # squared distances, all pairs
    np.fill_diagonal(d2, np.inf)                       # a point is not its own neighbour
    return np.argsort(d2, axis=1, kind="stable")[:, :k]
# --8<-- [end:neighbours]


# --8<-- [start:smote]
def smote(X_minority, n_new, k=5, seed=None):
    """Return (X_new, pairs): n_new synthetic minority points and, for each,
    the indices (a, b) of the sample and the neighbour it was drawn between."""
    X = as_float_array(X_minority, "X_minority", ndim=2)
    n_new = integer(n_new, "n_new", low=0)
    if len(X) < 2:
        raise ValueError(f"X_minority needs at least 2 samples, got {len(X)}")
    k = integer(k, "k", low=1, high=len(X) - 1)
    rng = rng_from(seed)
    nn = nearest_neighbours(X, k)
    a = rng.integers(len(X), size=n_new)               # which minority sample
    b = nn[a, rng.integers(k, size=n_new)]             # which of its k neighbours
    gap = rng.random(n_new)[:, None]                   # where on the segment, U[0, 1)
    X_new = X[a] + gap * (X[b] - X[a])
    return X_new, np.stack([a, b], axis=1)
# --8<-- [end:smote]


def on_segment(points, starts, ends, atol=1e-9):
    """True where ``points[i]`` lies on the segment from ``starts[i]`` to ``ends[i]``."""
    p = as_float_array(points, "points", ndim=2)
    s = as_float_array(starts, "starts", ndim=2)
    e = as_float_array(ends, "ends", ndim=2)
    if not p.shape == s.shape == e.shape:
        raise ValueError(f"points, starts and ends must have the same shape, got {p.shape}, {s.shape}, {e.shape}")
    d = e - s
    length2 = (d * d).sum(axis=1)
    t = np.where(length2 > 0, ((p - s) * d).sum(axis=1) / np.where(length2 > 0, length2, 1.0), 0.0)
    closest = s + np.clip(t, 0.0, 1.0)[:, None] * d
    return np.linalg.norm(p - closest, axis=1) <= atol * (1.0 + np.linalg.norm(d, axis=1))
