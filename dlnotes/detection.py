"""Object-detection basics: IoU, GIoU, NMS, soft-NMS, anchor assignment and AP.

Boxes are ``(x1, y1, x2, y2)`` rows with ``x1 <= x2`` and ``y1 <= y2`` in
continuous coordinates (area ``(x2 - x1) * (y2 - y1)``, as in torchvision and
pycocotools; the old PASCAL devkit added 1 pixel to each side). Everything is
single-class: run it once per class, as the VOC and COCO evaluators do.

Average precision takes the detections of a whole dataset (boxes, scores and
the image each one belongs to) and the ground-truth boxes with their images.
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, choice, real_number

AP_METHODS = ("11point", "all", "101point", "step")
COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)


def boxes_array(boxes, name="boxes"):
    """Return ``boxes`` as an (n, 4) float array of valid corners, or raise naming ``name``."""
    b = as_float_array(boxes, name)
    if b.ndim == 1 and b.size == 0:
        b = b.reshape(0, 4)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"{name} must have shape (n, 4) as (x1, y1, x2, y2), got {b.shape}")
    if np.any(b[:, 2] < b[:, 0]) or np.any(b[:, 3] < b[:, 1]):
        raise ValueError(f"{name} must satisfy x1 <= x2 and y1 <= y2 in every row")
    return b


def _scores(scores, n, name="scores"):
    s = as_float_array(scores, name, ndim=1)
    if s.shape[0] != n:
        raise ValueError(f"{name} must have one entry per box ({n}), got {s.shape[0]}")
    return s


# --8<-- [start:iou]
def box_area(boxes):
    """Area of each (x1, y1, x2, y2) box."""
    b = boxes_array(boxes)
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def iou(boxes_a, boxes_b):
    """Pairwise IoU, shape (len(a), len(b)): intersection area / union area."""
    a, b = boxes_array(boxes_a, "boxes_a"), boxes_array(boxes_b, "boxes_b")
    lt = np.maximum(a[:, None, :2], b[None, :, :2])          # top-left of the overlap
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])          # bottom-right of the overlap
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def giou(boxes_a, boxes_b):
    """Generalized IoU (Rezatofighi et al. 2019): IoU - |C minus (A u B)| / |C|, in (-1, 1]."""
    a, b = boxes_array(boxes_a, "boxes_a"), boxes_array(boxes_b, "boxes_b")
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    c = (np.maximum(a[:, None, 2:], b[None, :, 2:])
         - np.minimum(a[:, None, :2], b[None, :, :2])).prod(axis=2)   # smallest enclosing box
    iou_ = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return iou_ - np.divide(c - union, c, out=np.zeros_like(c), where=c > 0)
# --8<-- [end:iou]


# --8<-- [start:nms]
def nms(boxes, scores, iou_threshold=0.5):
    """Greedy non-maximum suppression; returns kept indices, highest score first.

    A box is dropped when its IoU with an already kept, higher-scored box is
    greater than iou_threshold (torchvision.ops.nms's rule).
    """
    b = boxes_array(boxes)
    s = _scores(scores, len(b))
    t = real_number(iou_threshold, "iou_threshold", low=0.0, high=1.0)
    order = np.argsort(-s, kind="stable")                    # O(n log n)
    keep = []
    while order.size:                                        # at most n rounds ...
        i = order[0]
        keep.append(int(i))
        overlap = iou(b[i:i + 1], b[order[1:]])[0]           # ... of O(n) IoUs: O(n^2) worst case
        order = order[1:][overlap <= t]
    return np.array(keep, dtype=int)
# --8<-- [end:nms]


# --8<-- [start:soft_nms]
def soft_nms(boxes, scores, method="gaussian", iou_threshold=0.3, sigma=0.5, score_threshold=0.001):
    """Soft-NMS (Bodla et al. 2017): decay the scores of overlapping boxes instead of deleting them.

    method "linear": s *= 1 - IoU when IoU >= iou_threshold; "gaussian": s *= exp(-IoU^2 / sigma);
    "hard": s = 0 when IoU > iou_threshold (plain NMS). Boxes whose score falls below
    score_threshold are dropped. Returns (kept indices in the order picked, their new scores).
    """
    b = boxes_array(boxes)
    s = _scores(scores, len(b)).copy()
    choice(method, "method", ("linear", "gaussian", "hard"))
    t = real_number(iou_threshold, "iou_threshold", low=0.0, high=1.0)
    sig = real_number(sigma, "sigma", low=0.0, low_open=True)
    floor = real_number(score_threshold, "score_threshold", low=0.0)
    rest = np.flatnonzero(s >= floor)
    keep, kept_scores = [], []
    while rest.size:
        m = rest[np.argmax(s[rest])]                         # current best box M
        keep.append(int(m))
        kept_scores.append(float(s[m]))
        rest = rest[rest != m]
        o = iou(b[m:m + 1], b[rest])[0]
        if method == "linear":
            s[rest] *= np.where(o >= t, 1.0 - o, 1.0)
        elif method == "gaussian":
            s[rest] *= np.exp(-o**2 / sig)
        else:
            s[rest] *= (o <= t)
        rest = rest[s[rest] >= floor]
    return np.array(keep, dtype=int), np.array(kept_scores)
# --8<-- [end:soft_nms]


# --8<-- [start:anchors]
def make_anchors(feature_size, stride, sizes=(128, 256, 512), ratios=(0.5, 1.0, 2.0)):
    """Anchors centred on every cell of an (h, w) feature map: len(sizes) * len(ratios) per cell.

    size is sqrt(area); ratio is height / width (Faster R-CNN: 3 sizes x 3 ratios = 9 anchors).
    """
    h, w = (int(v) for v in feature_size)
    if h < 1 or w < 1:
        raise ValueError(f"feature_size must be two positive integers, got {feature_size!r}")
    stride = real_number(stride, "stride", low=0.0, low_open=True)
    base = []
    for r in ratios:
        r = real_number(r, "ratios", low=0.0, low_open=True)
        for size in sizes:
            size = real_number(size, "sizes", low=0.0, low_open=True)
            bw, bh = size / np.sqrt(r), size * np.sqrt(r)     # bw * bh = size^2, bh / bw = r
            base.append([-bw / 2, -bh / 2, bw / 2, bh / 2])
    ys, xs = np.meshgrid((np.arange(h) + 0.5) * stride, (np.arange(w) + 0.5) * stride, indexing="ij")
    centres = np.stack([xs, ys, xs, ys], axis=-1).reshape(-1, 1, 4)
    return (centres + np.array(base)[None]).reshape(-1, 4)


def assign_anchors(anchors, gt_boxes, pos_iou=0.7, neg_iou=0.3, match_low_quality=True):
    """Label anchors 1 (object), 0 (background) or -1 (ignored); return (labels, matched gt index).

    Positive: IoU >= pos_iou with some ground truth, or (match_low_quality) the anchor
    with the highest IoU for a ground truth. Negative: max IoU < neg_iou. In between: ignored.
    Faster R-CNN's RPN: 0.7 / 0.3; RetinaNet: 0.5 / 0.4 (its paper states no best-anchor
    rule, so pass match_low_quality=False for the paper's rule; torchvision keeps it).
    """
    a, g = boxes_array(anchors, "anchors"), boxes_array(gt_boxes, "gt_boxes")
    hi = real_number(pos_iou, "pos_iou", low=0.0, high=1.0)
    lo = real_number(neg_iou, "neg_iou", low=0.0, high=hi)
    labels = np.full(len(a), -1, dtype=int)
    if len(g) == 0:
        labels[:] = 0
        return labels, np.full(len(a), -1, dtype=int)
    overlaps = iou(a, g)                                     # (anchors, gt)
    best_gt = overlaps.argmax(axis=1)
    best = overlaps.max(axis=1)
    labels[best < lo] = 0
    labels[best >= hi] = 1
    if match_low_quality:                                    # every gt gets its best anchor(s)
        best_per_gt = overlaps.max(axis=0)
        a_idx, g_idx = np.nonzero((overlaps == best_per_gt[None]) & (best_per_gt[None] > 0))
        labels[a_idx] = 1
        best_gt[a_idx] = g_idx
    return labels, np.where(labels == 1, best_gt, -1)
# --8<-- [end:anchors]


# --8<-- [start:match]
def match_detections(det_boxes, det_scores, det_images, gt_boxes, gt_images, iou_threshold=0.5):
    """Mark each detection TP or FP; return (tp flags sorted by score, the sorted scores, n_gt).

    Highest score first, a detection takes the unmatched ground truth of its image with
    the largest IoU, if that IoU >= iou_threshold. A second hit on a taken object is an FP.
    """
    d = boxes_array(det_boxes, "det_boxes")
    s = _scores(det_scores, len(d), "det_scores")
    di = _scores(det_images, len(d), "det_images")
    g = boxes_array(gt_boxes, "gt_boxes")
    gi = _scores(gt_images, len(g), "gt_images")
    t = real_number(iou_threshold, "iou_threshold", low=0.0, high=1.0)
    order = np.argsort(-s, kind="stable")
    taken = np.zeros(len(g), dtype=bool)
    tp = np.zeros(len(d), dtype=bool)
    overlaps = iou(d, g)
    for rank, k in enumerate(order):
        cand = (gi == di[k]) & ~taken & (overlaps[k] >= t)
        if cand.any():
            j = np.flatnonzero(cand)[np.argmax(overlaps[k, cand])]
            taken[j] = tp[rank] = True
    return tp, s[order], len(g)
# --8<-- [end:match]


# --8<-- [start:ap]
def pr_curve(tp, n_gt):
    """Precision and recall after each detection, detections sorted by score (best first)."""
    tp = as_float_array(tp, "tp", ndim=1)
    if n_gt < 1:
        raise ValueError(f"n_gt must be at least 1, got {n_gt}")
    ctp = np.cumsum(tp)
    return ctp / np.arange(1, len(tp) + 1), ctp / n_gt


def average_precision(precision, recall, method="all"):
    """AP from a PR curve; recall must be non-decreasing (detections sorted by score).

    "11point": VOC 2007, mean of the interpolated precision at recall 0, 0.1, ..., 1.
    "all": VOC 2010+, area under the interpolated (monotone) curve.
    "101point": COCO, mean of the interpolated precision at recall 0, 0.01, ..., 1.
    "step": no interpolation, sum of (r_k - r_{k-1}) * p_k.
    The interpolated precision at r is the best precision at any recall >= r (0 if none).
    """
    p = as_float_array(precision, "precision", ndim=1)
    r = as_float_array(recall, "recall", ndim=1)
    if p.shape != r.shape:
        raise ValueError(f"precision and recall must have the same length, got {p.size} and {r.size}")
    if np.any(np.diff(r) < 0):
        raise ValueError("recall must be non-decreasing (sort detections by score first)")
    choice(method, "method", AP_METHODS)
    if method == "step":
        return float(np.sum(np.diff(np.concatenate([[0.0], r])) * p))
    envelope = np.maximum.accumulate(p[::-1])[::-1]          # best precision at recall >= r_k
    if method == "all":
        return float(np.sum(np.diff(np.concatenate([[0.0], r])) * envelope))
    grid = np.linspace(0, 1, 11 if method == "11point" else 101)
    # first point with recall >= grid; the 1e-9 keeps 7/10 >= 0.7 (np.linspace gives 0.7000000000000001)
    idx = np.searchsorted(r, grid - 1e-9, side="left")
    padded = np.concatenate([envelope, [0.0]])               # recall never reached -> 0
    return float(np.mean(padded[idx]))


def detection_ap(det_boxes, det_scores, det_images, gt_boxes, gt_images, iou_threshold=0.5,
                 method="all"):
    """AP of one class over a dataset at one IoU threshold."""
    tp, _, n_gt = match_detections(det_boxes, det_scores, det_images, gt_boxes, gt_images,
                                   iou_threshold)
    precision, recall = pr_curve(tp, n_gt)
    return average_precision(precision, recall, method)


def coco_ap(det_boxes, det_scores, det_images, gt_boxes, gt_images):
    """COCO's AP@[.50:.95]: 101-point AP averaged over IoU thresholds 0.50, 0.55, ..., 0.95."""
    return float(np.mean([detection_ap(det_boxes, det_scores, det_images, gt_boxes, gt_images,
                                       t, "101point") for t in COCO_IOU_THRESHOLDS]))
# --8<-- [end:ap]


def synthetic_detections(n_images=20, objects_per_image=3, seed=0, image_size=100.0):
    """A toy dataset: ground truth per image plus jittered true hits, duplicates and false alarms.

    Returns (det_boxes, det_scores, det_images, gt_boxes, gt_images).
    """
    rng = np.random.default_rng(seed)
    gts, gt_img, dets, scores, det_img = [], [], [], [], []
    for img in range(int(n_images)):
        for _ in range(int(objects_per_image)):
            w, h = rng.uniform(10, 40, size=2)
            x, y = rng.uniform(0, image_size - w), rng.uniform(0, image_size - h)
            box = np.array([x, y, x + w, y + h])
            gts.append(box)
            gt_img.append(img)
            if rng.random() < 0.85:                          # detected, with localisation noise
                for dup in range(1 + (rng.random() < 0.3)):  # sometimes a duplicate
                    jitter = rng.normal(0, 0.12 if dup == 0 else 0.2, size=4) * [w, h, w, h]
                    dets.append(np.sort((box + jitter).reshape(2, 2), axis=0).ravel())
                    scores.append(rng.beta(5, 2) if dup == 0 else rng.beta(2, 3))
                    det_img.append(img)
        for _ in range(rng.poisson(1.5)):                    # false alarms
            w, h = rng.uniform(10, 40, size=2)
            x, y = rng.uniform(0, image_size - w), rng.uniform(0, image_size - h)
            dets.append([x, y, x + w, y + h])
            scores.append(rng.beta(2, 4))
            det_img.append(img)
    return (np.array(dets, float), np.array(scores), np.array(det_img, float),
            np.array(gts), np.array(gt_img, float))


# The precision-recall example of the page: 10 detections ranked by score, 6 objects.
PR_EXAMPLE_TP = (1, 0, 1, 1, 0, 0, 1, 0, 0, 1)
PR_EXAMPLE_N_GT = 6

# The NMS scene: two people-sized objects that overlap and one apart.
SCENE_OBJECTS = np.array([[30.0, 30, 110, 130], [52, 34, 132, 134], [185, 55, 250, 125]])


def nms_scene(seed=7, per_object=6):
    """Candidate boxes around SCENE_OBJECTS, as a detector emits them before NMS.

    Returns (boxes, scores, object index of each box). The first box of each object is
    its best-scored, best-placed one.
    """
    rng = np.random.default_rng(seed)
    boxes, scores, owner = [], [], []
    top = (0.95, 0.85, 0.9)
    for k, obj in enumerate(SCENE_OBJECTS):
        w, h = obj[2] - obj[0], obj[3] - obj[1]
        for j in range(int(per_object)):
            jitter = np.zeros(4) if j == 0 else rng.normal(0, 0.08, size=4) * [w, h, w, h]
            boxes.append(obj + jitter)
            scores.append(top[k] if j == 0 else top[k] * rng.uniform(0.55, 0.97))
            owner.append(k)
    return np.array(boxes), np.array(scores), np.array(owner)
