"""Dropout, in both conventions.

``p`` is always the *drop* probability (PyTorch/Keras meaning); the paper of
Srivastava et al. (2014) writes ``p`` for the *retention* probability instead.

* inverted dropout (PyTorch, Keras, TensorFlow): scale kept units by 1/(1-p)
  while training, do nothing at test time;
* classic dropout (Srivastava et al. 2014): no scaling while training, multiply
  by the keep probability 1-p at test time.

Both give the same expected output at train and at test time.
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, choice, real_number, rng_from

CONVENTIONS = ("inverted", "classic")


def _check_p(p) -> float:
    return real_number(p, "p", low=0.0, high=1.0, high_open=True)


# --8<-- [start:mask]
def dropout_mask(shape, p, seed=None):
    """Boolean mask: True = unit kept (probability 1 - p), False = dropped."""
    p = _check_p(p)
    rng = rng_from(seed)
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
        raise ValueError(f"shape must be a tuple of non-negative ints, got {shape!r}")
    return rng.random(shape) >= p
# --8<-- [end:mask]


# --8<-- [start:inverted]
def inverted_dropout(x, p, training=True, seed=None, mask=None):
    """Inverted dropout: scale by 1/(1-p) while training, identity at test time."""
    x = as_float_array(x, "x")
    p = _check_p(p)
    if not training:
        return x                       # eval mode: nothing to do
    mask = _mask_for(x, p, seed, mask)
    return x * mask / (1.0 - p)        # E[output] = x
# --8<-- [end:inverted]


# --8<-- [start:classic]
def classic_dropout(x, p, training=True, seed=None, mask=None):
    """Classic dropout: no scaling while training, multiply by 1-p at test time."""
    x = as_float_array(x, "x")
    p = _check_p(p)
    if not training:
        return x * (1.0 - p)           # weights scaled by the keep probability
    mask = _mask_for(x, p, seed, mask)
    return x * mask                    # E[output] = (1-p) x
# --8<-- [end:classic]


# --8<-- [start:backward]
def inverted_dropout_backward(grad_out, mask, p):
    """Gradient of inverted dropout: the same mask and scale as the forward pass."""
    grad_out = as_float_array(grad_out, "grad_out")
    mask = _check_mask(mask, grad_out.shape)
    p = _check_p(p)
    return grad_out * mask / (1.0 - p)
# --8<-- [end:backward]


def dropout(x, p, training=True, convention="inverted", seed=None, mask=None):
    """Dispatch to :func:`inverted_dropout` or :func:`classic_dropout`."""
    choice(convention, "convention", CONVENTIONS)
    fn = inverted_dropout if convention == "inverted" else classic_dropout
    return fn(x, p, training=training, seed=seed, mask=mask)


# --8<-- [start:variance]
def variance_shift(p, mean, var):
    """Var(train output) / Var(test output) of inverted dropout on one unit.

    With keep mask m ~ Bernoulli(1-p) and y = x m / (1-p):
    Var_train(y) = (var + p * mean**2) / (1 - p), while at test time y = x and
    Var_test(y) = var.  BatchNorm after dropout learns the train statistics
    and meets the test ones (Li et al., CVPR 2019).
    """
    p = _check_p(p)
    mean = real_number(mean, "mean")
    var = real_number(var, "var", low=0.0, low_open=True)
    return (var + p * mean**2) / ((1.0 - p) * var)
# --8<-- [end:variance]


def _mask_for(x, p, seed, mask):
    if mask is None:
        return dropout_mask(x.shape, p, seed)
    return _check_mask(mask, x.shape)


def _check_mask(mask, shape):
    mask = np.asarray(mask)
    if mask.shape != tuple(shape):
        raise ValueError(f"mask must have the shape of x {tuple(shape)}, got {mask.shape}")
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("mask must contain only 0/1 or booleans")
        mask = mask.astype(bool)
    return mask


# --8<-- [start:mlp]
def train_mlp(X, y, X_val, y_val, p=0.5, hidden=256, epochs=150, lr=0.5, seed=0):
    """Train a 1-hidden-layer ReLU MLP with inverted dropout on the hidden layer.

    Full-batch gradient descent on softmax cross-entropy. Returns a dict of
    per-epoch ``train_loss``, ``val_loss``, ``train_acc``, ``val_acc``.
    """
    X, X_val = as_float_array(X, "X", ndim=2), as_float_array(X_val, "X_val", ndim=2)
    y, y_val = _labels(y, "y", len(X)), _labels(y_val, "y_val", len(X_val))
    if X.shape[1] != X_val.shape[1]:
        raise ValueError(f"X and X_val need the same number of features, got {X.shape[1]} and {X_val.shape[1]}")
    p = _check_p(p)
    rng = rng_from(seed)
    k = int(max(y.max(), y_val.max())) + 1
    W1 = rng.normal(0, np.sqrt(2 / X.shape[1]), (X.shape[1], hidden))   # He init
    b1 = np.zeros(hidden)
    W2 = rng.normal(0, np.sqrt(1 / hidden), (hidden, k))
    b2 = np.zeros(k)
    hist = {"train_loss": [], "val_loss": [], "train_acc": [], "val_acc": []}
    for _ in range(epochs):
        # forward, training mode
        h = np.maximum(X @ W1 + b1, 0)
        mask = dropout_mask(h.shape, p, rng)
        h_drop = inverted_dropout(h, p, mask=mask)
        probs = _softmax(h_drop @ W2 + b2)
        # backward: d(mean CE)/d(logits) = (probs - onehot) / n
        g = probs.copy()
        g[np.arange(len(y)), y] -= 1
        g /= len(y)
        gW2, gb2 = h_drop.T @ g, g.sum(0)
        gh = inverted_dropout_backward(g @ W2.T, mask, p) * (h > 0)
        gW1, gb1 = X.T @ gh, gh.sum(0)
        for param, grad in ((W1, gW1), (b1, gb1), (W2, gW2), (b2, gb2)):
            param -= lr * grad
        # evaluate in eval mode (dropout off) on both sets
        for split, (A, t) in (("train", (X, y)), ("val", (X_val, y_val))):
            P = _softmax(np.maximum(A @ W1 + b1, 0) @ W2 + b2)
            hist[f"{split}_loss"].append(float(-np.log(P[np.arange(len(t)), t] + 1e-12).mean()))
            hist[f"{split}_acc"].append(float((P.argmax(1) == t).mean()))
    return hist
# --8<-- [end:mlp]


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)      # log-sum-exp shift: no overflow
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _labels(y, name, n):
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"{name} must be a 1-D array of {n} labels, got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or (y < 0).any():
        raise ValueError(f"{name} must hold non-negative integer class labels")
    return y
