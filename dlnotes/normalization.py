"""Normalisation layers as one computation over different axes.

For an activation tensor ``x`` of shape ``(N, C, H, W)`` every layer computes
``(x - mean) / sqrt(var + eps)`` with the *biased* variance, then an affine map;
only the set of entries that share one mean and variance differs:

* BatchNorm: per channel, over ``(N, H, W)`` (uses the batch; running averages at eval);
* LayerNorm: per sample, over ``(C, H, W)`` (or over the last axis of a token);
* InstanceNorm: per sample and channel, over ``(H, W)``;
* GroupNorm: per sample and group of ``C // G`` channels, over ``(C // G, H, W)``.

GroupNorm with one group is LayerNorm, with ``C`` groups InstanceNorm. RMSNorm
drops the mean and divides by the root mean square. :class:`BatchNorm2d` reuses
the BatchNorm of :mod:`dlnotes.mlp` (PyTorch's running-statistics conventions),
and :func:`fold_bn_into_conv` turns conv + BN (eval) into a single conv.
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, integer, real_number, rng_from
from dlnotes.mlp import BatchNorm
from dlnotes.segmentation import conv2d

KINDS = ("batch", "layer", "instance", "group")


def _x4(x):
    return as_float_array(x, "x", ndim=4)


def _eps(eps):
    return real_number(eps, "eps", low=0.0, low_open=True)


def _channel_affine(y, gamma, beta):
    """Per-channel gamma, beta of shape (C,), broadcast over (N, C, H, W)."""
    C = y.shape[1]
    for name, v in (("gamma", gamma), ("beta", beta)):
        if v is not None and as_float_array(v, name).shape != (C,):
            raise ValueError(f"{name} must have shape ({C},), got {np.shape(v)}")
    if gamma is not None:
        y = y * np.asarray(gamma, float)[None, :, None, None]
    if beta is not None:
        y = y + np.asarray(beta, float)[None, :, None, None]
    return y


# --8<-- [start:axes]
def normalize(x, axes, eps=1e-5):
    """(x - mean) / sqrt(var + eps), mean and biased var taken over `axes`."""
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)            # biased: divide by the count
    return (x - mean) / np.sqrt(var + eps)


def batch_norm(x, gamma=None, beta=None, eps=1e-5):
    """Training-mode BN of x (N, C, H, W): one mean and var per channel."""
    x = _x4(x)
    return _channel_affine(normalize(x, (0, 2, 3), _eps(eps)), gamma, beta)


def group_norm(x, num_groups, gamma=None, beta=None, eps=1e-5):
    """GN: split the C channels into groups; one mean and var per (sample, group)."""
    x = _x4(x)
    N, C, H, W = x.shape
    G = integer(num_groups, "num_groups", low=1, high=C)
    if C % G:
        raise ValueError(f"num_groups must divide the {C} channels, got {G}")
    y = normalize(x.reshape(N, G, C // G, H, W), (2, 3, 4), _eps(eps)).reshape(x.shape)
    return _channel_affine(y, gamma, beta)


def instance_norm(x, gamma=None, beta=None, eps=1e-5):
    """IN = GN with one channel per group: one mean and var per (sample, channel)."""
    return group_norm(x, _x4(x).shape[1], gamma, beta, eps)
# --8<-- [end:axes]


# --8<-- [start:layer-norm]
def layer_norm(x, gamma=None, beta=None, eps=1e-5, ndim=1):
    """LN over the last `ndim` axes, like torch.nn.LayerNorm(x.shape[-ndim:]).

    gamma and beta (if given) have the shape of those axes: per element.
    """
    x = as_float_array(x, "x", min_ndim=1)
    ndim = integer(ndim, "ndim", low=1, high=x.ndim)
    axes = tuple(range(x.ndim - ndim, x.ndim))
    y = normalize(x, axes, _eps(eps))
    return _elementwise_affine(y, gamma, beta, x.shape[-ndim:])


def rms_norm(x, gamma=None, eps=1e-6, ndim=1):
    """RMSNorm (Zhang & Sennrich 2019): x / sqrt(mean(x^2) + eps) * gamma; no centring, no beta."""
    x = as_float_array(x, "x", min_ndim=1)
    ndim = integer(ndim, "ndim", low=1, high=x.ndim)
    axes = tuple(range(x.ndim - ndim, x.ndim))
    y = x / np.sqrt((x**2).mean(axis=axes, keepdims=True) + _eps(eps))
    return _elementwise_affine(y, gamma, None, x.shape[-ndim:])
# --8<-- [end:layer-norm]


def _elementwise_affine(y, gamma, beta, shape):
    for name, v in (("gamma", gamma), ("beta", beta)):
        if v is not None and as_float_array(v, name).shape != tuple(shape):
            raise ValueError(f"{name} must have shape {tuple(shape)}, got {np.shape(v)}")
    if gamma is not None:
        y = y * np.asarray(gamma, float)
    if beta is not None:
        y = y + np.asarray(beta, float)
    return y


def norm_by_kind(x, kind, num_groups=2, eps=1e-5):
    """One entry point for the four layers on (N, C, H, W), without affine parameters."""
    if kind == "batch":
        return batch_norm(x, eps=eps)
    if kind == "layer":
        return layer_norm(_x4(x), eps=eps, ndim=3)
    if kind == "instance":
        return instance_norm(x, eps=eps)
    if kind == "group":
        return group_norm(x, num_groups, eps=eps)
    raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")


def stat_groups(shape, kind, num_groups=2):
    """Label every entry of an (N, C, H, W) tensor with the id of the mean it shares.

    Entries with the same label are normalised together; used to draw the cube figure.
    """
    if not isinstance(shape, (tuple, list)) or len(shape) != 4:
        raise TypeError(f"shape must be a 4-tuple (N, C, H, W), got {shape!r}")
    N, C, H, W = (integer(s, "shape", low=1) for s in shape)
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    if kind == "batch":
        ids = c
    elif kind == "layer":
        ids = n
    elif kind == "instance":
        ids = n * C + c
    elif kind == "group":
        G = integer(num_groups, "num_groups", low=1, high=C)
        if C % G:
            raise ValueError(f"num_groups must divide the {C} channels, got {G}")
        ids = n * G + c // (C // G)
    else:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")
    return np.broadcast_to(ids[:, :, None, None], (N, C, H, W)).copy()


# --8<-- [start:batchnorm2d]
class BatchNorm2d:
    """BN for (N, C, H, W): dlnotes.mlp.BatchNorm applied to the N*H*W rows of each channel.

    Same conventions as torch.nn.BatchNorm2d: momentum 0.1, biased variance to
    normalise, unbiased variance (count N*H*W) in running_var, running averages in eval.
    """

    def __init__(self, num_features, momentum=0.1, eps=1e-5):
        self.bn = BatchNorm(num_features, momentum=momentum, eps=eps)

    def forward(self, x, training=True):
        x = _x4(x)
        N, C, H, W = x.shape
        if C != len(self.bn.running_mean):
            raise ValueError(f"x must have {len(self.bn.running_mean)} channels, got {C}")
        rows = x.transpose(0, 2, 3, 1).reshape(-1, C)          # (N*H*W, C)
        y = self.bn.forward(rows, training=training)
        return y.reshape(N, H, W, C).transpose(0, 3, 1, 2)
# --8<-- [end:batchnorm2d]

    @property
    def running_mean(self):
        return self.bn.running_mean

    @property
    def running_var(self):
        return self.bn.running_var


# --8<-- [start:fold]
def fold_bn_into_conv(weight, bias, gamma, beta, running_mean, running_var, eps=1e-5):
    """Fold an eval-mode BN into the conv before it: returns (weight', bias').

    BN(conv(x) + b) = s * (conv(x) + b - mu) + beta with s = gamma / sqrt(var + eps),
    which is conv with weight * s (per output channel) and bias s * (b - mu) + beta.
    """
    weight = as_float_array(weight, "weight", ndim=4)
    K = weight.shape[0]
    b, g, be, mu, var = (_vec(v, n, K) for v, n in [(bias, "bias"), (gamma, "gamma"), (beta, "beta"),
                                                     (running_mean, "running_mean"),
                                                     (running_var, "running_var")])
    if np.any(var < 0):
        raise ValueError("running_var must be non-negative")
    s = g / np.sqrt(var + _eps(eps))
    return weight * s[:, None, None, None], s * (b - mu) + be
# --8<-- [end:fold]


def _vec(v, name, K):
    v = np.zeros(K) if v is None and name == "bias" else as_float_array(v, name, ndim=1)
    if v.shape != (K,):
        raise ValueError(f"{name} must have shape ({K},), got {v.shape}")
    return v


def conv_bn_eval(x, weight, bias, gamma, beta, running_mean, running_var, eps=1e-5):
    """Reference: conv2d then BN with running statistics, as two separate steps (x is (C, H, W))."""
    z = conv2d(x, weight) + np.asarray(bias, float)[:, None, None]
    s = np.asarray(gamma, float) / np.sqrt(np.asarray(running_var, float) + eps)
    return s[:, None, None] * (z - np.asarray(running_mean, float)[:, None, None]) \
        + np.asarray(beta, float)[:, None, None]


def conv_bias(x, weight, bias):
    """conv2d (stride 1, 'same') plus a per-output-channel bias."""
    return conv2d(x, weight) + np.asarray(bias, float)[:, None, None]


# --8<-- [start:small-batch]
def bn_output_spread(batch_size, trials=400, channels=8, seed=0):
    """Std, over random batch-mates, of the BN output for one fixed example.

    The fixed example and its batch-mates are (channels,) vectors from N(0, 1).
    GroupNorm/LayerNorm outputs do not depend on the batch at all (spread 0).
    """
    m = integer(batch_size, "batch_size", low=2)
    trials = integer(trials, "trials", low=2)
    C = integer(channels, "channels", low=1)
    rng = rng_from(seed)
    me = rng.normal(size=C)
    outs = []
    for _ in range(trials):
        batch = np.vstack([me, rng.normal(size=(m - 1, C))])
        outs.append(normalize(batch, 0)[0])              # training-mode BN, row 0 is `me`
    return float(np.std(outs, axis=0).mean())
# --8<-- [end:small-batch]


def running_mean_path(steps=60, true_mean=2.0, batch_size=16, momentum=0.1, seed=0):
    """running_mean of one BN channel after each step, data N(true_mean, 1), start 0."""
    steps = integer(steps, "steps", low=1)
    bn = BatchNorm(1, momentum=momentum)
    rng = rng_from(seed)
    path = []
    for _ in range(steps):
        bn.forward(rng.normal(true_mean, 1.0, size=(integer(batch_size, "batch_size", low=2), 1)))
        path.append(bn.running_mean[0])
    return np.array(path)


def residual_stream_norms(depth=24, width=64, placement="pre", seed=0):
    """Norm of the hidden state after each residual block, at random initialisation.

    Each block is x + F(x) with F a random linear map (Xavier scale) behind the LN:
    'pre':  x <- x + F(LN(x))      (Pre-LN, the LN sits inside the residual branch)
    'post': x <- LN(x + F(x))      (Post-LN, the original Transformer)
    Returns the norms divided by sqrt(width), one per block.
    """
    L = integer(depth, "depth", low=1)
    d = integer(width, "width", low=2)
    if placement not in ("pre", "post"):
        raise ValueError(f"placement must be 'pre' or 'post'; got {placement!r}")
    rng = rng_from(seed)
    x = rng.normal(size=d)
    out = []
    for _ in range(L):
        F = rng.normal(0.0, np.sqrt(1.0 / d), size=(d, d))
        x = x + F @ layer_norm(x) if placement == "pre" else layer_norm(x + F @ x)
        out.append(np.linalg.norm(x) / np.sqrt(d))
    return np.array(out)
