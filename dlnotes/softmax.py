"""Softmax at scale, and cross-entropy vs mean squared error.

* ``output_layer_cost``: what a C-way softmax head costs (parameters, memory,
  FLOPs) for realistic sizes;
* ``train_linear_softmax``: full vs sampled softmax on a synthetic many-class
  problem (a linear classifier, so the output layer is the whole cost);
* ``logit_gradient`` / ``logistic_unit_loss``: why sigmoid + MSE saturates and
  why MSE is not convex for a logistic unit while CE is.
"""
from __future__ import annotations

import time

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number, rng_from
from dlnotes.losses import log_softmax, sigmoid, softplus

OPTIMIZER_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2}    # extra float tensors per parameter


# --8<-- [start:cost]
def output_layer_cost(num_classes, dim, batch, bytes_per_float=4, optimizer="adam"):
    """Costs of the final dim -> num_classes linear layer + softmax, per step.

    weights:          dim * C parameters (+ C biases)
    train_state:      weights + gradient + optimizer slots (Adam keeps 2 moments)
    logits:           batch * C floats, kept for the backward pass
    logits_and_grad:  plus their gradient p - onehot, another batch * C tensor
    forward_macs:     batch * dim * C multiply-adds (= 2 * batch * dim * C FLOPs)
    matmul_flops:     forward + backward (two matmuls of the same size), in FLOPs
    softmax_exps:     batch * C exponentials just to normalise
    """
    C = integer(num_classes, "num_classes", low=2)
    d = integer(dim, "dim", low=1)
    B = integer(batch, "batch", low=1)
    nb = integer(bytes_per_float, "bytes_per_float", low=1, high=8)
    choice(optimizer, "optimizer", tuple(OPTIMIZER_SLOTS))
    params = d * C + C
    return {
        "params": params,
        "weight_bytes": params * nb,
        "train_state_bytes": params * nb * (2 + OPTIMIZER_SLOTS[optimizer]),
        "logits_bytes": B * C * nb,
        "logits_and_grad_bytes": 2 * B * C * nb,
        "forward_macs": B * d * C,
        "matmul_flops": 3 * 2 * B * d * C,
        "softmax_exps": B * C,
    }
# --8<-- [end:cost]


def human_bytes(n):
    """1536 -> '1.5 KiB' (binary prefixes)."""
    n = real_number(n, "n", low=0.0)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


# --8<-- [start:data]
def many_class_data(num_classes=2000, dim=32, per_class=8, test_per_class=2, noise=0.6, seed=0):
    """Synthetic C-class problem: each class is a random unit vector in R^dim,
    samples are that vector plus isotropic Gaussian noise. Few samples per
    class, as in face identities or rare words."""
    C = integer(num_classes, "num_classes", low=2)
    d = integer(dim, "dim", low=1)
    k = integer(per_class, "per_class", low=1)
    kt = integer(test_per_class, "test_per_class", low=1)
    noise = real_number(noise, "noise", low=0.0)
    rng = rng_from(seed)
    centres = rng.normal(size=(C, d))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    def draw(m):
        y = np.repeat(np.arange(C), m)
        return centres[y] + noise / np.sqrt(d) * rng.normal(size=(len(y), d)), y

    (X, y), (Xt, yt) = draw(k), draw(kt)
    return X, y, Xt, yt
# --8<-- [end:data]


# --8<-- [start:steps]
def full_softmax_grad(W, b, X, y):
    """Gradient of mean CE over all C classes: costs O(batch * dim * C)."""
    logits = X @ W + b                               # (B, C): the expensive part
    g = np.exp(log_softmax(logits))
    g[np.arange(len(y)), y] -= 1.0
    g /= len(y)
    return X.T @ g, g.sum(0)


def sampled_softmax_grad(W, b, X, y, num_sampled, rng):
    """Sampled softmax (Jean et al. 2015) with a uniform proposal: the softmax
    runs over the batch's true classes plus `num_sampled` random classes shared
    by the batch. With a uniform proposal the log-Q correction is the same for
    every candidate and cancels. Costs O(batch * dim * (num_sampled + B))."""
    C = W.shape[1]
    negatives = rng.choice(C, size=min(num_sampled, C), replace=False)
    cand = np.union1d(y, negatives)                  # sorted unique candidate classes
    pos = np.searchsorted(cand, y)                   # where each true class sits in cand
    logits = X @ W[:, cand] + b[cand]                # (B, K) with K << C
    g = np.exp(log_softmax(logits))
    g[np.arange(len(y)), pos] -= 1.0
    g /= len(y)
    return X.T @ g, g.sum(0), cand                   # gradient for the K candidate columns only
# --8<-- [end:steps]


