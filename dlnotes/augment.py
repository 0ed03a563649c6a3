"""Multi-sample augmentation: mixup, CutMix, Cutout / Random Erasing, SamplePairing.

Images are numpy arrays ``(H, W)`` or ``(H, W, C)``; a batch adds a leading
axis ``N``.  Pixels are either ``uint8`` (0..255) or floats; every function
returns the dtype it was given (uint8 results are rounded half up and clipped,
the same rule as the page's JavaScript slider).  Labels are soft label
vectors ``(N, K)``: use :func:`one_hot` to turn class indices into them.

Sources: mixup (Zhang et al., ICLR 2018), CutMix (Yun et al., ICCV 2019),
Cutout (DeVries & Taylor, 2017), Random Erasing (Zhong et al., AAAI 2020),
SamplePairing (Inoue, 2018).
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, integer, real_number, rng_from


# ----------------------------------------------------------------- helpers
def _images(x, name, *, batch):
    """Return (float copy, original dtype) of an image or a batch of images."""
    if isinstance(x, np.ndarray) and x.dtype == np.uint8:
        dtype = np.uint8
    else:
        dtype = np.float64
    arr = as_float_array(x, name)
    lo, hi = (3, 4) if batch else (2, 3)
    if not lo <= arr.ndim <= hi:
        what = "a batch (N, H, W) or (N, H, W, C)" if batch else "an image (H, W) or (H, W, C)"
        raise ValueError(f"{name} must be {what}, got shape {arr.shape}")
    if batch and arr.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one image, got shape {arr.shape}")
    return arr.copy(), dtype


def _restore(arr, dtype):
    """Back to the caller's dtype: uint8 is rounded half up and clipped to 0..255."""
    if dtype == np.uint8:
        return np.clip(np.floor(arr + 0.5), 0, 255).astype(np.uint8)
    return arr


def _soft_labels(y, name, n):
    y = as_float_array(y, name, ndim=2)
    if y.shape[0] != n:
        raise ValueError(f"{name} must have one row per image ({n}), got shape {y.shape}")
    if (y < 0).any() or not np.allclose(y.sum(axis=1), 1.0):
        raise ValueError(f"{name} rows must be probability vectors (non-negative, summing to 1)")
    return y


def _alpha(alpha):
    return real_number(alpha, "alpha", low=0.0, low_open=True)


def _lam(lam):
    return real_number(lam, "lam", low=0.0, high=1.0)


