"""Semantic segmentation building blocks: metrics, dense blocks, upsampling, ASPP.

* metrics: the confusion matrix, pixel accuracy and mean IoU, accumulated over a
  whole dataset as PASCAL VOC does (not averaged per image);
* DenseNet (Huang et al., CVPR 2017): a dense block forward pass and counters
  for its connections, channels, parameters and stored activations;
* upsampling: bilinear interpolation (half-pixel centres, like PyTorch's
  ``align_corners=False``), transposed convolution, and the FCN bilinear kernel
  that turns the second into the first;
* ASPP: what each atrous branch sees, and how many of a 3x3 filter's taps still
  fall on the feature map when the rate grows (DeepLabv3, Fig. 4).
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, integer, real_number, rng_from


# ----------------------------------------------------------------------------
# Metrics
# ----------------------------------------------------------------------------

def _labels(y, name):
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{name} must be an integer label array, got {type(y).__name__}")
    arr = np.asarray(y)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an integer label array, got dtype {arr.dtype}")
    return arr


# --8<-- [start:confusion]
def confusion_matrix(y_true, y_pred, num_classes, ignore_index=None):
    """C[i, j] = number of pixels of true class i predicted as class j.

    Pixels whose true label equals ``ignore_index`` (VOC uses 255 for object
    borders) are left out.  Works on label maps of any shape.
    """
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    k = integer(num_classes, "num_classes", low=1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}")
    keep = np.ones(y_true.shape, bool) if ignore_index is None else y_true != ignore_index
    t, p = y_true[keep].ravel(), y_pred[keep].ravel()
    for name, arr in (("y_true", t), ("y_pred", p)):
        if arr.size and (arr.min() < 0 or arr.max() >= k):
            raise ValueError(f"{name} labels must be in [0, {k - 1}] (or ignore_index), "
                             f"got values in [{arr.min()}, {arr.max()}]")
    # one bincount over the pair index t*k + p: fast and exact
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)
# --8<-- [end:confusion]


def _check_confusion(conf):
    conf = np.asarray(conf)
    if conf.ndim != 2 or conf.shape[0] != conf.shape[1] or conf.shape[0] == 0:
        raise ValueError(f"conf must be a square (k, k) matrix, got shape {conf.shape}")
    conf = as_float_array(conf, "conf")
    if (conf < 0).any():
        raise ValueError("conf must hold non-negative counts")
    return conf


# --8<-- [start:metrics]
def pixel_accuracy(conf):
    """Fraction of (non-ignored) pixels labelled correctly: trace / total."""
    conf = _check_confusion(conf)
    total = conf.sum()
    if total == 0:
        raise ValueError("conf is all zeros: no labelled pixels")
    return float(np.trace(conf) / total)


def class_iou(conf):
    """IoU_c = TP / (TP + FP + FN) per class, and which classes are defined.

    A class that appears neither in the ground truth nor in the prediction has
    0/0: it is reported as 0.0 with ``defined=False`` and left out of the mean.
    """
    conf = _check_confusion(conf)
    tp = np.diag(conf)
    union = conf.sum(0) + conf.sum(1) - tp       # predicted + true - overlap
    defined = union > 0
    iou = np.where(defined, tp / np.where(defined, union, 1.0), 0.0)
    return iou, defined


def mean_iou(conf):
    """Mean of the per-class IoU over the classes that are defined."""
    iou, defined = class_iou(conf)
    if not defined.any():
        raise ValueError("conf is all zeros: no labelled pixels")
    return float(iou[defined].mean())
# --8<-- [end:metrics]


# ----------------------------------------------------------------------------
# DenseNet
# ----------------------------------------------------------------------------

# --8<-- [start:dense-count]
def dense_block_connections(num_layers):
    """Direct connections in a dense block of L layers: layer l reads x_0 ... x_{l-1}.

    Returns the explicit list of (source, target) pairs; its length is L(L+1)/2.
    x_0 is the block's input, x_l the output of layer l.
    """
    L = integer(num_layers, "num_layers", low=1)
    return [(src, dst) for dst in range(1, L + 1) for src in range(dst)]


def dense_block_channels(in_channels, growth_rate, num_layers):
    """Input channels of each layer, and the block's output channels: k0 + L k."""
    k0 = integer(in_channels, "in_channels", low=1)
    k = integer(growth_rate, "growth_rate", low=1)
    L = integer(num_layers, "num_layers", low=1)
    inputs = [k0 + (l - 1) * k for l in range(1, L + 1)]   # layer l sees k0 + (l-1)k maps
    return inputs, k0 + L * k


def dense_block_params(in_channels, growth_rate, num_layers, bottleneck=False, kernel=3):
    """Convolution weights of a dense block (no biases, BN parameters not counted).

    Plain layer: kernel x kernel conv, c_in -> k.  Bottleneck (DenseNet-B): a
    1x1 conv c_in -> 4k, then kernel x kernel conv 4k -> k.
    """
    inputs, _ = dense_block_channels(in_channels, growth_rate, num_layers)
    kernel = integer(kernel, "kernel", low=1)
    k = growth_rate
    if bottleneck:
        return sum(c * 4 * k + 4 * k * k * kernel * kernel for c in inputs)
    return sum(c * k * kernel * kernel for c in inputs)


