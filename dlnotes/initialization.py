"""Weight initialisation: fans, gains, Glorot/He, orthogonal, LSUV and PyTorch's defaults.

Shapes follow PyTorch: a weight has shape ``(out, in, *kernel)`` (a linear layer
``(out_features, in_features)``, a 2-D convolution ``(C_out, C_in / groups, kH, kW)``),
and a layer computes ``z = h @ W.T + b``. Every initialiser returns a new numpy
array; ``seed`` is ``None``, an int or a ``numpy.random.Generator``.

:func:`depth_profile` pushes a batch through a deep MLP built from
:mod:`dlnotes.mlp` layers and returns the per-layer standard deviation of the
activations (forward) and of the back-propagated gradients (backward).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number, rng_from
from dlnotes.mlp import Activation, Dense

NONLINEARITIES = ("linear", "conv1d", "conv2d", "conv3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")
SCHEMES = ("xavier", "he", "pytorch", "orthogonal", "lsuv", "small")


def _shape(shape):
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__"):
        raise TypeError(f"shape must be a tuple of ints like (out, in), got {shape!r}")
    shape = tuple(integer(s, "shape", low=1) for s in shape)
    if len(shape) < 2:
        raise ValueError(f"shape must have at least 2 dimensions (out, in, *kernel), got {shape}")
    return shape


# --8<-- [start:fans]
def fans(shape):
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel), as PyTorch computes them."""
    shape = _shape(shape)
    receptive = math.prod(shape[2:])          # kH * kW for a conv, 1 for a linear layer
    return shape[1] * receptive, shape[0] * receptive
# --8<-- [end:fans]


# --8<-- [start:gain]
def gain(nonlinearity, param=None):
    """torch.nn.init.calculate_gain: the factor that makes up for what f does to the variance."""
    choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)                 # ReLU zeroes half of a symmetric input
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else real_number(param, "param")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    return 1.0                                # linear, conv, sigmoid
# --8<-- [end:gain]


# --8<-- [start:xavier-he]
def xavier_normal(shape, gain=1.0, seed=None):
    """Glorot & Bengio (2010): Var(W) = gain^2 * 2 / (fan_in + fan_out)."""
    fan_in, fan_out = fans(shape)
    std = real_number(gain, "gain", low=0.0) * math.sqrt(2.0 / (fan_in + fan_out))
    return rng_from(seed).normal(0.0, std, _shape(shape))


def xavier_uniform(shape, gain=1.0, seed=None):
    """Same variance from U(-a, a): a = sqrt(3) * std, since Var U(-a, a) = a^2 / 3."""
    fan_in, fan_out = fans(shape)
    a = real_number(gain, "gain", low=0.0) * math.sqrt(6.0 / (fan_in + fan_out))
    return rng_from(seed).uniform(-a, a, _shape(shape))


def kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. (2015): std = gain / sqrt(fan); PyTorch's argument names and defaults."""
    fan_in, fan_out = fans(shape)
    fan = fan_in if choice(mode, "mode", ("fan_in", "fan_out")) == "fan_in" else fan_out
    return gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", seed=None):
    return rng_from(seed).normal(0.0, kaiming_std(shape, a, mode, nonlinearity), _shape(shape))


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", seed=None):
    bound = math.sqrt(3.0) * kaiming_std(shape, a, mode, nonlinearity)
    return rng_from(seed).uniform(-bound, bound, _shape(shape))
# --8<-- [end:xavier-he]


# --8<-- [start:pytorch-default]
def pytorch_default(shape, seed=None):
    """What nn.Linear / nn.Conv2d do in reset_parameters(): weight and bias.

    weight: kaiming_uniform_(w, a=sqrt(5)), i.e. gain sqrt(2 / (1 + 5)) = sqrt(1/3) and
    bound sqrt(3) * gain / sqrt(fan_in) = 1 / sqrt(fan_in); bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    """
    rng = rng_from(seed)
    weight = kaiming_uniform(shape, a=math.sqrt(5), seed=rng)
    bound = 1.0 / math.sqrt(fans(shape)[0])
    return weight, rng.uniform(-bound, bound, _shape(shape)[0])
# --8<-- [end:pytorch-default]


# --8<-- [start:orthogonal]
def orthogonal(shape, gain=1.0, seed=None):
    """Saxe et al. (2014): a random (semi-)orthogonal matrix, trailing dims flattened, times gain."""
    shape = _shape(shape)
    rows, cols = shape[0], math.prod(shape[1:])
    a = rng_from(seed).normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)                    # q has orthonormal columns
    q *= np.sign(np.diag(r))                  # sign fix: makes q uniformly (Haar) distributed
    if rows < cols:
        q = q.T
    return real_number(gain, "gain", low=0.0) * q.reshape(shape)
# --8<-- [end:orthogonal]


