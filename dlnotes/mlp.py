"""A tiny multilayer perceptron with explicit forward and backward passes.

Whiteboard-sized on purpose: each layer is a small class with ``forward(x)``
(which caches what the backward pass needs) and ``backward(grad)`` (which
returns the gradient with respect to its input and stores the gradients of its
parameters in ``self.grads``). The tests check every backward pass against
finite differences.

Layers: :class:`Dense`, :class:`Activation` (sigmoid, tanh, ReLU, Leaky ReLU,
GELU), :class:`BatchNorm` (running statistics, train and eval modes),
:class:`Residual` (``x + f(x)``); :class:`MLP` chains them. Losses:
:func:`softmax_cross_entropy` and :func:`mse_loss`, each returning the loss and
its gradient.
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number, rng_from

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")
INITS = ("he", "xavier")


# --8<-- [start:dense]
class Dense:
    """y = x W + b.  init: 'he' (std sqrt(2/n_in)), 'xavier' (sqrt(2/(n_in+n_out))) or a std."""

    def __init__(self, n_in, n_out, init="he", seed=None):
        n_in, n_out = integer(n_in, "n_in", low=1), integer(n_out, "n_out", low=1)
        std = _init_std(init, n_in, n_out)
        self.params = {"W": rng_from(seed).normal(0.0, std, (n_in, n_out)), "b": np.zeros(n_out)}
        self.grads = {}

    def forward(self, x, training=True):
        self.x = x                                   # cached for the backward pass
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad):
        self.grads = {"W": self.x.T @ grad, "b": grad.sum(axis=0)}
        return grad @ self.params["W"].T
# --8<-- [end:dense]


# --8<-- [start:activation]
def activation(z, kind, slope=0.01):
    """Value and derivative of an elementwise nonlinearity at z."""
    z = as_float_array(z, "z")
    if kind == "sigmoid":
        s = np.exp(-np.logaddexp(0.0, -z))          # 1/(1+e^-z) without overflow
        return s, s * (1 - s)                        # derivative <= 1/4
    if kind == "tanh":
        t = np.tanh(z)
        return t, 1 - t**2                           # derivative <= 1
    if kind == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(float)   # 0 for every z < 0
    if kind == "leaky_relu":
        return np.where(z > 0, z, slope * z), np.where(z > 0, 1.0, slope)
    if kind == "gelu":                               # tanh approximation (Hendrycks & Gimpel)
        c = np.sqrt(2 / np.pi)
        t = np.tanh(c * (z + 0.044715 * z**3))
        return 0.5 * z * (1 + t), 0.5 * (1 + t) + 0.5 * z * (1 - t**2) * c * (1 + 3 * 0.044715 * z**2)
    raise ValueError(f"kind must be one of {', '.join(map(repr, ACTIVATIONS))}; got {kind!r}")


class Activation:
    def __init__(self, kind="relu", slope=0.01):
        self.kind = choice(kind, "kind", ACTIVATIONS)
        self.slope = real_number(slope, "slope", low=0.0, high=1.0)
        self.params, self.grads = {}, {}

    def forward(self, x, training=True):
        self.z = x                                   # pre-activation: dead-unit checks read it
        self.out, self.deriv = activation(x, self.kind, self.slope)
        return self.out

    def backward(self, grad):
        return grad * self.deriv                     # chain rule, elementwise
# --8<-- [end:activation]


# --8<-- [start:batchnorm]
class BatchNorm:
    """Batch normalisation over the batch axis, with PyTorch's conventions.

    Training: normalise with the batch mean and (biased) variance, and update
    running averages with ``running = (1 - momentum) * running + momentum * batch``
    (the running variance uses the unbiased batch variance).
    Eval: normalise with the running averages, so the output of a sample does
    not depend on the rest of the batch.
    """

    def __init__(self, n, momentum=0.1, eps=1e-5):
        n = integer(n, "n", low=1)
        self.momentum = real_number(momentum, "momentum", low=0.0, high=1.0)
        self.eps = real_number(eps, "eps", low=0.0, low_open=True)
        self.params = {"gamma": np.ones(n), "beta": np.zeros(n)}
        self.grads = {}
        self.running_mean, self.running_var = np.zeros(n), np.ones(n)

    def forward(self, x, training=True):
        if training:
            if len(x) < 2:
                raise ValueError("BatchNorm in training mode needs a batch of at least 2 rows")
            mean, var = x.mean(axis=0), x.var(axis=0)
            m, n = self.momentum, len(x)
            self.running_mean = (1 - m) * self.running_mean + m * mean
            self.running_var = (1 - m) * self.running_var + m * var * n / (n - 1)
        else:
            mean, var = self.running_mean, self.running_var
        self.training = training
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.xhat = (x - mean) * self.inv_std
        return self.params["gamma"] * self.xhat + self.params["beta"]

    def backward(self, grad):
        self.grads = {"gamma": (grad * self.xhat).sum(axis=0), "beta": grad.sum(axis=0)}
        g = grad * self.params["gamma"]              # gradient w.r.t. xhat
        if not self.training:                        # eval: mean and var are constants
            return g * self.inv_std
        # training: mean and var depend on every row of the batch
        n = len(g)
        return self.inv_std / n * (n * g - g.sum(axis=0) - self.xhat * (g * self.xhat).sum(axis=0))
# --8<-- [end:batchnorm]


# --8<-- [start:residual]
class Residual:
    """y = x + f(x): the identity path carries the gradient past f unchanged."""

    def __init__(self, layers):
        self.layers = list(layers)
        self.params, self.grads = {}, {}

    def forward(self, x, training=True):
        h = x
        for layer in self.layers:
            h = layer.forward(h, training)
        if h.shape != x.shape:
            raise ValueError(f"a residual branch must keep the shape {x.shape}, got {h.shape}")
        return x + h

    def backward(self, grad):
        g = grad
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return grad + g                              # identity path + branch
# --8<-- [end:residual]


# --8<-- [start:losses]
def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of integer labels under softmax(logits), and d loss / d logits."""
    logits = as_float_array(logits, "logits", ndim=2)
    labels = _labels(labels, len(logits), logits.shape[1])
    z = logits - logits.max(axis=1, keepdims=True)          # shift: exp never overflows
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    n = len(labels)
    loss = -log_p[np.arange(n), labels].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), labels] -= 1                          # softmax - one-hot
    return float(loss), grad / n