def one_hot(labels, num_classes):
    """Class indices (N,) -> one-hot rows (N, K)."""
    num_classes = integer(num_classes, "num_classes", low=1)
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D array of integer class indices, got {labels.dtype} {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be in [0, {num_classes - 1}]")
    return np.eye(num_classes)[labels]


# --8<-- [start:lambda]
def sample_lambda(alpha, seed=None):
    """Mixing weight lam ~ Beta(alpha, alpha), alpha > 0 (mixup and CutMix)."""
    alpha = _alpha(alpha)
    return float(rng_from(seed).beta(alpha, alpha))
# --8<-- [end:lambda]


# --8<-- [start:blend]
def blend(a, b, lam):
    """lam * a + (1 - lam) * b for two images of the same shape (the slider's formula)."""
    lam = _lam(lam)
    a, dtype = _images(a, "a", batch=False)
    b, _ = _images(b, "b", batch=False)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return _restore(lam * a + (1.0 - lam) * b, dtype)
# --8<-- [end:blend]


# --8<-- [start:mixup]
def mixup(x, y, alpha=0.2, seed=None, lam=None):
    """Batch mixup: pair every image with a shuffled copy of the batch.

    Returns (x_mixed, y_mixed, lam, perm): image i is mixed with image perm[i]
    using one lam for the whole batch; labels are mixed with the same lam.
    """
    rng = rng_from(seed)
    x, dtype = _images(x, "x", batch=True)
    y = _soft_labels(y, "y", len(x))
    lam = sample_lambda(alpha, rng) if lam is None else _lam(lam)
    perm = rng.permutation(len(x))                     # partner of sample i is perm[i]
    x_mix = lam * x + (1.0 - lam) * x[perm]
    y_mix = lam * y + (1.0 - lam) * y[perm]            # the loss sees both classes
    return _restore(x_mix, dtype), y_mix, lam, perm
# --8<-- [end:mixup]


# --8<-- [start:cutmix]
def cutmix_box(height, width, lam, seed=None):
    """Box (top, bottom, left, right) covering about 1 - lam of the image, clipped to it."""
    height, width = integer(height, "height", low=1), integer(width, "width", low=1)
    lam = _lam(lam)
    rng = rng_from(seed)
    cut = np.sqrt(1.0 - lam)                           # side ratio: area ratio is cut**2
    h, w = int(height * cut), int(width * cut)
    cy, cx = rng.integers(height), rng.integers(width)  # centre anywhere in the image
    top, bottom = np.clip([cy - h // 2, cy + h // 2], 0, height)
    left, right = np.clip([cx - w // 2, cx + w // 2], 0, width)
    return int(top), int(bottom), int(left), int(right)


def cutmix(x, y, alpha=1.0, seed=None, lam=None):
    """Batch CutMix: paste a box from the shuffled batch into every image.

    Returns (x_mixed, y_mixed, lam_kept, perm, box). The label weight lam_kept
    is the exact fraction of pixels still from the original image, which can
    differ from the drawn lam because the box is clipped at the border.
    """
    rng = rng_from(seed)
    x, dtype = _images(x, "x", batch=True)
    y = _soft_labels(y, "y", len(x))
    lam = sample_lambda(alpha, rng) if lam is None else _lam(lam)
    perm = rng.permutation(len(x))
    H, W = x.shape[1:3]
    top, bottom, left, right = cutmix_box(H, W, lam, rng)
    x[:, top:bottom, left:right] = x[perm, top:bottom, left:right]
    lam_kept = 1.0 - (bottom - top) * (right - left) / (H * W)
    y_mix = lam_kept * y + (1.0 - lam_kept) * y[perm]
    return _restore(x, dtype), y_mix, lam_kept, perm, (top, bottom, left, right)
# --8<-- [end:cutmix]


# --8<-- [start:cutout]
def cutout(image, size, seed=None, fill=0.0):
    """Cutout: one size x size square set to ``fill``; its centre is uniform
    over the image, so the square may be partly outside. The label is unchanged."""
    image, dtype = _images(image, "image", batch=False)
    size = integer(size, "size", low=1)
    fill = real_number(fill, "fill")
    rng = rng_from(seed)
    H, W = image.shape[:2]
    cy, cx = rng.integers(H), rng.integers(W)
    top, bottom = max(cy - size // 2, 0), min(cy - size // 2 + size, H)
    left, right = max(cx - size // 2, 0), min(cx - size // 2 + size, W)
    image[top:bottom, left:right] = fill
    return _restore(image, dtype)
# --8<-- [end:cutout]


# --8<-- [start:erasing]
def random_erasing(image, p=0.5, area=(0.02, 0.4), ratio=0.3, seed=None, max_tries=10):
    """Random Erasing (Zhong et al.): with probability p, fill a random rectangle
    of area fraction in ``area`` and aspect ratio in [ratio, 1/ratio] with
    uniform random values. Gives up after ``max_tries`` boxes that do not fit."""
    image, dtype = _images(image, "image", batch=False)
    p = real_number(p, "p", low=0.0, high=1.0)
    lo, hi = _pair(area, "area")
    ratio = real_number(ratio, "ratio", low=0.0, high=1.0, low_open=True)
    max_tries = integer(max_tries, "max_tries", low=1)
    rng = rng_from(seed)
    if rng.random() >= p:
        return _restore(image, dtype)
    H, W = image.shape[:2]
    top_value = 255.0 if dtype == np.uint8 else max(1.0, float(image.max()))
    log_r = abs(np.log(ratio))                         # aspect h/w in [ratio, 1/ratio], log-uniform
    for _ in range(max_tries):                         # bounded: never loops forever
        target = rng.uniform(lo, hi) * H * W
        aspect = np.exp(rng.uniform(-log_r, log_r))
        h, w = int(round(np.sqrt(target * aspect))), int(round(np.sqrt(target / aspect)))
        if 0 < h < H and 0 < w < W:
            top, left = rng.integers(H - h + 1), rng.integers(W - w + 1)
            image[top:top + h, left:left + w] = rng.uniform(0, top_value, image[top:top + h, left:left + w].shape)
            break
    return _restore(image, dtype)
# --8<-- [end:erasing]


def _pair(value, name):
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high)") from None
    lo = real_number(lo, f"{name}[0]", low=0.0, high=1.0, low_open=True)
    hi = real_number(hi, f"{name}[1]", low=0.0, high=1.0)
    if lo > hi:
        raise ValueError(f"{name} must have low <= high, got ({lo}, {hi})")
    return lo, hi


# --8<-- [start:pairing]
def sample_pairing(x, labels, seed=None):
    """SamplePairing (Inoue, 2018): average every image with a random other
    training image; the new sample keeps the label of the *first* image.

    ``labels`` are class indices (N,). Returns (x_paired, labels, partner).
    """
    rng = rng_from(seed)
    x, dtype = _images(x, "x", batch=True)
    labels = np.asarray(labels)
    if labels.shape != (len(x),):
        raise ValueError(f"labels must have shape ({len(x)},), got {labels.shape}")
    partner = rng.integers(len(x), size=len(x))        # drawn from the whole training set
    x_pair = 0.5 * x + 0.5 * x[partner]                # pixel-wise average, lam fixed at 0.5
    return _restore(x_pair, dtype), labels.copy(), partner


def sample_pairing_active(epoch, warmup, finetune_from, on=8, off=2):
    """Is SamplePairing on in this epoch? Off for ``warmup`` epochs, then
    ``on`` epochs on and ``off`` epochs off in turn, then off again from
    ``finetune_from`` to the end (the schedule shape of Inoue, 2018)."""
    epoch = integer(epoch, "epoch", low=0)
    warmup = integer(warmup, "warmup", low=0)
    finetune_from = integer(finetune_from, "finetune_from", low=warmup)
    on, off = integer(on, "on", low=1), integer(off, "off", low=0)
    if epoch < warmup or epoch >= finetune_from:
        return False
    return (epoch - warmup) % (on + off) < on
# --8<-- [end:pairing]