# --8<-- [start:lsuv]
def lsuv(weights, x, nonlinearity="relu", tol=0.1, max_iter=10):
    """Mishkin & Matas (2016): layer by layer, rescale W until its output has variance 1 on x.

    weights: list of (out, in) matrices, usually orthogonal; returns rescaled copies.
    """
    h = as_float_array(x, "x", ndim=2)
    tol = real_number(tol, "tol", low=0.0, low_open=True)
    max_iter = integer(max_iter, "max_iter", low=1)
    out = []
    for W in weights:
        W = as_float_array(W, "weights[i]", ndim=2).copy()
        for _ in range(max_iter):
            var = (h @ W.T).var()             # variance of this layer's output on the batch
            if abs(var - 1.0) < tol:
                break
            W /= math.sqrt(var)
        out.append(W)
        h = _act(h @ W.T, nonlinearity)       # the next layer sees the rescaled signal
    return out
# --8<-- [end:lsuv]


def _act(z, nonlinearity):
    if nonlinearity == "relu":
        return np.maximum(z, 0.0)
    if nonlinearity == "tanh":
        return np.tanh(z)
    return z


def init_weights(scheme, nonlinearity, depth, width, x=None, seed=0):
    """Weights and biases for `depth` square (width x width) layers, as lists of arrays.

    scheme: 'xavier' (gain 1), 'he' (fan_in, gain of the nonlinearity), 'pytorch' (the nn.Linear
    default, with its random bias), 'orthogonal' (times the gain), 'lsuv' (orthogonal, then
    rescaled on the batch x), 'small' (N(0, 0.01^2)). Biases are zero except for 'pytorch'.
    """
    choice(scheme, "scheme", SCHEMES)
    choice(nonlinearity, "nonlinearity", ("linear", "tanh", "relu"))
    depth, width = integer(depth, "depth", low=1), integer(width, "width", low=1)
    rng = rng_from(seed)
    shape, g = (width, width), gain(nonlinearity)
    Ws, bs = [], [np.zeros(width) for _ in range(depth)]
    for i in range(depth):
        if scheme == "xavier":
            Ws.append(xavier_normal(shape, seed=rng))
        elif scheme == "he":
            Ws.append(rng.normal(0.0, g / math.sqrt(width), shape))
        elif scheme == "pytorch":
            Ws.append(None)
            Ws[i], bs[i] = pytorch_default(shape, seed=rng)
        elif scheme == "small":
            Ws.append(rng.normal(0.0, 0.01, shape))
        else:
            Ws.append(orthogonal(shape, g if scheme == "orthogonal" else 1.0, seed=rng))
    if scheme == "lsuv":
        if x is None:
            raise ValueError("scheme 'lsuv' needs the data batch x")
        Ws = lsuv(Ws, x, nonlinearity)
    return Ws, bs


# --8<-- [start:depth-profile]
def depth_profile(scheme, nonlinearity="relu", depth=50, width=256, batch=256, seed=0):
    """Std of each layer's activations h_l and of the gradient dL/dh_l, at initialisation.

    A batch x ~ N(0, 1) goes through `depth` layers Dense -> nonlinearity (dlnotes.mlp);
    the loss is L = sum(G * h_depth) with a fixed G ~ N(0, 1), so dL/dh_depth = G.
    """
    batch = integer(batch, "batch", low=2)
    rng = rng_from(seed)
    x = rng.normal(size=(batch, integer(width, "width", low=1)))
    Ws, bs = init_weights(scheme, nonlinearity, depth, width, x=x, seed=rng)
    layers = []
    for W, b in zip(Ws, bs):
        dense = Dense(width, width)
        dense.params = {"W": W.T.copy(), "b": b}     # mlp.Dense computes h @ W with W (in, out)
        layers += [dense] if nonlinearity == "linear" else [dense, Activation(nonlinearity)]
    ends = [i for i, layer in enumerate(layers) if nonlinearity == "linear" or isinstance(layer, Activation)]
    act_std, h = [], x
    for i, layer in enumerate(layers):
        h = layer.forward(h)
        if i in ends:
            act_std.append(float(h.std()))          # h_l, the output of layer l
    grad_std, grad = [], rng.normal(size=h.shape)  # dL/dh_depth = G
    for i in reversed(range(len(layers))):
        if i in ends:
            grad_std.append(float(grad.std()))     # dL/dh_l, from the last layer down
        grad = layers[i].backward(grad)
    return np.array(act_std), np.array(grad_std[::-1])
# --8<-- [end:depth-profile]


def jacobian_singular_values(scheme, depth=50, width=128, seed=0):
    """Singular values of the input-output Jacobian prod W_l of a deep *linear* network."""
    Ws, _ = init_weights(scheme, "linear", depth, width, x=rng_from(seed).normal(size=(4 * width, width)),
                         seed=seed)
    J = np.eye(width)
    for W in Ws:
        J = W @ J
    return np.linalg.svd(J, compute_uv=False)
