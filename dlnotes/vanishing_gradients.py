"""Measure vanishing and exploding gradients in the tiny MLP of :mod:`dlnotes.mlp`."""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, choice, integer, rng_from
from dlnotes.mlp import Activation, Dense, MLP, make_mlp, softmax_cross_entropy

# The networks the page compares: name -> make_mlp keyword arguments.
CONFIGS = {
    "sigmoid, Xavier": dict(activation="sigmoid", init="xavier"),
    "sigmoid, Xavier + BN": dict(activation="sigmoid", init="xavier", batchnorm=True),
    "sigmoid, Xavier + residual": dict(activation="sigmoid", init="xavier", residual=True),
    "ReLU, He": dict(activation="relu", init="he"),
    "ReLU, He + BN": dict(activation="relu", init="he", batchnorm=True),
    "ReLU, He + BN + residual": dict(activation="relu", init="he", batchnorm=True, residual=True),
}


def toy_batch(n=256, n_in=32, n_classes=10, seed=0):
    """Gaussian inputs and random labels: enough to get a gradient at initialisation."""
    n, n_in = integer(n, "n", low=2), integer(n_in, "n_in", low=1)
    n_classes = integer(n_classes, "n_classes", low=2)
    rng = rng_from(seed)
    return rng.normal(size=(n, n_in)), rng.integers(0, n_classes, n)


# --8<-- [start:norms]
def layer_gradient_norms(model, X, y):
    """||dL/dW|| of every Dense layer, input side first, after one forward/backward pass."""
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    logits = model.forward(X, training=True)
    _, grad = softmax_cross_entropy(logits, y)
    model.backward(grad)
    return np.array([np.linalg.norm(d.grads["W"]) for d in model.layers_of(Dense)])
# --8<-- [end:norms]


def config_gradient_norms(name, depth=30, width=64, seed=1, data_seed=0):
    """Per-layer gradient norms at initialisation for one of :data:`CONFIGS`."""
    choice(name, "name", tuple(CONFIGS))
    depth, width = integer(depth, "depth", low=2), integer(width, "width", low=1)
    X, y = toy_batch(seed=data_seed)
    model = make_mlp(X.shape[1], width, depth, 10, seed=seed, **CONFIGS[name])
    return layer_gradient_norms(model, X, y)


def hidden_activations(model, X, training=True):
    """The output of every activation layer (one array per hidden layer)."""
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    X = as_float_array(X, "X", ndim=2)
    model.forward(X, training=training)
    return [a.out for a in model.layers_of(Activation)]


def saturated_fraction(model, X):
    """Fraction of sigmoid/tanh units whose derivative is below 10 % of its maximum, per layer."""
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    model.forward(as_float_array(X, "X", ndim=2), training=True)
    out = []
    for a in model.layers_of(Activation):
        top = {"sigmoid": 0.25, "tanh": 1.0}.get(a.kind)
        if top is None:
            raise ValueError(f"saturation is defined for sigmoid and tanh layers, got {a.kind!r}")
        out.append(float((a.deriv < 0.1 * top).mean()))
    return np.array(out)