def train_linear_softmax(X, y, X_test, y_test, num_classes, method="full", num_sampled=64,
                         epochs=10, batch=128, lr=0.5, seed=0):
    """SGD on a linear softmax classifier with the full or a sampled softmax.

    Accuracy is always measured with the full softmax (argmax over all C).
    Timing is single-threaded (threadpoolctl) so the comparison is fair on a
    busy machine. Returns dict(acc, seconds_per_step, steps, acc_history,
    macs_history): accuracy and cumulative output-layer multiply-adds
    (forward, batch * dim * candidates) after each epoch.
    """
    from threadpoolctl import threadpool_limits     # ships with scikit-learn

    X = as_float_array(X, "X", ndim=2)
    X_test = as_float_array(X_test, "X_test", ndim=2)
    C = integer(num_classes, "num_classes", low=2)
    y, y_test = _labels(y, "y", len(X), C), _labels(y_test, "y_test", len(X_test), C)
    if X.shape[1] != X_test.shape[1]:
        raise ValueError("X and X_test need the same number of features")
    choice(method, "method", ("full", "sampled"))
    S = integer(num_sampled, "num_sampled", low=1)
    epochs = integer(epochs, "epochs", low=1)
    B = integer(batch, "batch", low=1)
    lr = real_number(lr, "lr", low=0.0, low_open=True)
    rng = rng_from(seed)
    W = np.zeros((X.shape[1], C))
    b = np.zeros(C)
    steps, elapsed, macs, hist, macs_hist = 0, 0.0, 0, [], []
    with threadpool_limits(1):
        for _ in range(epochs):
            order = rng.permutation(len(X))
            for start in range(0, len(X), B):
                idx = order[start:start + B]
                t0 = time.perf_counter()
                if method == "full":
                    gW, gb = full_softmax_grad(W, b, X[idx], y[idx])
                    W -= lr * gW
                    b -= lr * gb
                    k = C
                else:
                    gW, gb, cand = sampled_softmax_grad(W, b, X[idx], y[idx], S, rng)
                    W[:, cand] -= lr * gW            # sparse update: touch K columns only
                    b[cand] -= lr * gb
                    k = len(cand)
                elapsed += time.perf_counter() - t0
                steps += 1
                macs += len(idx) * X.shape[1] * k
            hist.append(float(((X_test @ W + b).argmax(1) == y_test).mean()))
            macs_hist.append(macs)
    return {"acc": hist[-1], "seconds_per_step": elapsed / steps, "steps": steps,
            "acc_history": hist, "macs_history": macs_hist}


# --8<-- [start:logit_grad]
def logit_gradient(p, y, loss="ce"):
    """d loss / d z for a sigmoid unit p = sigmoid(z) with target y in [0, 1].

    ce:  -y log p - (1-y) log(1-p)  ->  p - y
    mse: (p - y)^2 / 2              ->  (p - y) * p * (1 - p)   <- vanishes as p -> 0 or 1
    """
    p = as_float_array(p, "p")
    if (p < 0).any() or (p > 1).any():
        raise ValueError("p must be in [0, 1]")
    y = real_number(y, "y", low=0.0, high=1.0)
    choice(loss, "loss", ("ce", "mse"))
    return p - y if loss == "ce" else (p - y) * p * (1 - p)


def softmax_logit_gradient(logits, label, loss="ce"):
    """d loss / d z for softmax outputs p = softmax(z) and a one-hot target e_y.

    ce:  p - e_y
    mse: J^T (p - e_y) with J = diag(p) - p p^T, for loss = ||p - e_y||^2 / 2
    """
    z = as_float_array(logits, "logits", ndim=1)
    label = integer(label, "label", low=0, high=len(z) - 1)
    choice(loss, "loss", ("ce", "mse"))
    p = np.exp(log_softmax(z))
    r = p.copy()
    r[label] -= 1.0
    if loss == "ce":
        return r
    J = np.diag(p) - np.outer(p, p)                  # Jacobian of softmax (symmetric)
    return J @ r
# --8<-- [end:logit_grad]


# --8<-- [start:landscape]
def logistic_unit_loss(w, x, y, loss="ce"):
    """Mean loss of a single logistic unit p = sigmoid(w * x) as a function of the
    scalar weight w (array of w's allowed). x: inputs, y: targets in {0, 1}."""
    w = as_float_array(w, "w")
    x = as_float_array(x, "x", ndim=1)
    y = as_float_array(y, "y", ndim=1)
    if len(x) != len(y) or not np.isin(y, (0, 1)).all():
        raise ValueError("y must be 0/1 labels, one per x")
    choice(loss, "loss", ("ce", "mse"))
    z = np.multiply.outer(w, x)                      # (..., n)
    if loss == "ce":                                 # y softplus(-z) + (1-y) softplus(z)
        return (y * softplus(-z) + (1 - y) * softplus(z)).mean(-1)
    return ((sigmoid(z) - y) ** 2 / 2).mean(-1)
# --8<-- [end:landscape]


def train_logistic_unit(x, y, w0, loss="ce", lr=1.0, steps=200):
    """Gradient descent on the scalar weight of a logistic unit; returns the w path."""
    x = as_float_array(x, "x", ndim=1)
    y = as_float_array(y, "y", ndim=1)
    if len(x) != len(y) or not np.isin(y, (0, 1)).all():
        raise ValueError("y must be 0/1 labels, one per x")
    w = real_number(w0, "w0")
    choice(loss, "loss", ("ce", "mse"))
    lr = real_number(lr, "lr", low=0.0, low_open=True)
    steps = integer(steps, "steps", low=1)
    path = [w]
    for _ in range(steps):
        p = sigmoid(w * x)
        dz = p - y if loss == "ce" else (p - y) * p * (1 - p)
        w -= lr * float(np.mean(dz * x))
        path.append(w)
    return np.array(path)


def _labels(y, name, n, C):
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"{name} must be a 1-D array of {n} labels, got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or (y < 0).any() or (y >= C).any():
        raise ValueError(f"{name} must hold integer class labels in [0, {C})")
    return y
