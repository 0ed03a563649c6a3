"""Classification losses, written to be numerically stable.

Every loss takes *logits* (unnormalised scores), never probabilities, so that
``exp`` and ``log`` can be fused into a stable form (log-sum-exp, softplus).
Losses return the mean over the batch; with ``grad=True`` they also return the
gradient with respect to their first argument (checked by finite differences
in ``tests/test_losses.py``).
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number

SURROGATES = ("zero_one", "hinge", "logistic", "exponential", "squared")
MARGINS = ("cosface", "arcface")


# --8<-- [start:lse]
def logsumexp(z, axis=-1):
    """log(sum(exp(z))) without overflow: shift by the max first."""
    z = as_float_array(z, "z", min_ndim=1)
    m = z.max(axis=axis, keepdims=True)              # exp(z - m) <= 1: cannot overflow
    return (m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def log_softmax(z, axis=-1):
    z = as_float_array(z, "z", min_ndim=1)
    return z - np.expand_dims(logsumexp(z, axis), axis)


def softmax(z, axis=-1):
    return np.exp(log_softmax(z, axis))
# --8<-- [end:lse]


# --8<-- [start:naive]
def naive_cross_entropy(logits, labels):
    """The textbook formula -log(exp(z_y) / sum exp(z)). For comparison ONLY:
    it overflows to inf/inf = NaN once a logit exceeds about 709 (float64)."""
    logits = as_float_array(logits, "logits", ndim=2)
    labels = _labels(labels, "labels", logits.shape)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(logits)
        p = e[np.arange(len(labels)), labels] / e.sum(axis=1)
        return float(np.mean(-np.log(p)))
# --8<-- [end:naive]


# --8<-- [start:ce]
def smooth_targets(labels, num_classes, eps=0.1):
    """Label-smoothed targets (n, C): 1 - eps + eps/C on the true class, eps/C elsewhere."""
    C = integer(num_classes, "num_classes", low=2)
    labels = _labels(labels, "labels", (len(np.atleast_1d(labels)), C))
    eps = real_number(eps, "eps", low=0.0, high=1.0)
    target = np.full((len(labels), C), eps / C)
    target[np.arange(len(labels)), labels] += 1.0 - eps
    return target


def cross_entropy(logits, labels, label_smoothing=0.0, class_weights=None, grad=False):
    """Mean softmax cross-entropy over a batch, via log-softmax (stable).

    logits: (n, C); labels: (n,) ints in [0, C).
    label_smoothing eps: target = (1 - eps) * onehot + eps / C  (PyTorch convention).
    class_weights: (C,) weight per class, the loss is the weighted mean
    sum_i w_{y_i} l_i / sum_i w_{y_i} (PyTorch's ``weight`` with reduction='mean').
    """
    logits = as_float_array(logits, "logits", ndim=2)
    n, C = logits.shape
    labels = _labels(labels, "labels", logits.shape)
    eps = real_number(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    w = _class_weights(class_weights, C)[labels]                 # (n,)
    target = smooth_targets(labels, C, eps)
    logp = log_softmax(logits)
    per_sample = -(target * logp).sum(axis=1)
    loss = float((w * per_sample).sum() / w.sum())
    if not grad:
        return loss
    # d/dz of -sum_k t_k log softmax(z)_k = softmax(z) - t   (since sum_k t_k = 1)
    g = (np.exp(logp) - target) * (w / w.sum())[:, None]
    return loss, g
# --8<-- [end:ce]


# --8<-- [start:bce]
def softplus(z):
    """log(1 + exp(z)), stable for large |z|."""
    z = as_float_array(z, "z")
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def sigmoid(z):
    z = as_float_array(z, "z")
    return np.exp(-softplus(-z))                     # = 1 / (1 + exp(-z)), no overflow


def bce_with_logits(logits, targets, pos_weight=None, grad=False):
    """Mean binary cross-entropy on logits: one independent sigmoid per output.

    For multi-label problems (an image can be 'cat' AND 'outdoor'): logits and
    targets have the same shape, targets in [0, 1]. pos_weight multiplies the
    positive term, as in PyTorch's BCEWithLogitsLoss.
    -[w y log s(z) + (1-y) log(1-s(z))] = w y softplus(-z) + (1-y) softplus(z)
    """
    z = as_float_array(logits, "logits", min_ndim=1)
    y = _same_shape(targets, "targets", z, low=0.0, high=1.0)
    w = 1.0 if pos_weight is None else _positive(pos_weight, "pos_weight", z.shape[-1:])
    loss_el = w * y * softplus(-z) + (1 - y) * softplus(z)
    loss = float(loss_el.mean())
    if not grad:
        return loss
    g = (sigmoid(z) * (w * y + 1 - y) - w * y) / z.size
    return loss, g
# --8<-- [end:bce]


# --8<-- [start:focal]
def focal_loss(logits, targets, alpha=0.25, gamma=2.0, grad=False):
    """Sigmoid focal loss of Lin et al. (2017), mean over elements.

    FL = -alpha_t (1 - p_t)^gamma log p_t, with p_t = p if y = 1 else 1 - p and
    alpha_t = alpha if y = 1 else 1 - alpha. gamma down-weights easy examples
    (p_t near 1); alpha re-weights positives vs negatives. alpha=0.5, gamma=0
    is BCE/2. The paper's defaults are alpha=0.25, gamma=2.
    """
    z = as_float_array(logits, "logits", min_ndim=1)
    y = _same_shape(targets, "targets", z, low=0.0, high=1.0)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("targets must be 0 or 1 for the focal loss")
    alpha = real_number(alpha, "alpha", low=0.0, high=1.0)
    gamma = real_number(gamma, "gamma", low=0.0)
    s = 2 * y - 1                                    # +1 for positives, -1 for negatives
    log_pt = -softplus(-s * z)                       # log p_t, stable
    pt, one_minus_pt = np.exp(log_pt), sigmoid(-s * z)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    loss_el = -alpha_t * one_minus_pt**gamma * log_pt
    loss = float(loss_el.mean())
    if not grad:
        return loss
    g = s * alpha_t * one_minus_pt**gamma * (gamma * pt * log_pt - one_minus_pt) / z.size
    return loss, g


def prior_bias(prior=0.01):
    """Bias b with sigmoid(b) = prior: -log((1 - prior) / prior) (RetinaNet's init)."""
    pi = real_number(prior, "prior", low=0.0, high=1.0, low_open=True, high_open=True)
    return float(-np.log((1 - pi) / pi))
# --8<-- [end:focal]


# --8<-- [start:cb]
def class_balanced_weights(counts, beta=0.999):
    """Per-class weights of Cui et al. (2019): inverse 'effective number'.

    E_n = (1 - beta^n) / (1 - beta); w_c proportional to 1 / E_{n_c},
    normalised so the weights sum to the number of classes.
    beta = 0 gives equal weights; beta -> 1 approaches inverse frequency 1/n_c.
    """
    counts = as_float_array(counts, "counts", ndim=1)
    if len(counts) == 0 or (counts < 1).any() or (counts != np.round(counts)).any():
        raise ValueError("counts must be a non-empty 1-D array of positive integers")
    beta = real_number(beta, "beta", low=0.0, high=1.0, high_open=True)
    effective = -np.expm1(counts * np.log(beta)) / (1 - beta) if beta > 0 else np.ones_like(counts)
    w = 1.0 / effective
    return w * len(counts) / w.sum()
# --8<-- [end:cb]


# --8<-- [start:surrogates]
def surrogate_loss(margin, kind):
    """Losses of the margin m = y f(x), y in {-1, +1}, that upper-bound 0-1 loss.

    zero_one: [m <= 0]      hinge: max(0, 1 - m)  (SVM)
    logistic: log2(1 + e^-m) (logistic regression; base 2 so it is 1 at m = 0)
    exponential: e^-m (AdaBoost)        squared: (1 - m)^2 (least squares)
    """
    m = as_float_array(margin, "margin")
    choice(kind, "kind", SURROGATES)
    if kind == "zero_one":
        return (m <= 0).astype(float)
    if kind == "hinge":
        return np.maximum(0.0, 1.0 - m)
    if kind == "logistic":
        return softplus(-m) / np.log(2.0)
    if kind == "exponential":
        return np.exp(np.minimum(-m, 700.0))         # capped: finite for any margin
    return (1.0 - m) ** 2
# --8<-- [end:surrogates]


# --8<-- [start:margin]
def margin_logits(cosines, labels, kind="arcface", s=64.0, m=0.5):
    """Large-margin softmax logits for normalised features and class weights.

    cosines: (n, C) cos(theta) between each embedding and each class centre.
    CosFace (Wang et al. 2018):  s * (cos theta_y - m)        (paper: s=64, m=0.35)
    ArcFace (Deng et al. 2019):  s * cos(theta_y + m)         (paper: s=64, m=0.5)
    Only the true class is penalised, so it must win by a margin. Feed the
    result to cross_entropy.
    """
    c = as_float_array(cosines, "cosines", ndim=2)
    if (np.abs(c) > 1 + 1e-9).any():
        raise ValueError("cosines must lie in [-1, 1]")
    labels = _labels(labels, "labels", c.shape)
    choice(kind, "kind", MARGINS)
    s = real_number(s, "s", low=0.0, low_open=True)
    m = real_number(m, "m", low=0.0)
    c = np.clip(c, -1.0, 1.0)
    out = c.copy()
    rows = np.arange(len(labels))
    if kind == "cosface":
        out[rows, labels] -= m
    else:
        theta = np.arccos(c[rows, labels])
        out[rows, labels] = np.cos(np.minimum(theta + m, np.pi))   # stay monotone past pi
    return s * out
# --8<-- [end:margin]


# --8<-- [start:kd]
def kl_divergence(p, q):
    """KL(p || q) = sum p log(p / q) per row, with 0 log 0 = 0. p, q: probabilities."""
    p = _probabilities(p, "p")
    q = _probabilities(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    support = p > 0                                  # terms with p = 0 contribute 0
    log_ratio = np.log(np.where(support, p, 1.0)) - np.log(np.where(q > 0, q, 1.0))
    out = np.where(support, p * log_ratio, 0.0).sum(axis=-1)
    out = np.where((support & (q == 0)).any(axis=-1), np.inf, out)   # p > 0 where q = 0
    return float(out) if np.ndim(out) == 0 else out


def distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9, grad=False):
    """Hinton et al. (2015): alpha * T^2 * KL(softmax(t/T) || softmax(s/T))
    + (1 - alpha) * CE(s, labels). T^2 keeps the soft term's gradient scale
    independent of T (its gradient is T * (p_s^T - p_t^T))."""
    s = as_float_array(student_logits, "student_logits", ndim=2)
    t = as_float_array(teacher_logits, "teacher_logits", ndim=2)
    if s.shape != t.shape:
        raise ValueError(f"student_logits and teacher_logits must have the same shape, got {s.shape} and {t.shape}")
    T = real_number(T, "T", low=0.0, low_open=True)
    alpha = real_number(alpha, "alpha", low=0.0, high=1.0)
    ce, g_ce = cross_entropy(s, labels, grad=True)
    log_ps, log_pt = log_softmax(s / T), log_softmax(t / T)
    pt = np.exp(log_pt)
    soft = float((pt * (log_pt - log_ps)).sum(axis=1).mean())
    loss = alpha * T**2 * soft + (1 - alpha) * ce
    if not grad:
        return loss
    g = alpha * T * (np.exp(log_ps) - pt) / len(s) + (1 - alpha) * g_ce
    return loss, g
# --8<-- [end:kd]


# --8<-- [start:metric]
def contrastive_loss(x1, x2, same, margin=1.0, grad=False):
    """Hadsell, Chopra & LeCun (2006): pull pairs of the same class together,
    push different ones at least `margin` apart. d = ||x1 - x2||;
    loss = same * d^2 / 2 + (1 - same) * max(0, margin - d)^2 / 2, mean over pairs."""
    x1 = as_float_array(x1, "x1", ndim=2)
    x2 = _same_shape(x2, "x2", x1)
    same = np.asarray(same)
    if same.shape != (len(x1),) or not np.isin(same, (0, 1)).all():
        raise ValueError(f"same must be a 1-D array of {len(x1)} zeros/ones")
    margin = real_number(margin, "margin", low=0.0, low_open=True)
    diff = x1 - x2
    d = np.sqrt((diff**2).sum(axis=1))
    gap = np.maximum(0.0, margin - d)
    loss = float(np.mean(same * d**2 / 2 + (1 - same) * gap**2 / 2))
    if not grad:
        return loss
    # d/dx1 of d^2/2 is diff; of gap^2/2 is -gap * diff / d (zero when gap = 0)
    safe_d = np.where(d > 0, d, 1.0)
    coef = same - (1 - same) * gap / safe_d
    return loss, coef[:, None] * diff / len(x1)


def triplet_loss(anchor, positive, negative, margin=0.2, grad=False):
    """FaceNet's triplet loss (Schroff et al. 2015), squared distances, mean over
    triplets: max(0, ||a - p||^2 - ||a - n||^2 + margin). Paper: margin 0.2 on
    L2-normalised embeddings. With grad=True returns (loss, (ga, gp, gn))."""
    a = as_float_array(anchor, "anchor", ndim=2)
    p = _same_shape(positive, "positive", a)
    n = _same_shape(negative, "negative", a)
    margin = real_number(margin, "margin", low=0.0)
    d_ap, d_an = ((a - p) ** 2).sum(1), ((a - n) ** 2).sum(1)
    hinge = np.maximum(0.0, d_ap - d_an + margin)
    loss = float(hinge.mean())
    if not grad:
        return loss
    active = (hinge > 0)[:, None] / len(a)           # only violating triplets learn
    return loss, (2 * (n - p) * active, -2 * (a - p) * active, 2 * (a - n) * active)


def mine_triplets(embeddings, labels, margin=0.2, strategy="semi-hard"):
    """Pick one negative per (anchor, positive) pair inside a batch.

    hard: the closest negative (can be a mislabelled or noisy sample; FaceNet
    reports it collapses training early). semi-hard (FaceNet): the closest
    negative that is still farther than the positive,
    d_ap < d_an < d_ap + margin; falls back to the hardest if none exists.
    Returns an (k, 3) int array of (anchor, positive, negative) indices.
    """
    E = as_float_array(embeddings, "embeddings", ndim=2)
    labels = np.asarray(labels)
    if labels.shape != (len(E),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array of length {len(E)}")
    margin = real_number(margin, "margin", low=0.0)
    choice(strategy, "strategy", ("hard", "semi-hard"))
    D = ((E[:, None, :] - E[None, :, :]) ** 2).sum(-1)
    out = []
    for a in range(len(E)):
        negs = np.flatnonzero(labels != labels[a])
        if len(negs) == 0:
            continue
        for p in np.flatnonzero((labels == labels[a]) & (np.arange(len(E)) != a)):
            d_an = D[a, negs]
            pick = negs[np.argmin(d_an)]
            if strategy == "semi-hard":
                ok = (d_an > D[a, p]) & (d_an < D[a, p] + margin)
                if ok.any():
                    pick = negs[ok][np.argmin(d_an[ok])]
            out.append((a, p, pick))
    return np.array(out, dtype=int).reshape(-1, 3)
# --8<-- [end:metric]


def _labels(labels, name, shape):
    n, C = shape
    y = np.asarray(labels)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"{name} must be a 1-D array of {n} class indices, got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name} must hold integer class indices, got dtype {y.dtype}")
    if (y < 0).any() or (y >= C).any():
        raise ValueError(f"{name} must be in [0, {C}), the number of classes")
    return y


def _class_weights(w, C):
    if w is None:
        return np.ones(C)
    return _positive(w, "class_weights", (C,))


def _positive(w, name, shape):
    w = as_float_array(w, name)
    if w.ndim == 0:
        w = np.full(shape, float(w))
    if w.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {w.shape}")
    if (w <= 0).any():
        raise ValueError(f"{name} must be positive")
    return w


def _same_shape(x, name, ref, low=None, high=None):
    x = as_float_array(x, name)
    if x.shape != ref.shape:
        raise ValueError(f"{name} must have shape {ref.shape}, got {x.shape}")
    if (low is not None and (x < low).any()) or (high is not None and (x > high).any()):
        raise ValueError(f"{name} must be in [{low}, {high}]")
    return x


def _probabilities(p, name):
    p = as_float_array(p, name, min_ndim=1)
    if (p < 0).any() or not np.allclose(p.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError(f"{name} must be non-negative and sum to 1 along the last axis")
    return p
