"""Tests for dlnotes.crf (exact dense CRF, mean-field inference) and the CRF page's numbers."""
import functools

import numpy as np
import pytest

from dlnotes.crf import (MAX_PIXELS, coarse_probabilities, demo_scene, dense_crf, free_energy,
                         labelling_energy, mean_field, pairwise_kernel)
from dlnotes.segmentation import confusion_matrix, mean_iou
from tests.claims import Claim, claims_test

# The parameters the page and the figures use on the 48 x 72 flower image.
PARAMS = dict(theta_alpha=6.0, theta_beta=13.0, theta_gamma=3.0, w_app=5.0, w_smooth=1.0)


def noisy_constant(h=12, w=14, labels=3, seed=0):
    """A flat grey image with a noisy unary that slightly favours label 0."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 1.0, (h, w, labels))
    logits[..., 0] += 0.4
    p = np.exp(logits)
    return np.full((h, w, 3), 120.0), p / p.sum(-1, keepdims=True)


def two_regions(h=10, w=12, seed=1):
    """Left half dark, right half bright; a unary that is right only 70 % of the time."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3))
    img[:, w // 2:] = 200.0
    truth = np.zeros((h, w), int)
    truth[:, w // 2:] = 1
    flip = rng.random((h, w)) < 0.3
    noisy = np.where(flip, 1 - truth, truth)
    p = np.full((h, w, 2), 0.35)
    p[np.arange(h)[:, None], np.arange(w)[None, :], noisy] = 0.65
    return img, p, truth


# ---------------------------------------------------------------- the kernel

def test_kernel_is_symmetric_with_zero_diagonal_and_matches_the_formula():
    rng = np.random.default_rng(2)
    img = rng.uniform(0, 255, (4, 5, 3))
    K = pairwise_kernel(img, **PARAMS)
    assert np.allclose(K, K.T) and np.all(np.diag(K) == 0)
    i, j = 3, 17                                         # pixels (0, 3) and (3, 2)
    pi, pj = np.array([0, 3]), np.array([3, 2])
    d_pos, d_col = ((pi - pj) ** 2).sum(), ((img[0, 3] - img[3, 2]) ** 2).sum()
    expected = (5.0 * np.exp(-d_pos / (2 * 6.0**2) - d_col / (2 * 13.0**2))
                + 1.0 * np.exp(-d_pos / (2 * 3.0**2)))
    assert K[i, j] == pytest.approx(expected)


def test_appearance_kernel_is_weaker_across_an_edge():
    img, _, _ = two_regions()
    K = pairwise_kernel(img, theta_alpha=5, theta_beta=10, theta_gamma=1, w_app=1, w_smooth=0)
    w = img.shape[1]
    same_side = K[0 * w + 4, 1 * w + 4]                  # two dark pixels, one row apart
    across = K[0 * w + 5, 0 * w + 6]                     # dark and bright neighbours
    assert same_side > 0.9 and across < 1e-50


# ---------------------------------------------------------------- inference

@pytest.mark.parametrize("schedule", ["parallel", "sequential"])
def test_output_is_a_distribution(schedule):
    img, p = noisy_constant()
    Q, history = mean_field(p, pairwise_kernel(img, **PARAMS), iterations=5, schedule=schedule)
    for q in [Q, *history]:
        assert np.all(q >= 0) and np.allclose(q.sum(-1), 1.0)
    assert len(history) == 6


def test_sequential_updates_never_increase_the_free_energy():
    img, p, _ = two_regions()
    K = pairwise_kernel(img, theta_alpha=4, theta_beta=20, theta_gamma=2, w_app=3, w_smooth=2)
    _, history = mean_field(p, K, iterations=8, schedule="sequential")
    F = [free_energy(q, p, K) for q in history]
    assert all(b <= a + 1e-9 for a, b in zip(F, F[1:]))
    assert F[-1] < F[0]


def test_parallel_updates_reach_a_fixed_point():
    img, p, _ = two_regions()
    K = pairwise_kernel(img, theta_alpha=4, theta_beta=20, theta_gamma=2, w_app=3, w_smooth=2)
    Q, history = mean_field(p, K, iterations=30)
    again, _ = mean_field(p, K, iterations=31)
    assert np.abs(again - Q).max() < 1e-8               # one more update changes nothing
    F = [free_energy(q, p, K) for q in history]
    assert F[-1] < F[0]


def test_mean_field_fixed_point_is_a_stationary_point_of_the_free_energy():
    # Weak pairwise terms keep Q soft; perturb Q inside the simplex, proportionally to Q.
    img, p, _ = two_regions()
    K = pairwise_kernel(img, theta_alpha=4, theta_beta=20, theta_gamma=2, w_app=0.3, w_smooth=0.2)
    Q, history = mean_field(p, K, iterations=60)
    n = np.random.default_rng(0).normal(size=Q.shape)

    def slope(q, eps=1e-6):
        d = q * (n - (q * n).sum(-1, keepdims=True))     # sums to 0 over labels
        return (free_energy(q + eps * d, p, K) - free_energy(q - eps * d, p, K)) / (2 * eps)
    assert abs(slope(history[0])) > 1.0                  # the unary alone is not stationary
    assert abs(slope(Q)) < 1e-5                          # the fixed point is


def test_constant_image_with_noisy_unary_is_smoothed():
    img, p = noisy_constant()
    before = p.argmax(-1)
    Q, _ = mean_field(p, pairwise_kernel(img, **PARAMS), iterations=10)
    after = Q.argmax(-1)
    assert len(np.unique(before)) == 3                   # the raw argmax is speckled
    assert np.all(after == 0)                            # one label wins everywhere: the favoured one
    assert labelling_energy(after, p, pairwise_kernel(img, **PARAMS)) < \
        labelling_energy(before, p, pairwise_kernel(img, **PARAMS))


def test_crf_fixes_labels_on_a_two_region_image():
    img, p, truth = two_regions()
    K = pairwise_kernel(img, theta_alpha=4, theta_beta=20, theta_gamma=2, w_app=3, w_smooth=2)
    Q, _ = mean_field(p, K, iterations=10)
    assert (p.argmax(-1) == truth).mean() < 0.8
    assert np.all(Q.argmax(-1) == truth)


def test_zero_weights_give_back_the_unary():
    img, p = noisy_constant()
    K = pairwise_kernel(img, w_app=0.0, w_smooth=0.0)
    Q, _ = mean_field(p, K, iterations=3)
    assert np.allclose(Q, p)


def test_free_energy_of_a_hard_labelling_is_its_energy():
    # For a one-hot Q the entropy is 0 and F equals E(x).
    img, p, truth = two_regions()
    K = pairwise_kernel(img, **PARAMS)
    onehot = np.eye(2)[truth]
    assert free_energy(onehot, p, K) == pytest.approx(labelling_energy(truth, p, K))


def test_labelling_energy_against_brute_force_pairs():
    rng = np.random.default_rng(7)
    img = rng.uniform(0, 255, (3, 3, 3))
    p = rng.dirichlet(np.ones(2), (3, 3))
    x = rng.integers(0, 2, (3, 3))
    K = pairwise_kernel(img, **PARAMS)
    e = -np.log(p.reshape(-1, 2)[np.arange(9), x.ravel()]).sum()
    e += sum(K[i, j] for i in range(9) for j in range(i + 1, 9) if x.ravel()[i] != x.ravel()[j])
    assert labelling_energy(x, p, K) == pytest.approx(e)


def test_flower_demo_improves_miou():
    image, mask = demo_scene("flower")
    probs = coarse_probabilities(mask, stride=8, confidence=3.0, noise=1.0, seed=0)
    Q, _ = dense_crf(image, probs, **PARAMS)
    before = mean_iou(confusion_matrix(mask, probs.argmax(-1), 2))
    after = mean_iou(confusion_matrix(mask, Q.argmax(-1), 2))
    assert after > before + 0.05


def test_coarse_probabilities_is_a_blurred_distribution():
    mask = np.zeros((16, 16), int)
    mask[4:12, 4:12] = 1
    p = coarse_probabilities(mask, stride=4, confidence=5.0)
    assert np.allclose(p.sum(-1), 1) and p.shape == (16, 16, 2)
    assert p[8, 8, 1] > 0.9 and p[0, 0, 0] > 0.9


@pytest.mark.parametrize("call, exc, words", [
    (lambda: pairwise_kernel(np.zeros((65, 64))), ValueError, "at most 4096"),
    (lambda: pairwise_kernel(np.zeros((4, 4)), theta_alpha=0), ValueError, "theta_alpha must be in"),
    (lambda: pairwise_kernel(np.zeros((4, 4)), w_app=-1), ValueError, "w_app must be in"),
    (lambda: pairwise_kernel("img"), TypeError, "image must be a numeric array"),
    (lambda: mean_field(np.full((2, 2, 2), 0.7), np.zeros((4, 4))), ValueError, "probs must be a probability map"),
    (lambda: mean_field(np.full((2, 2, 1), 1.0), np.zeros((4, 4))), ValueError, "at least 2 labels"),
    (lambda: mean_field(np.full((2, 2, 2), 0.5), np.zeros((3, 3))), ValueError, "kernel must be"),
    (lambda: mean_field(np.full((2, 2, 2), 0.5), np.zeros((4, 4)), iterations=-1), ValueError, "iterations"),
    (lambda: mean_field(np.full((2, 2, 2), 0.5), np.zeros((4, 4)), schedule="random"), ValueError, "schedule"),
    (lambda: mean_field(np.full((2, 2, 2), np.nan), np.zeros((4, 4))), ValueError, "probs contains NaN"),
    (lambda: labelling_energy(np.zeros((2, 2)), np.full((2, 2, 2), 0.5), np.zeros((4, 4))), ValueError,
     "labels must be an integer"),
    (lambda: labelling_energy(np.full((2, 2), 3), np.full((2, 2, 2), 0.5), np.zeros((4, 4))), ValueError,
     "labels must be in"),
    (lambda: dense_crf(np.zeros((70, 70)), np.full((70, 70, 2), 0.5)), ValueError, "at most 4096"),
    (lambda: coarse_probabilities(np.zeros((10, 10), int), stride=4), ValueError, "divisible by stride"),
    (lambda: coarse_probabilities(np.full((8, 8), 2), stride=4), ValueError, "mask labels must be in"),
    (lambda: demo_scene("lena"), ValueError, "name must be one of"),
    (lambda: demo_scene("flower", (100, 100)), ValueError, "at most 4096"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_max_pixels_is_64_by_64():
    assert MAX_PIXELS == 64 * 64


@functools.lru_cache(maxsize=1)
def _flower():
    image, mask = demo_scene("flower", (48, 72))
    probs = coarse_probabilities(mask, stride=8, confidence=3.0, noise=1.0, seed=0)
    Q, _ = dense_crf(image, probs, **PARAMS)
    return mask, probs.argmax(-1), Q.argmax(-1)


PAGE = "cnn/crf.md"
CLAIMS = [
    Claim(PAGE, lambda: int((_flower()[1] != _flower()[0]).sum()), "{}",
          en="The wrong pixels drop from 260 to", zh="错分像素从 260 个降到"),
    Claim(PAGE, lambda: int((_flower()[2] != _flower()[0]).sum()), "{}",
          en="drop from 260 to 40.", zh="降到 40 个"),
    Claim(PAGE, lambda: mean_iou(confusion_matrix(_flower()[0], _flower()[1], 2)), "{:.3f}",
          en="the speckled argmax before the CRF with mIoU 0.799",
          zh="CRF 之前满是斑点的 argmax（mIoU 0.799）"),
    Claim(PAGE, lambda: mean_iou(confusion_matrix(_flower()[0], _flower()[2], 2)), "{:.3f}",
          en="after ten mean-field steps with mIoU 0.965", zh="十次平均场迭代之后干净的圆形花朵（mIoU 0.965）"),
    Claim(PAGE, lambda: MAX_PIXELS**2 * 8 / 2**20, "{:.0f}",
          en="(a 64×64 image needs 128 MB)", zh="（64×64 的图需要 128 MB）"),
    Claim(PAGE, lambda: f"{500 * 375 / 1e5:.1f} \\times 10^{{5}}", "{}",
          en="about \\(1.9 \\times 10^{5}\\) pixels", zh="约有 \\(1.9 \\times 10^{5}\\) 个像素"),
    Claim(PAGE, lambda: f"{500 * 375 * (500 * 375 - 1) / 2 / 1e10:.1f} \\times 10^{{10}}", "{}",
          en="\\(1.8 \\times 10^{10}\\) pixel pairs", zh="\\(1.8 \\times 10^{10}\\) 个像素对"),
]
test_claims = claims_test(CLAIMS)
