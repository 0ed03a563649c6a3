"""The fully connected (dense) CRF of Krähenbühl & Koltun (NIPS 2011), exactly, for small images.

Energy of a labelling x (one label per pixel)::

    E(x) = sum_i psi_u(x_i) + sum_{i<j} mu(x_i, x_j) k(f_i, f_j)

* unary psi_u(l) = -log P_i(l), with P the network's softmax output;
* Potts compatibility mu(l, l') = [l != l']: only pairs with different labels pay;
* kernel k = w_app exp(-|p_i-p_j|^2/2 theta_alpha^2 - |I_i-I_j|^2/2 theta_beta^2)   (appearance / bilateral)
           + w_smooth exp(-|p_i-p_j|^2/2 theta_gamma^2)                               (smoothness / Gaussian)
  with p the pixel position and I its colour.

Mean-field inference replaces the posterior by a product of per-pixel
distributions Q_i and updates them.  Krähenbühl & Koltun make each update cheap
with high-dimensional filtering; here the N x N kernel matrix is built
explicitly, which is exact and fine up to a few thousand pixels.
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number, rng_from
from dlnotes.segmentation import bilinear_upsample

MAX_PIXELS = 4096          # N x N float64 kernel: 128 MB at 64 x 64
SCHEDULES = ("parallel", "sequential")


def _check_probs(probs):
    probs = as_float_array(probs, "probs", ndim=3)
    if probs.shape[2] < 2:
        raise ValueError(f"probs must have at least 2 labels on its last axis, got shape {probs.shape}")
    if (probs < 0).any() or not np.allclose(probs.sum(-1), 1.0, atol=1e-6):
        raise ValueError("probs must be a probability map: non-negative, summing to 1 over the last axis")
    return probs


def _check_image(image, shape):
    image = as_float_array(image, "image")
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[:2] != tuple(shape):
        raise ValueError(f"image must be (H, W) or (H, W, C) with H, W = {tuple(shape)}, got {image.shape}")
    return image


# --8<-- [start:kernel]
def pairwise_kernel(image, theta_alpha=6.0, theta_beta=13.0, theta_gamma=3.0, w_app=5.0, w_smooth=1.0):
    """The N x N matrix k(f_i, f_j) of the dense CRF, zero on the diagonal.

    ``image`` is (H, W) or (H, W, C) on the 0-255 scale (theta_beta is in those units);
    thetas are in pixels.  DeepLab's defaults at full VOC resolution are larger
    (theta_alpha of 30-100); shrink them with the image.
    """
    image = as_float_array(image, "image")
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W = image.shape[:2]
    image = _check_image(image, (H, W))
    ta = real_number(theta_alpha, "theta_alpha", low=0.0, low_open=True)
    tb = real_number(theta_beta, "theta_beta", low=0.0, low_open=True)
    tg = real_number(theta_gamma, "theta_gamma", low=0.0, low_open=True)
    wa = real_number(w_app, "w_app", low=0.0)
    ws = real_number(w_smooth, "w_smooth", low=0.0)
    n = H * W
    if n > MAX_PIXELS:
        raise ValueError(f"image has {n} pixels; the exact dense CRF allows at most {MAX_PIXELS} (e.g. 64 x 64)")
    rows, cols = np.mgrid[0:H, 0:W]
    pos = np.stack([rows.ravel(), cols.ravel()], 1).astype(float)
    col = image.reshape(n, -1)
    d_pos, d_col = _sq_dist(pos), _sq_dist(col)                     # |p_i - p_j|^2, |I_i - I_j|^2
    K = wa * np.exp(-d_pos / (2 * ta**2) - d_col / (2 * tb**2)) + ws * np.exp(-d_pos / (2 * tg**2))
    np.fill_diagonal(K, 0.0)                                        # no self-interaction
    return K
# --8<-- [end:kernel]


def _sq_dist(f):
    """All pairwise squared distances of the rows of f, one feature at a time (no N x N x d array)."""
    d = np.zeros((len(f), len(f)))
    for c in range(f.shape[1]):
        diff = np.subtract.outer(f[:, c], f[:, c])
        d += diff * diff
    return d


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# --8<-- [start:meanfield]
def mean_field(probs, kernel, iterations=10, schedule="parallel"):
    """Mean-field inference for the dense CRF with Potts compatibility.

    With Potts, the update of pixel i is
        Q_i(l)  proportional to  exp(-psi_u(l) + sum_j k_ij Q_j(l)):
    agreeing neighbours (weighted by the kernel) vote for label l.
    ``parallel`` updates every pixel at once (what Krähenbühl & Koltun and
    DeepLab do); ``sequential`` updates one pixel at a time, which never
    increases the mean-field free energy.  Returns Q (H, W, L) and a list of Q
    after each iteration (the first entry is the initial Q = softmax(-unary)).
    """
    probs = _check_probs(probs)
    H, W, L = probs.shape
    K = as_float_array(kernel, "kernel", ndim=2)
    if K.shape != (H * W, H * W):
        raise ValueError(f"kernel must be ({H * W}, {H * W}) for a {H}x{W} map, got {K.shape}")
    iterations = integer(iterations, "iterations", low=0)
    choice(schedule, "schedule", SCHEDULES)
    unary = -np.log(np.clip(probs.reshape(-1, L), 1e-12, None))     # psi_u = -log P
    Q = _softmax(-unary)
    history = [Q.reshape(H, W, L).copy()]
    for _ in range(iterations):
        if schedule == "parallel":
            Q = _softmax(-unary + K @ Q)           # message passing = one matrix product
        else:
            for i in range(H * W):                 # coordinate descent on the free energy
                Q[i] = _softmax(-unary[i] + K[i] @ Q)
        history.append(Q.reshape(H, W, L).copy())
    return Q.reshape(H, W, L), history
# --8<-- [end:meanfield]


# --8<-- [start:energy]
def free_energy(Q, probs, kernel):
    """Mean-field free energy KL(Q || P) up to a constant: the quantity inference minimises.

    F(Q) = sum_i <psi_u>_Q_i + sum_{i<j} k_ij P_Q(x_i != x_j) - sum_i H(Q_i).
    """
    probs = _check_probs(probs)
    H, W, L = probs.shape
    Q = as_float_array(Q, "Q").reshape(-1, L)
    K = as_float_array(kernel, "kernel", ndim=2)
    unary = -np.log(np.clip(probs.reshape(-1, L), 1e-12, None))
    expected_unary = (Q * unary).sum()
    same = (Q * (K @ Q)).sum() / 2                  # sum_{i<j} k_ij P(x_i = x_j)
    pairwise = K.sum() / 2 - same                   # ... and P(x_i != x_j) = 1 - P(same)
    entropy = -(Q * np.log(np.clip(Q, 1e-300, None))).sum()
    return float(expected_unary + pairwise - entropy)


def labelling_energy(labels, probs, kernel):
    """E(x) of a hard labelling x (H, W): unaries plus Potts penalties of all differing pairs."""
    probs = _check_probs(probs)
    H, W, L = probs.shape
    labels = np.asarray(labels)
    if labels.shape != (H, W) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be an integer ({H}, {W}) map")
    if labels.min() < 0 or labels.max() >= L:
        raise ValueError(f"labels must be in [0, {L - 1}]")
    K = as_float_array(kernel, "kernel", ndim=2)
    x = labels.ravel()
    unary = -np.log(np.clip(probs.reshape(-1, L)[np.arange(x.size), x], 1e-12, None)).sum()
    differ = x[:, None] != x[None, :]
    return float(unary + (K * differ).sum() / 2)
# --8<-- [end:energy]


def dense_crf(image, probs, iterations=10, schedule="parallel", **kernel_params):
    """Convenience: build the kernel for ``image`` and run mean field on ``probs``."""
    probs = _check_probs(probs)
    if probs.shape[0] * probs.shape[1] > MAX_PIXELS:
        raise ValueError(f"probs has {probs.shape[0] * probs.shape[1]} pixels; at most {MAX_PIXELS} allowed")
    K = pairwise_kernel(image, **kernel_params)
    return mean_field(probs, K, iterations=iterations, schedule=schedule)


def coarse_probabilities(mask, num_classes=2, stride=8, confidence=4.0, noise=0.0, seed=0):
    """A stand-in for a network's output: a label map seen at 1/``stride`` resolution.

    Average-pools the one-hot labels by ``stride`` (like a backbone with output
    stride 8), upsamples bilinearly back, turns the result into logits scaled
    by ``confidence``, adds Gaussian noise of std ``noise`` and applies softmax.
    Edges come out blurred by about ``stride`` pixels: what the CRF has to fix.
    """
    mask = np.asarray(mask)
    if mask.ndim != 2 or not (np.issubdtype(mask.dtype, np.integer) or mask.dtype == bool):
        raise ValueError("mask must be a 2-D integer or boolean label map")
    mask = mask.astype(int)
    L = integer(num_classes, "num_classes", low=2)
    s = integer(stride, "stride", low=1)
    conf = real_number(confidence, "confidence", low=0.0)
    noise = real_number(noise, "noise", low=0.0)
    if mask.min() < 0 or mask.max() >= L:
        raise ValueError(f"mask labels must be in [0, {L - 1}]")
    H, W = mask.shape
    if H % s or W % s:
        raise ValueError(f"mask shape {mask.shape} must be divisible by stride {s}")
    onehot = np.eye(L)[mask]                                         # (H, W, L)
    pooled = onehot.reshape(H // s, s, W // s, s, L).mean((1, 3))    # what a stride-s net sees
    up = np.stack([bilinear_upsample(pooled[..., c], s) for c in range(L)], -1)
    logits = conf * up + noise * rng_from(seed).normal(size=up.shape)
    return _softmax(logits)


# Colour rules for a pseudo ground truth: "object" = orange pixels (HSV hue in
# [0.02, 0.12], saturation > 0.5, value > 0.3): the dahlia of scikit-learn's
# flower.jpg, the spacesuit of scikit-image's astronaut.  A toy target for
# demonstrations, not an annotation.
_SCENES = ("flower", "astronaut")


def demo_scene(name="flower", shape=(48, 72)):
    """A small photo that ships with scikit-learn / scikit-image and a 2-class pseudo ground truth.

    Returns ``image`` (H, W, 3) float on the 0-255 scale and ``mask`` (H, W) int
    (1 = object).  The mask comes from an orange-colour threshold, a closing,
    dropping specks and filling holes at full resolution, then downsampling.
    """
    from scipy import ndimage as ndi
    from skimage import color, data, measure, morphology, transform

    choice(name, "name", _SCENES)
    if not (isinstance(shape, tuple) and len(shape) == 2):
        raise TypeError(f"shape must be a (H, W) tuple, got {shape!r}")
    H, W = (integer(v, "shape", low=2) for v in shape)
    if H * W > MAX_PIXELS:
        raise ValueError(f"shape {shape} has {H * W} pixels; at most {MAX_PIXELS} allowed")
    if name == "flower":
        from sklearn.datasets import load_sample_image
        rgb = load_sample_image("flower.jpg")
    else:
        rgb = data.astronaut()
    hsv = color.rgb2hsv(rgb)
    m = (hsv[..., 0] >= 0.02) & (hsv[..., 0] <= 0.12) & (hsv[..., 1] > 0.5) & (hsv[..., 2] > 0.3)
    m = morphology.opening(morphology.closing(m, morphology.disk(4)), morphology.disk(4))
    lbl = measure.label(m)
    sizes = np.bincount(lbl.ravel())
    big = [i for i in range(1, len(sizes)) if sizes[i] > 0.01 * m.size]     # drop specks
    m = ndi.binary_fill_holes(np.isin(lbl, big))
    image = transform.resize(rgb, (H, W), anti_aliasing=True, preserve_range=True)
    mask = (transform.resize(m.astype(float), (H, W), anti_aliasing=True) > 0.5).astype(int)
    return image, mask
