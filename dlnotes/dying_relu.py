"""Detect dead ReLU units and measure how the learning rate creates them."""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number, rng_from
from dlnotes.mlp import Activation, MLP, make_mlp, train


# --8<-- [start:detect]
def off_units(model, X):
    """Per hidden layer: True for units whose pre-activation is <= 0 on EVERY row of X.

    For ReLU such a unit is dead: its output and its gradient are exactly zero for
    all of X, so gradient descent never changes its incoming weights again.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    model.forward(as_float_array(X, "X", ndim=2), training=False)
    return [(a.z <= 0).all(axis=0) for a in model.layers_of(Activation)]


def dead_fraction(model, X):
    """Fraction of hidden units that get zero gradient from every row of X."""
    masks = off_units(model, X)
    acts = model.layers_of(Activation)
    # Only a flat negative side means zero gradient: ReLU, or Leaky ReLU with slope 0.
    # A Leaky ReLU unit in its negative regime still has slope > 0: not dead.
    flat = [a.kind == "relu" or (a.kind == "leaky_relu" and a.slope == 0) for a in acts]
    dead = [m & f for m, f in zip(masks, flat)]
    return float(np.concatenate(dead).mean())


def off_fraction(model, X):
    """Fraction of hidden units in their negative regime on every row of X."""
    return float(np.concatenate(off_units(model, X)).mean())
# --8<-- [end:detect]


def toy_regression(n=256, seed=0):
    """x uniform in [-2, 2], target sin(3x): a 1-D regression a small MLP can fit."""
    n = integer(n, "n", low=2)
    x = rng_from(seed).uniform(-2, 2, (n, 1))
    return x, np.sin(3 * x)


# --8<-- [start:sweep]
def lr_sweep(lrs, activation="relu", slope=0.01, seeds=(0, 1, 2, 3, 4), width=64, steps=300):
    """Train a 1-hidden-layer MLP on :func:`toy_regression` with each learning rate.

    Returns a dict of arrays, shape (len(lrs), len(seeds)): ``off`` (units in the
    negative regime on every input), ``dead`` (units with zero gradient on every
    input) and ``loss`` (final training MSE); NaN where training diverged.
    """
    lrs = [real_number(lr, "lrs", low=0.0, low_open=True) for lr in np.atleast_1d(lrs)]
    choice(activation, "activation", ("relu", "leaky_relu"))
    seeds = [integer(s, "seeds", low=0) for s in np.atleast_1d(seeds)]
    X, y = toy_regression()
    res = {k: np.full((len(lrs), len(seeds)), np.nan) for k in ("off", "dead", "loss")}
    for i, lr in enumerate(lrs):
        for j, seed in enumerate(seeds):
            model = make_mlp(1, width, 1, 1, activation=activation, slope=slope, seed=seed)
            try:
                losses = train(model, X, y, loss="mse", lr=lr, steps=steps, batch_size=32, seed=seed)
            except ValueError:
                continue                      # diverged: leave NaN
            res["off"][i, j] = off_fraction(model, X)
            res["dead"][i, j] = dead_fraction(model, X)
            res["loss"][i, j] = losses[-1]
    return res
# --8<-- [end:sweep]
