"""Tests for dlnotes.detection: hand values, brute-force references, scikit-learn, claims."""
import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from dlnotes.detection import (AP_METHODS, COCO_IOU_THRESHOLDS, PR_EXAMPLE_N_GT, PR_EXAMPLE_TP,
                               SCENE_OBJECTS, assign_anchors, average_precision, box_area, coco_ap,
                               detection_ap, giou, iou, make_anchors, match_detections, nms, nms_scene,
                               pr_curve, soft_nms, synthetic_detections)
from tests.claims import Claim, claims_test


def random_int_boxes(rng, n, size=30):
    xy = rng.integers(0, size, size=(n, 2))
    wh = rng.integers(1, 15, size=(n, 2))
    return np.hstack([xy, xy + wh]).astype(float)


def raster(box, size=50):
    """A boolean mask of the unit pixels inside an integer-cornered box."""
    m = np.zeros((size, size), dtype=bool)
    x1, y1, x2, y2 = (int(v) for v in box)
    m[y1:y2, x1:x2] = True
    return m


# ------------------------------------------------------------ IoU and GIoU

def test_iou_by_hand():
    # overlap 1x1 = 1, union 4 + 4 - 1 = 7
    assert iou([[0, 0, 2, 2]], [[1, 1, 3, 3]])[0, 0] == pytest.approx(1 / 7)
    assert iou([[0, 0, 1, 1]], [[1, 0, 2, 1]])[0, 0] == 0.0          # touching edges
    assert iou([[0, 0, 4, 4]], [[0, 0, 4, 4]])[0, 0] == 1.0


def test_giou_by_hand():
    # disjoint unit squares at (0,0) and (2,2): IoU 0, enclosing box 3x3 = 9, union 2
    assert giou([[0, 0, 1, 1]], [[2, 2, 3, 3]])[0, 0] == pytest.approx(-7 / 9)
    # nested boxes: the enclosing box is the union, so GIoU = IoU = 4/16
    assert giou([[0, 0, 4, 4]], [[1, 1, 3, 3]])[0, 0] == pytest.approx(0.25)


def test_iou_and_giou_match_pixel_counting():
    rng = np.random.default_rng(0)
    a, b = random_int_boxes(rng, 25), random_int_boxes(rng, 20)
    got_iou, got_giou = iou(a, b), giou(a, b)
    for i, ba in enumerate(a):
        for j, bb in enumerate(b):
            ma, mb = raster(ba), raster(bb)
            inter, union = (ma & mb).sum(), (ma | mb).sum()
            enclosing = raster([min(ba[0], bb[0]), min(ba[1], bb[1]), max(ba[2], bb[2]), max(ba[3], bb[3])])
            assert got_iou[i, j] == pytest.approx(inter / union)
            assert got_giou[i, j] == pytest.approx(inter / union - (enclosing.sum() - union) / enclosing.sum())


def test_giou_bounds_and_symmetry():
    rng = np.random.default_rng(1)
    a = random_int_boxes(rng, 40)
    g, u = giou(a, a[::-1]), iou(a, a[::-1])
    assert np.all(g <= u + 1e-12) and np.all(g > -1) and np.all(g <= 1)
    assert np.allclose(np.diag(giou(a, a)), 1.0)
    assert np.allclose(iou(a, a[::-1]), iou(a[::-1], a).T)
    # far apart boxes approach -1
    assert giou([[0, 0, 1, 1]], [[1000, 1000, 1001, 1001]])[0, 0] < -0.999


def test_box_area_and_empty_input():
    assert np.allclose(box_area([[0, 0, 2, 3], [1, 1, 1, 5]]), [6, 0])
    assert iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    assert iou([[0, 0, 0, 0]], [[0, 0, 0, 0]])[0, 0] == 0.0             # 0/0 -> 0, not NaN


# ------------------------------------------------------------ NMS