def transition_channels(channels, compression=0.5):
    """A transition layer (BN, 1x1 conv, 2x2 average pool) keeps floor(theta * m) maps."""
    m = integer(channels, "channels", low=1)
    theta = real_number(compression, "compression", low=0.0, high=1.0, low_open=True)
    return max(1, int(np.floor(theta * m)))


def dense_block_stored_maps(in_channels, growth_rate, num_layers):
    """Feature maps held in memory if every layer stores its own concatenated input.

    A naive implementation materialises concat(x_0..x_{l-1}) for each layer l,
    so the total grows like L^2 k / 2; shared-memory implementations store the
    k0 + L k maps once (Pleiss et al., 2017).
    """
    inputs, out = dense_block_channels(in_channels, growth_rate, num_layers)
    return {"naive": int(sum(inputs)), "shared": int(out)}
# --8<-- [end:dense-count]


def conv2d(x, weight, dilation=1):
    """'Same' convolution (cross-correlation), stride 1: x (C, H, W), weight (K, C, kh, kw).

    Zero padding of dilation*(k-1)/2 keeps H and W (odd kernels only).
    """
    x = as_float_array(x, "x", ndim=3)
    weight = as_float_array(weight, "weight", ndim=4)
    d = integer(dilation, "dilation", low=1)
    K, C, kh, kw = weight.shape
    if C != x.shape[0]:
        raise ValueError(f"weight expects {C} input channels, x has {x.shape[0]}")
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"weight must have odd spatial size, got {kh}x{kw}")
    ph, pw = d * (kh - 1) // 2, d * (kw - 1) // 2
    xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw)))
    H, W = x.shape[1:]
    out = np.zeros((K, H, W))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i * d:i * d + H, j * d:j * d + W]          # (C, H, W)
            out += np.einsum("kc,chw->khw", weight[:, :, i, j], patch)
    return out


# --8<-- [start:dense-block]
def dense_block_forward(x, growth_rate, num_layers, kernel=3, seed=0):
    """Run a dense block with random weights: each layer is ReLU then conv on concat(x_0..x_{l-1}).

    Returns the output (k0 + L k channels) and the list of weight arrays, so a
    test can count the parameters that were really used.
    """
    x = as_float_array(x, "x", ndim=3)
    k = integer(growth_rate, "growth_rate", low=1)
    L = integer(num_layers, "num_layers", low=1)
    rng = rng_from(seed)
    features, weights = [x], []
    for _ in range(L):
        inp = np.concatenate(features, axis=0)          # the dense connectivity
        w = rng.normal(0, np.sqrt(2 / (inp.shape[0] * kernel * kernel)), (k, inp.shape[0], kernel, kernel))
        weights.append(w)
        features.append(conv2d(np.maximum(inp, 0), w))  # each layer adds k new maps
    return np.concatenate(features, axis=0), weights
# --8<-- [end:dense-block]


# ----------------------------------------------------------------------------
# Upsampling
# ----------------------------------------------------------------------------