def mse_loss(pred, target):
    """Mean squared error over all entries (PyTorch's MSELoss default), and d loss / d pred."""
    pred = as_float_array(pred, "pred")
    target = as_float_array(target, "target")
    if pred.shape != target.shape:
        raise ValueError(f"target must have the shape of pred {pred.shape}, got {target.shape}")
    if pred.size == 0:
        raise ValueError("pred must not be empty")
    diff = pred - target
    return float((diff**2).mean()), 2 * diff / diff.size
# --8<-- [end:losses]


# --8<-- [start:mlp]
class MLP:
    """A stack of layers; forward, backward and a plain SGD step."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x, training=True):
        h = as_float_array(x, "x", ndim=2)
        for layer in self.layers:
            h = layer.forward(h, training)
        return h

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def sgd_step(self, lr):
        lr = real_number(lr, "lr", low=0.0)
        for layer in _walk(self.layers):
            for name, value in layer.params.items():
                value -= lr * layer.grads[name]      # in place: the layer sees the update

    def layers_of(self, cls):
        """Every layer of type cls in forward order, also inside residual blocks."""
        return [layer for layer in _walk(self.layers) if isinstance(layer, cls)]


def make_mlp(n_in, width, depth, n_out, activation="relu", init="he",
             batchnorm=False, residual=False, slope=0.01, seed=0):
    """depth hidden layers [Dense -> (BatchNorm) -> activation] of the same width.

    With residual=True every hidden layer after the first is a block x + f(x).
    """
    n_in, width = integer(n_in, "n_in", low=1), integer(width, "width", low=1)
    depth, n_out = integer(depth, "depth", low=1), integer(n_out, "n_out", low=1)
    choice(activation, "activation", ACTIVATIONS)
    rng = rng_from(seed)
    layers = []
    for i in range(depth):
        block = [Dense(n_in if i == 0 else width, width, init, rng)]
        if batchnorm:
            block.append(BatchNorm(width))
        block.append(Activation(activation, slope))
        layers += [Residual(block)] if residual and i > 0 else block
    layers.append(Dense(width, n_out, "xavier", rng))
    return MLP(layers)
# --8<-- [end:mlp]


def train(model, X, y, loss="ce", lr=0.1, steps=100, batch_size=32, seed=0):
    """Mini-batch SGD; returns the training loss of every step.

    loss='ce' takes integer labels y; loss='mse' takes targets of the output's shape.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    X = as_float_array(X, "X", ndim=2)
    choice(loss, "loss", ("ce", "mse"))
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"y must have {len(X)} rows like X, got {len(y)}")
    lr = real_number(lr, "lr", low=0.0)
    steps = integer(steps, "steps", low=0)
    batch_size = integer(batch_size, "batch_size", low=1)
    rng = rng_from(seed)
    losses = []
    for step in range(steps):
        idx = rng.choice(len(X), size=min(batch_size, len(X)), replace=False)
        with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported below
            try:
                out = model.forward(X[idx])
                finite = np.all(np.isfinite(out))
            except ValueError as err:                      # a layer met an overflowed input
                if "NaN or infinity" not in str(err):
                    raise
                finite = False
            if finite:
                value, grad = (softmax_cross_entropy if loss == "ce" else mse_loss)(out, y[idx])
                model.backward(grad)
                finite = all(np.all(np.isfinite(g)) for layer in _walk(model.layers)
                             for g in layer.grads.values())
        if not finite:
            raise ValueError(f"training diverged at step {step} (overflow): lr={lr} is too large")
        model.sgd_step(lr)
        losses.append(value)
    return losses


def _walk(layers):
    for layer in layers:
        if isinstance(layer, Residual):
            yield from _walk(layer.layers)
        yield layer


def _init_std(init, n_in, n_out):
    if isinstance(init, str):
        choice(init, "init", INITS)
        return np.sqrt(2 / n_in) if init == "he" else np.sqrt(2 / (n_in + n_out))
    return real_number(init, "init", low=0.0, low_open=True)


def _labels(labels, n, k):
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"labels must be a 1-D array of {n} class indices, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min(initial=0) < 0 or labels.max(initial=0) >= k:
        raise ValueError(f"labels must be integers in [0, {k - 1}]")
    return labels.astype(int)