def nms_reference(boxes, scores, t):
    """Brute force: visit boxes by score; keep one unless a kept box overlaps it by IoU > t."""
    def one_iou(p, q):
        w = max(0.0, min(p[2], q[2]) - max(p[0], q[0]))
        h = max(0.0, min(p[3], q[3]) - max(p[1], q[1]))
        union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - w * h
        return w * h / union if union > 0 else 0.0
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    keep = []
    for i in order:
        if all(one_iou(boxes[i], boxes[k]) <= t for k in keep):
            keep.append(i)
    return keep


@pytest.mark.parametrize("t", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_nms_matches_brute_force(t):
    rng = np.random.default_rng(2)
    for _ in range(20):
        boxes = random_int_boxes(rng, 30) + rng.uniform(0, 0.5, size=(30, 4)) * [0, 0, 1, 1]
        scores = rng.random(30)
        assert nms(boxes, scores, t).tolist() == nms_reference(boxes, scores, t)


def test_nms_kept_set_is_the_greedy_fixed_point():
    # i is kept  <=>  no kept box with a higher score overlaps it by more than t
    rng = np.random.default_rng(3)
    boxes, scores, t = random_int_boxes(rng, 60), rng.random(60), 0.4
    keep = set(nms(boxes, scores, t).tolist())
    o = iou(boxes, boxes)
    for i in range(60):
        blocked = any(o[i, k] > t and scores[k] > scores[i] for k in keep if k != i)
        assert (i in keep) == (not blocked)


def test_nms_by_hand_and_edge_cases():
    boxes = [[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]]
    # IoU(0, 1) = 81 / 119 = 0.68
    assert nms(boxes, [0.9, 0.8, 0.7], 0.5).tolist() == [0, 2]
    assert nms(boxes, [0.9, 0.8, 0.7], 0.7).tolist() == [0, 1, 2]
    assert nms(boxes, [0.1, 0.8, 0.7], 0.5).tolist() == [1, 2]
    assert nms(np.zeros((0, 4)), [], 0.5).tolist() == []


def test_nms_scene_story():
    boxes, scores, owner = nms_scene()
    assert len(boxes) == 18
    keep = nms(boxes, scores, 0.5)
    assert sorted(set(owner[keep])) == [0, 2]              # the occluded person is lost
    assert sorted(owner[nms(boxes, scores, 0.7)]) == [0, 1, 2]
    k, new = soft_nms(boxes, scores, "gaussian", sigma=0.5)
    assert list(owner[k[:3]]) == [0, 2, 1]                 # soft-NMS keeps it, third


# ------------------------------------------------------------ soft-NMS

def soft_nms_reference(boxes, scores, method, nt, sigma, floor):
    """Loop form of Bodla et al.'s Algorithm 1 (their released code, without its +1 pixel)."""
    b = [list(map(float, x)) for x in boxes]
    s = list(map(float, scores))
    alive = [i for i in range(len(s)) if s[i] >= floor]
    keep, out = [], []
    while alive:
        m = max(alive, key=lambda i: (s[i], -i))
        keep.append(m)
        out.append(s[m])
        alive.remove(m)
        for i in list(alive):
            ov = iou([b[m]], [b[i]])[0, 0]
            if method == "linear":
                w = 1 - ov if ov >= nt else 1.0
            else:
                w = math.exp(-ov * ov / sigma)
            s[i] *= w
            if s[i] < floor:
                alive.remove(i)
    return keep, out


@pytest.mark.parametrize("method", ["linear", "gaussian"])
def test_soft_nms_matches_loop_reference(method):
    rng = np.random.default_rng(4)
    for _ in range(10):
        boxes, scores = random_int_boxes(rng, 25), rng.random(25)
        k, s = soft_nms(boxes, scores, method, iou_threshold=0.3, sigma=0.5, score_threshold=0.05)
        rk, rs = soft_nms_reference(boxes, scores, method, 0.3, 0.5, 0.05)
        assert k.tolist() == rk
        assert np.allclose(s, rs)


def test_soft_nms_hard_is_nms():
    rng = np.random.default_rng(5)
    for t in (0.3, 0.5):
        boxes, scores = random_int_boxes(rng, 40), rng.uniform(0.1, 1, 40)
        k, s = soft_nms(boxes, scores, "hard", iou_threshold=t, score_threshold=1e-9)
        assert k.tolist() == nms(boxes, scores, t).tolist()


def test_soft_nms_gaussian_by_hand():
    boxes = [[0, 0, 10, 10], [0, 0, 10, 5]]                # IoU = 0.5
    k, s = soft_nms(boxes, [0.9, 0.8], "gaussian", sigma=0.5)
    assert k.tolist() == [0, 1]
    assert s[1] == pytest.approx(0.8 * math.exp(-0.25 / 0.5))
    k, s = soft_nms(boxes, [0.9, 0.8], "linear", iou_threshold=0.3)
    assert s[1] == pytest.approx(0.8 * 0.5)


# ------------------------------------------------------------ anchors

def test_make_anchors_shapes_areas_ratios():
    a = make_anchors((2, 3), stride=16)
    assert a.shape == (2 * 3 * 9, 4)
    w, h = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    first_cell = slice(0, 9)
    assert np.allclose(sorted(np.sqrt(w * h)[first_cell]), [128] * 3 + [256] * 3 + [512] * 3)
    assert np.allclose(sorted(set(np.round(h / w, 9))), [0.5, 1.0, 2.0])
    assert np.allclose((a[:9, :2] + a[:9, 2:]) / 2, [8, 8])          # centre of cell (0, 0)
    assert np.allclose((a[-1, :2] + a[-1, 2:]) / 2, [40, 24])        # centre of cell (1, 2)


def test_assign_anchors_faster_rcnn_rule_by_hand():
    gt = [[0, 0, 10, 10]]
    anchors = [[0, 0, 10, 10],       # IoU 1 -> positive
               [0, 0, 10, 8],        # IoU 0.8 -> positive
               [0, 0, 10, 5],        # IoU 0.5 -> ignored
               [0, 0, 10, 2],        # IoU 0.2 -> negative
               [50, 50, 60, 60]]     # IoU 0 -> negative
    labels, matched = assign_anchors(anchors, gt, 0.7, 0.3)
    assert labels.tolist() == [1, 1, -1, 0, 0]
    assert matched.tolist() == [0, 0, -1, -1, -1]
    labels, _ = assign_anchors(anchors, gt, 0.5, 0.4)        # RetinaNet's thresholds
    assert labels.tolist() == [1, 1, 1, 0, 0]


def test_assign_anchors_low_quality_match():
    # the only anchor overlapping the object has IoU 0.5 < 0.7: it becomes positive anyway
    gt = [[0, 0, 10, 10]]
    anchors = [[0, 0, 10, 5], [50, 50, 60, 60]]
    assert assign_anchors(anchors, gt, 0.7, 0.3)[0].tolist() == [1, 0]
    assert assign_anchors(anchors, gt, 0.7, 0.3, match_low_quality=False)[0].tolist() == [-1, 0]
    assert assign_anchors(anchors, np.zeros((0, 4)))[0].tolist() == [0, 0]


# ------------------------------------------------------------ matching and AP

def test_duplicates_are_false_positives_and_images_do_not_mix():
    gt = [[0, 0, 10, 10]]
    dets = [[0, 0, 10, 10], [0, 0, 10, 9], [0, 0, 10, 10]]
    tp, s, n = match_detections(dets, [0.9, 0.8, 0.7], [0, 0, 1], gt, [0])
    assert tp.tolist() == [True, False, False] and n == 1
    # a lower-scored exact box does not steal the match from a higher-scored rough one
    tp, _, _ = match_detections([[0, 0, 10, 10], [0, 0, 10, 6]], [0.5, 0.9], [0, 0], gt, [0])
    assert tp.tolist() == [True, False]


def test_pr_example_by_hand():
    p, r = pr_curve(np.array(PR_EXAMPLE_TP), PR_EXAMPLE_N_GT)
    assert np.allclose(p[:4], [1, 1 / 2, 2 / 3, 3 / 4])
    assert r[-1] == pytest.approx(5 / 6)
    # all-point: recall steps of 1/6 at precisions 1, 3/4 (twice: envelope), 4/7, 1/2
    assert average_precision(p, r, "all") == pytest.approx((1 + 0.75 + 0.75 + 4 / 7 + 0.5) / 6)
    # 11-point: r = 0, .1 -> 1; .2 .. .5 -> 3/4; .6 -> 4/7; .7, .8 -> 1/2; .9, 1 -> 0
    assert average_precision(p, r, "11point") == pytest.approx((2 + 4 * 0.75 + 4 / 7 + 1) / 11)
    # step: precision at each new true positive, no envelope
    assert average_precision(p, r, "step") == pytest.approx((1 + 2 / 3 + 3 / 4 + 4 / 7 + 1 / 2) / 6)


def interpolated_at(p, r, x):
    """Brute-force interpolated precision: the best precision at any recall >= x (0 if none)."""
    vals = [pk for pk, rk in zip(p, r) if rk >= x - 1e-12]
    return max(vals) if vals else 0.0


def all_point_brute_force(p, r):
    """Integrate the interpolated precision exactly: it is constant on each (r_{k-1}, r_k]."""
    edges = sorted(set([0.0] + list(r)))
    return sum((hi - lo) * interpolated_at(p, r, hi) for lo, hi in zip(edges, edges[1:]))


@pytest.mark.parametrize("seed", range(6))
def test_ap_matches_brute_force_definitions(seed):
    rng = np.random.default_rng(seed)
    n_gt = int(rng.integers(3, 12))
    tp = rng.random(30) < 0.4
    tp[np.cumsum(tp) > n_gt] = False
    p, r = pr_curve(tp, n_gt)
    assert average_precision(p, r, "11point") == pytest.approx(
        np.mean([interpolated_at(p, r, x) for x in np.linspace(0, 1, 11)]))
    assert average_precision(p, r, "101point") == pytest.approx(
        np.mean([interpolated_at(p, r, x) for x in np.linspace(0, 1, 101)]))
    assert average_precision(p, r, "all") == pytest.approx(all_point_brute_force(p, r))
    # and by a fine Riemann sum of the same curve
    grid = np.linspace(0, 1, 20001)[1:]
    assert average_precision(p, r, "all") == pytest.approx(
        np.mean([interpolated_at(p, r, x) for x in grid]), abs=2e-3)


def test_step_ap_matches_sklearn():
    d = synthetic_detections(seed=1)
    tp, scores, n_gt = match_detections(*d)
    p, r = pr_curve(tp, n_gt)
    # sklearn's recall counts only the objects that some detection found (tp.sum());
    # detection recall divides by every object, so the two differ by that factor
    assert average_precision(p, r, "step") == pytest.approx(
        average_precision_score(tp, scores) * tp.sum() / n_gt)
    # when every object is found the two agree exactly
    gt = np.array([[0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]], float)
    dets = np.vstack([gt, gt + 1, [[70, 70, 80, 80]]])
    sc = np.array([0.9, 0.5, 0.8, 0.7, 0.6, 0.3, 0.95])
    tp, s, n = match_detections(dets, sc, np.zeros(7), gt, np.zeros(3))
    assert tp.sum() == n
    p, r = pr_curve(tp, n)
    assert average_precision(p, r, "step") == pytest.approx(average_precision_score(tp, s))


def test_interpolations_ordering():
    # all-point AP (envelope) is never below the step AP, and 101-point is close to all-point
    for seed in range(10):
        d = synthetic_detections(seed=seed)
        tp, _, n = match_detections(*d)
        p, r = pr_curve(tp, n)
        assert average_precision(p, r, "all") >= average_precision(p, r, "step") - 1e-12
        assert abs(average_precision(p, r, "101point") - average_precision(p, r, "all")) < 0.02


def coco_like_accumulate(tp, n_gt, rec_thrs=np.linspace(0, 1, 101)):
    """pycocotools' COCOeval.accumulate for one class, area and IoU, transcribed."""
    tp_sum = np.cumsum(tp).astype(float)
    fp_sum = np.cumsum(~tp).astype(float)
    rc = tp_sum / n_gt
    pr = (tp_sum / (fp_sum + tp_sum + np.spacing(1))).tolist()
    q = np.zeros(len(rec_thrs)).tolist()
    for i in range(len(tp) - 1, 0, -1):
        if pr[i] > pr[i - 1]:
            pr[i - 1] = pr[i]
    inds = np.searchsorted(rc, rec_thrs, side="left")
    try:
        for ri, pi in enumerate(inds):
            q[ri] = pr[pi]
    except IndexError:
        pass
    return float(np.mean(q))


def test_101_point_matches_pycocotools_accumulate_logic():
    grid, compared = np.linspace(0, 1, 101), 0
    for seed in range(8):
        d = synthetic_detections(n_images=67, objects_per_image=1, seed=seed)     # 67 objects: prime
        for t in COCO_IOU_THRESHOLDS:
            tp, _, n = match_detections(*d, iou_threshold=t)
            p, r = pr_curve(tp, n)
            below = (r[:, None] < grid[None]) & np.isclose(r[:, None], grid[None])
            if not below.any():    # see test_recall_on_a_grid_point_quirk_of_the_reference_code
                compared += 1
                assert average_precision(p, r, "101point") == pytest.approx(coco_like_accumulate(tp, n),
                                                                           abs=1e-12)
    assert compared == 80


def test_coco_ap_perfect_and_threshold_sensitivity():
    # a 5 x 5 grid of well separated 10 x 10 objects in two images
    xy = np.array([(30 * i, 30 * j) for i in range(5) for j in range(5)], float)
    gt_boxes = np.hstack([xy, xy + 10])
    gt_images = np.arange(25) % 2.0
    scores = np.linspace(1, 0.5, 25)
    perfect = (gt_boxes, scores, gt_images, gt_boxes, gt_images)
    assert coco_ap(*perfect) == pytest.approx(1.0)
    assert detection_ap(*perfect, method="11point") == pytest.approx(1.0)
    # shifted by 2.5 in x: IoU = 7.5 / 12.5 = 0.6, a hit at 0.50, 0.55 and 0.60, a miss above
    moved = gt_boxes + [2.5, 0, 2.5, 0]
    assert np.allclose(np.diag(iou(moved, gt_boxes)), 0.6)
    shifted = (moved, scores, gt_images, gt_boxes, gt_images)
    assert coco_ap(*shifted) == pytest.approx(0.3)
    assert detection_ap(*shifted, iou_threshold=0.5) == pytest.approx(1.0)
    assert detection_ap(*shifted, iou_threshold=0.75) == 0.0


def test_recall_on_a_grid_point_quirk_of_the_reference_code():
    # 7 of 10 objects found: recall 0.7 lies below np.linspace's 0.7000000000000001, so a literal
    # searchsorted (pycocotools, and py-faster-rcnn's voc_eval.py with np.arange) skips it; ours does not
    tp = np.array([True] * 7 + [False] * 3)
    p, r = pr_curve(tp, 10)
    assert r[6] < np.linspace(0, 1, 101)[70]
    assert average_precision(p, r, "101point") == pytest.approx(71 / 101)
    assert coco_like_accumulate(tp, 10) == pytest.approx(70 / 101)


def _pycocotools_ap(det_boxes, det_scores, det_images, gt_boxes, gt_images, exact_grid=False):
    """COCO AP@[.50:.95] (area 'all', 100 detections) computed by pycocotools itself."""
    import contextlib
    import io

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    def xywh(b):
        return [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])]
    images = sorted(set(gt_images.astype(int)) | set(det_images.astype(int)))
    gt = {"images": [{"id": i + 1} for i in images], "categories": [{"id": 1}],
          "annotations": [{"id": k + 1, "image_id": int(im) + 1, "category_id": 1, "bbox": xywh(b),
                           "area": float(box_area([b])[0]), "iscrowd": 0}
                          for k, (b, im) in enumerate(zip(gt_boxes, gt_images))]}
    dets = [{"image_id": int(im) + 1, "category_id": 1, "bbox": xywh(b), "score": float(s)}
            for b, s, im in zip(det_boxes, det_scores, det_images)]
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = gt
        coco_gt.createIndex()
        ev = COCOeval(coco_gt, coco_gt.loadRes(dets), "bbox")
        ev.params.areaRng, ev.params.areaRngLbl = [[0, 1e10]], ["all"]
        if exact_grid:          # 0.70 exactly instead of np.linspace's 0.7000000000000001
            ev.params.recThrs = np.arange(101) / 100
        ev.evaluate()
        ev.accumulate()
    return ev.eval["precision"][:, :, 0, 0, -1].mean()