# --8<-- [start:bilinear]
def bilinear_upsample(x, factor):
    """Bilinear interpolation of a 2-D map by an integer factor (half-pixel centres).

    Output pixel centre (i + 0.5)/factor - 0.5 in input coordinates, clamped at
    the borders: PyTorch's ``F.interpolate(mode='bilinear', align_corners=False)``.
    """
    x = as_float_array(x, "x", ndim=2)
    f = integer(factor, "factor", low=1)

    def axis_weights(n):
        src = (np.arange(n * f) + 0.5) / f - 0.5
        src = np.clip(src, 0, n - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        return lo, hi, src - lo

    r0, r1, wr = axis_weights(x.shape[0])
    c0, c1, wc = axis_weights(x.shape[1])
    top = x[r0][:, c0] * (1 - wc) + x[r0][:, c1] * wc
    bottom = x[r1][:, c0] * (1 - wc) + x[r1][:, c1] * wc
    return top * (1 - wr)[:, None] + bottom * wr[:, None]
# --8<-- [end:bilinear]


# --8<-- [start:tconv]
def transposed_conv2d(x, kernel, stride, padding=0):
    """Transposed convolution of one 2-D map: every input pixel stamps a scaled copy
    of ``kernel`` onto the output, the stamps ``stride`` apart, then ``padding`` is
    cropped from each side.  Output size: (n - 1) * stride + k - 2 * padding.
    """
    x = as_float_array(x, "x", ndim=2)
    kernel = as_float_array(kernel, "kernel", ndim=2)
    s = integer(stride, "stride", low=1)
    p = integer(padding, "padding", low=0)
    (h, w), (kh, kw) = x.shape, kernel.shape
    full = np.zeros(((h - 1) * s + kh, (w - 1) * s + kw))
    for i in range(h):
        for j in range(w):
            full[i * s:i * s + kh, j * s:j * s + kw] += x[i, j] * kernel
    if 2 * p >= min(full.shape):
        raise ValueError(f"padding {p} crops the whole {full.shape} output")
    return full[p:full.shape[0] - p, p:full.shape[1] - p]


def bilinear_kernel(factor):
    """The (2f - f%2)-wide kernel with which a stride-f transposed conv interpolates bilinearly.

    FCN (Long et al., 2015) initialises its upsampling layers with it.
    """
    f = integer(factor, "factor", low=1)
    size = 2 * f - f % 2
    centre = f - 1 if size % 2 == 1 else f - 0.5
    t = 1 - np.abs(np.arange(size) - centre) / f
    return np.outer(t, t)
# --8<-- [end:tconv]


def overlap_count(size, kernel_size, stride):
    """How many kernel stamps of a transposed conv cover each output pixel (1-D).

    When ``kernel_size`` is not a multiple of ``stride`` the counts alternate:
    the cause of checkerboard artefacts (Odena et al., 2016).
    """
    n = integer(size, "size", low=1)
    k = integer(kernel_size, "kernel_size", low=1)
    s = integer(stride, "stride", low=1)
    counts = np.zeros((n - 1) * s + k, int)
    for i in range(n):
        counts[i * s:i * s + k] += 1
    return counts


# ----------------------------------------------------------------------------
# ASPP
# ----------------------------------------------------------------------------

# --8<-- [start:aspp]
def aspp_branch_table(rates=(12, 24, 36), backbone="deeplabv3-backbone"):
    """Receptive field of each ASPP branch on a backbone, computed with dlnotes.receptive_field.

    ``backbone`` is a preset name of dlnotes.receptive_field (default: torchvision's
    DeepLabV3 ResNet-101, output stride 8) or compact layer text.  Rate 0 means
    the 1x1 branch.  A 3x3 branch of rate r has an effective kernel 2r + 1 on the
    feature map, so it widens the backbone's field by 2 r times the jump (the
    output stride).
    """
    from dlnotes import receptive_field as rf

    text = rf.PRESETS.get(backbone, backbone)
    base = rf.analyze(text)[-1]
    rows = []
    for r in rates:
        r = integer(r, "rates", low=0)
        branch = "conv1" if r == 0 else f"conv3 d{r} p{r}"     # padding r keeps the size
        last = rf.analyze(f"{text}; {branch}")[-1]
        rows.append({"rate": r, "effective_kernel": 1 if r == 0 else 2 * r + 1,
                     "jump": int(last.jump), "backbone_rf": base.rf_max, "rf": last.rf_max})
    return rows
# --8<-- [end:aspp]


def valid_taps(size, rate, kernel=3):
    """Histogram of how many of a kernel x kernel filter's taps fall inside a size x size map.

    With zero padding, a tap outside the map multiplies a zero.  Returns an array
    h where h[n] = fraction of output positions with exactly n valid taps.
    DeepLabv3 (Chen et al., 2017, Fig. 4) plots this for a 65 x 65 map.
    """
    n = integer(size, "size", low=1)
    r = integer(rate, "rate", low=1)
    k = integer(kernel, "kernel", low=1)
    offsets = (np.arange(k) - (k - 1) // 2) * r
    pos = np.arange(n)
    inside_1d = ((pos[:, None] + offsets[None, :]) >= 0) & ((pos[:, None] + offsets[None, :]) < n)
    per_axis = inside_1d.sum(1)                             # valid taps along one axis
    counts = (per_axis[:, None] * per_axis[None, :]).ravel()  # rows x cols of a separable grid
    return np.bincount(counts, minlength=k * k + 1) / counts.size


# ----------------------------------------------------------------------------
# DeepLab lineage: numbers quoted from the papers (citations, not computations)
# ----------------------------------------------------------------------------

DEEPLAB_LINEAGE = [
    {"version": "v1", "year": 2015, "arxiv": "1412.7062", "backbone": "VGG-16", "output_stride": "8",
     "added": "atrous conv + dense CRF", "voc_test_miou": 71.6, "extra_miou": None},
    {"version": "v2", "year": 2016, "arxiv": "1606.00915", "backbone": "ResNet-101", "output_stride": "8",
     "added": "ASPP (4 rates, summed)", "voc_test_miou": 79.7, "extra_miou": None},
    {"version": "v3", "year": 2017, "arxiv": "1706.05587", "backbone": "ResNet-101", "output_stride": "16 (8 at test)",
     "added": "ASPP + BN + image pooling, no CRF", "voc_test_miou": 85.7, "extra_miou": 86.9},
    {"version": "v3+", "year": 2018, "arxiv": "1802.02611", "backbone": "Xception-65", "output_stride": "16 (8 at test)",
     "added": "decoder + separable conv", "voc_test_miou": 87.8, "extra_miou": 89.0},
]
"""PASCAL VOC 2012 *test* mIoU (%) as each paper reports it; ``extra_miou`` is with
JFT-300M pretraining.  v1: DeepLab-MSc-CRF-LargeFOV (abstract of the ICLR 2015
paper); v2: abstract of arXiv:1606.00915; v3: Table 7; v3+: Section 4.3."""