@pytest.mark.parametrize("n_images, seed", [(37, 2), (37, 3), (31, 5)])
def test_coco_ap_equals_pycocotools(n_images, seed):
    """pycocotools (a test dependency, pinned in requirements.lock) is the reference. With a
    ground-truth count coprime to 100 no recall lands on a grid point, and the two agree."""
    from importlib.metadata import version

    assert version("pycocotools") == "2.0.11", "the page names the version it was checked against"
    data = synthetic_detections(n_images=n_images, objects_per_image=1, seed=seed)
    assert coco_ap(*data) == pytest.approx(_pycocotools_ap(*data), abs=1e-12)


def test_coco_ap_vs_pycocotools_where_recall_hits_the_grid():
    """60 objects: recall 42/60 = 0.7 falls just below np.linspace's 0.7000000000000001, so
    pycocotools reads the next recall's precision there (the quirk the page describes). On
    the exact grid it equals ours to the last bit; on its own grid it differs slightly."""
    data = synthetic_detections(seed=2)
    ours = coco_ap(*data)
    assert ours == _pycocotools_ap(*data, exact_grid=True)
    assert 0 < abs(ours - _pycocotools_ap(*data)) < 1e-3


def test_synthetic_detections_shape():
    d, s, di, g, gi = synthetic_detections(n_images=5, objects_per_image=2, seed=0)
    assert d.shape[1] == 4 and len(d) == len(s) == len(di)
    assert g.shape == (10, 4) and len(gi) == 10
    assert np.all(d[:, 2] >= d[:, 0]) and np.all(d[:, 3] >= d[:, 1])


# ------------------------------------------------------------ bad input

@pytest.mark.parametrize("call, exc, words", [
    (lambda: iou([[0, 0, 1]], [[0, 0, 1, 1]]), ValueError, "boxes_a must have shape"),
    (lambda: iou([[2, 0, 1, 1]], [[0, 0, 1, 1]]), ValueError, "x1 <= x2"),
    (lambda: giou("boxes", [[0, 0, 1, 1]]), TypeError, "boxes_a"),
    (lambda: iou([[0, 0, np.nan, 1]], [[0, 0, 1, 1]]), ValueError, "boxes_a contains NaN"),
    (lambda: nms([[0, 0, 1, 1]], [0.5, 0.4]), ValueError, "scores must have one entry per box"),
    (lambda: nms([[0, 0, 1, 1]], [0.5], iou_threshold=1.5), ValueError, "iou_threshold"),
    (lambda: soft_nms([[0, 0, 1, 1]], [0.5], method="cubic"), ValueError, "method"),
    (lambda: soft_nms([[0, 0, 1, 1]], [0.5], sigma=0.0), ValueError, "sigma"),
    (lambda: assign_anchors([[0, 0, 1, 1]], [[0, 0, 1, 1]], 0.3, 0.7), ValueError, "neg_iou"),
    (lambda: make_anchors((0, 3), 16), ValueError, "feature_size"),
    (lambda: make_anchors((2, 2), 16, ratios=(0.0,)), ValueError, "ratios"),
    (lambda: pr_curve([1, 0], 0), ValueError, "n_gt"),
    (lambda: average_precision([1, 0.5], [0.5, 0.2]), ValueError, "recall must be non-decreasing"),
    (lambda: average_precision([1, 0.5], [0.5]), ValueError, "same length"),
    (lambda: average_precision([1.0], [0.5], method="voc"), ValueError, "method"),
    (lambda: match_detections([[0, 0, 1, 1]], [0.5], [0, 1], [[0, 0, 1, 1]], [0]), ValueError, "det_images"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_every_ap_method_is_documented():
    doc = average_precision.__doc__
    assert all(f'"{m}"' in doc for m in AP_METHODS)
    assert SCENE_OBJECTS.shape == (3, 4)


# ------------------------------------------------------------ claims on the pages

P = "cnn/detection-basics.md"


def _scene_iou():
    return iou(SCENE_OBJECTS[:1], SCENE_OBJECTS[1:2])[0, 0]


def _scene_soft():
    boxes, scores, owner = nms_scene()
    keep, new = soft_nms(boxes, scores, "gaussian", sigma=0.5)
    return owner[keep], new, scores


def _example_ap(method):
    p, r = pr_curve(np.array(PR_EXAMPLE_TP), PR_EXAMPLE_N_GT)
    return average_precision(p, r, method)


def _shifted_coco_ap():
    xy = np.array([(30 * i, 30 * j) for i in range(5) for j in range(5)], float)
    gt = np.hstack([xy, xy + 10])
    moved = gt + [2.5, 0, 2.5, 0]                               # IoU 0.6 with its object
    imgs = np.zeros(25)
    return coco_ap(moved, np.linspace(1, 0.5, 25), imgs, gt, imgs)


CLAIMS = [
    Claim(P, lambda: iou([[0, 0, 2, 2]], [[1, 1, 3, 3]])[0, 0], "{:.3f}",
          en="share one unit square out of seven, IoU = 0.143", zh="在七个单位面积里共享一个，IoU = 0.143"),
    Claim(P, lambda: -giou([[0, 0, 1, 1]], [[2, 2, 3, 3]])[0, 0], "{:.3f}",         # printed as −0.778
          en="GIoU \\(0 - 7/9\\) = −0.778", zh="GIoU 为 \\(0 - 7/9\\) = −0.778"),
    Claim(P, lambda: 2400 * 9, "{}",
          en="a \\(W\\times H\\) map of about 2400 positions gives about 21600 anchors",
          zh="约 2400 个位置的 \\(W\\times H\\) 特征图共约 21600 个锚框"),
    Claim(P, lambda: len(make_anchors((1, 1), 16)), "{}",
          en="(1:1, 1:2, 2:1) = 9 anchors per position", zh="（1:1、1:2、2:1），每个位置 9 个锚框"),
    Claim(P, _scene_iou, "{:.3f}",
          en="two people overlap with IoU 0.534", zh="两个人相互重叠，IoU 为 0.534"),
    Claim(P, lambda: len(nms(*nms_scene()[:2], 0.5)), "{}",
          en="NMS at 0.5 keeps 2 boxes", zh="阈值 0.5 的 NMS 只剩 2 个框"),
    Claim(P, lambda: _scene_soft()[2][6], "{:.2f}",
          en="with its score lowered from 0.85 to 0.48", zh="分数从 0.85 降到 0.48"),
    Claim(P, lambda: _scene_soft()[1][2], "{:.2f}",
          en="with its score lowered from 0.85 to 0.48", zh="分数从 0.85 降到 0.48"),
    Claim(P, lambda: _scene_soft()[1][3], "{:.2f}",
          en="the duplicates fall to 0.24 or less", zh="重复框的分数则降到 0.24 及以下"),
    Claim(P, lambda: len(nms_scene()[0]), "{}",
          en="Top left: 18 candidate boxes, six per object",
          zh="左上：18 个候选框，每个物体 6 个"),
    Claim(P, lambda: len(nms(*nms_scene()[:2], 0.7)), "{}",
          en="At 0.7 all 3 objects survive here", zh="阈值取 0.7 时这里 3 个物体都保留了下来"),
    Claim(P, _scene_iou, "{:.3f}",
          en="The two people overlap with IoU 0.534, so greedy NMS at 0.5",
          zh="两个人的 IoU 为 0.534，阈值 0.5 的贪心 NMS"),
    Claim(P, lambda: _scene_soft()[1][2], "{:.2f}",
          en="Soft-NMS only lowers that box's score to 0.48", zh="Soft-NMS 只把这个框的分数降到 0.48"),
    Claim(P, lambda: _scene_soft()[1][3], "{:.2f}",
          en="fall to 0.24 and below", zh="分数降到 0.24 及以下"),
    Claim(P, lambda: pr_curve(np.array(PR_EXAMPLE_TP), PR_EXAMPLE_N_GT)[1][-1], "{:.3f}",
          en="so the curve ends at recall 0.833", zh="所以曲线止于召回率 0.833"),
    Claim(P, lambda: _example_ap("11point"), "{:.3f}",
          en="The 11-point AP is 0.597 and the all-point AP 0.595", zh="11 点 AP 为 0.597，全部点 AP 为 0.595"),
    Claim(P, lambda: _example_ap("all"), "{:.3f}",
          en="The 11-point AP is 0.597 and the all-point AP 0.595", zh="11 点 AP 为 0.597，全部点 AP 为 0.595"),
    Claim(P, lambda: _example_ap("101point"), "{:.4f}",
          en="COCO's 101-point rule gives 0.5955 against 0.5952 for all points",
          zh="COCO 的 101 点给出 0.5955，全部点为 0.5952"),
    Claim(P, lambda: _example_ap("all"), "{:.4f}",
          en="COCO's 101-point rule gives 0.5955 against 0.5952 for all points",
          zh="COCO 的 101 点给出 0.5955，全部点为 0.5952"),
    Claim(P, lambda: _example_ap("step"), "{:.3f}",
          en="`sklearn.metrics.average_precision_score` computes) it is 0.581",
          zh="即 `sklearn.metrics.average_precision_score` 的算法）则是 0.581"),
    Claim(P, lambda: _example_ap("step"), "{:.3f}",
          en="the 11-point, all-point and step values are 0.597, 0.595 and 0.581",
          zh="分别得到 0.597、0.595 和 0.581"),
    Claim(P, lambda: _example_ap("101point"), "{:.4f}",
          en="almost the same number: 0.5955 against 0.5952", zh="结果几乎相同：本页例子中为 0.5955 对 0.5952"),
    Claim(P, _shifted_coco_ap, "{:.1f}",
          en="score AP 1 at 0.5 but only 0.3 on COCO's AP", zh="COCO 的 AP 却只有 0.3，因为"),
    Claim(P, _shifted_coco_ap, "{:.1f}",
          en="score 1.0 at AP\\(_{50}\\) but 0.3 on COCO AP", zh="AP\\(_{50}\\) 为 1.0，COCO 的 AP 却只有 0.3"),
    Claim(P, lambda: repr(np.linspace(0, 1, 101)[70].item()), "{}",
          en="which is below the grid's 0.7000000000000001", zh="却小于网格里的 0.7000000000000001"),
]
test_claims = claims_test(CLAIMS)
