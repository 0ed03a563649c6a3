"""Tests for dlnotes.losses and the numbers the classification-losses page states."""
import numpy as np
import pytest
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import logsumexp as sp_logsumexp
from scipy.special import rel_entr
from sklearn.metrics import hinge_loss, log_loss

from dlnotes.losses import (bce_with_logits, class_balanced_weights, contrastive_loss, cross_entropy,
                            distillation_loss, focal_loss, kl_divergence, log_softmax, logsumexp,
                            margin_logits, mine_triplets, naive_cross_entropy, prior_bias, sigmoid,
                            smooth_targets, softmax, softplus, surrogate_loss, triplet_loss)
from tests.gradcheck import numeric_grad
from tests.claims import Claim, claims_test

RNG = np.random.default_rng(0)
Z = RNG.normal(0, 3, size=(6, 5))
Y = np.array([0, 4, 2, 2, 1, 3])


def test_logsumexp_and_log_softmax_match_scipy():
    big = Z * 400                                    # logits up to ~3000: exp overflows
    assert np.allclose(logsumexp(big), sp_logsumexp(big, axis=-1))
    assert np.allclose(log_softmax(big), sp_log_softmax(big, axis=-1))
    assert np.allclose(softmax(Z).sum(1), 1.0)


def test_stable_ce_matches_naive_where_finite_and_stays_finite_where_naive_overflows():
    assert cross_entropy(Z, Y) == pytest.approx(naive_cross_entropy(Z, Y), rel=1e-12)
    big = Z * 400
    assert np.isnan(naive_cross_entropy(big, Y))     # exp(1000) = inf, inf / inf = NaN
    stable = cross_entropy(big, Y)
    assert np.isfinite(stable)
    assert stable == pytest.approx(-sp_log_softmax(big, axis=1)[np.arange(6), Y].mean())


def test_ce_matches_sklearn_log_loss():
    assert cross_entropy(Z, Y) == pytest.approx(log_loss(Y, softmax(Z), labels=range(5)))


@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.1}, {"class_weights": [1, 2, 0.5, 3, 1]},
                                {"label_smoothing": 0.3, "class_weights": [1, 2, 0.5, 3, 1]}])
def test_ce_gradient_matches_finite_differences(kw):
    _, g = cross_entropy(Z, Y, grad=True, **kw)
    assert np.allclose(g, numeric_grad(lambda z: cross_entropy(z, Y, **kw), Z), atol=1e-7)


def test_label_smoothing_target_and_minimum():
    # With smoothing the optimum is no longer an infinite logit gap: loss at a huge
    # gap grows linearly with it. Minimum of -(1-eps+eps/C) log p - eps/C sum log q
    # is at p = 1 - eps + eps/C.
    eps, C = 0.1, 5
    best = np.log((1 - eps + eps / C) / (eps / C))
    gaps = np.linspace(0, 20, 2001)
    losses = [cross_entropy([[g, 0, 0, 0, 0]], [0], label_smoothing=eps) for g in gaps]
    assert gaps[np.argmin(losses)] == pytest.approx(best, abs=0.011)


def test_class_weights_weighted_mean():
    w = np.array([1, 2, 0.5, 3, 1.0])
    per = -sp_log_softmax(Z, axis=1)[np.arange(6), Y]
    assert cross_entropy(Z, Y, class_weights=w) == pytest.approx((w[Y] * per).sum() / w[Y].sum())


def test_softplus_and_sigmoid_are_stable():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    assert np.allclose(softplus(z), np.logaddexp(0, z))
    assert np.allclose(sigmoid(z), [0.0, 1 / (1 + np.exp(30)), 0.5, 1 / (1 + np.exp(-30)), 1.0])
    assert np.all(np.isfinite(softplus(z)))


def test_bce_with_logits_stable_and_matches_sklearn():
    z = RNG.normal(0, 2, 50)
    y = (RNG.random(50) < 0.4).astype(float)
    assert bce_with_logits(z, y) == pytest.approx(log_loss(y, sigmoid(z)))
    assert np.isfinite(bce_with_logits([1000.0, -1000.0], [0.0, 1.0]))
    assert bce_with_logits([1000.0, -1000.0], [0.0, 1.0]) == pytest.approx(1000.0)


@pytest.mark.parametrize("pos_weight", [None, 3.0, [1.0, 2.0, 0.5]])
def test_bce_gradient(pos_weight):
    z = RNG.normal(0, 2, (4, 3))
    y = RNG.random((4, 3))                           # soft multi-label targets
    _, g = bce_with_logits(z, y, pos_weight=pos_weight, grad=True)
    assert np.allclose(g, numeric_grad(lambda v: bce_with_logits(v, y, pos_weight=pos_weight), z), atol=1e-8)


def test_focal_reduces_to_bce_and_gradient():
    z = RNG.normal(0, 2, (5, 4))
    y = (RNG.random((5, 4)) < 0.3).astype(float)
    assert focal_loss(z, y, alpha=0.5, gamma=0.0) == pytest.approx(bce_with_logits(z, y) / 2)
    for a, gm in [(0.25, 2.0), (0.7, 0.5), (0.25, 5.0)]:
        _, g = focal_loss(z, y, alpha=a, gamma=gm, grad=True)
        assert np.allclose(g, numeric_grad(lambda v: focal_loss(v, y, alpha=a, gamma=gm), z), atol=1e-8)
    assert np.isfinite(focal_loss([800.0, -800.0], [0.0, 1.0]))


def test_focal_down_weights_easy_examples():
    easy, hard = 1 - 0.9, 1 - 0.1                    # 1 - p_t
    assert (easy**2) / (hard**2) == pytest.approx(1 / 81)


def test_class_balanced_weights_limits():
    counts = np.array([1000, 100, 10, 1])
    assert np.allclose(class_balanced_weights(counts, 0.0), 1.0)
    inv = (1 / counts) / (1 / counts).sum() * 4
    assert np.allclose(class_balanced_weights(counts, 1 - 1e-9), inv, rtol=1e-4)
    w = class_balanced_weights(counts, 0.999)
    assert w.sum() == pytest.approx(4) and np.all(np.diff(w) > 0)
    # effective number for n = 1000, beta = 0.999: (1 - 0.999^1000) / 0.001
    e = (1 - 0.999**1000) / 0.001
    assert w[0] / w[1] == pytest.approx(((1 - 0.999**100) / 0.001) / e)


def test_surrogates_upper_bound_zero_one_and_match_sklearn_hinge():
    m = np.linspace(-5, 5, 1001)
    zo = surrogate_loss(m, "zero_one")
    for kind in ("hinge", "logistic", "exponential", "squared"):
        assert np.all(surrogate_loss(m, kind) >= zo - 1e-12), kind
        assert surrogate_loss(0.0, kind) == pytest.approx(1.0)
    y = np.array([1, -1, 1, -1])
    f = np.array([0.3, 0.4, 2.0, -3.0])
    assert surrogate_loss(y * f, "hinge").mean() == pytest.approx(hinge_loss(y, f))
    assert np.isfinite(surrogate_loss(-1e6, "exponential"))


def test_margin_logits():
    cos = np.array([[0.8, 0.1, -0.3], [0.2, 0.9, 0.0]])
    lab = np.array([0, 1])
    assert np.allclose(margin_logits(cos, lab, "cosface", s=1, m=0.0), cos)
    assert np.allclose(margin_logits(cos, lab, "arcface", s=1, m=0.0), cos)
    cf = margin_logits(cos, lab, "cosface", s=64, m=0.35)
    assert cf[0, 0] == pytest.approx(64 * 0.45) and cf[0, 1] == pytest.approx(6.4)
    af = margin_logits(cos, lab, "arcface", s=64, m=0.5)
    assert af[1, 1] == pytest.approx(64 * np.cos(np.arccos(0.9) + 0.5))
    # the margin makes the loss larger for the same cosines
    assert cross_entropy(af, lab) > cross_entropy(64 * cos, lab)


def test_kl_and_distillation():
    p = softmax(Z)
    q = softmax(Z[::-1])
    assert np.allclose(kl_divergence(p, q), rel_entr(p, q).sum(1))
    assert np.allclose(kl_divergence(p, p), 0.0)
    assert kl_divergence([1.0, 0.0], [0.0, 1.0]) == np.inf
    rows = kl_divergence([[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]])
    assert rows[0] == np.inf and rows[1] == 0.0
    assert kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(np.log(2))
    t = RNG.normal(0, 3, Z.shape)
    for T, a in [(1.0, 0.5), (4.0, 0.9), (10.0, 1.0)]:
        _, g = distillation_loss(Z, t, Y, T=T, alpha=a, grad=True)
        assert np.allclose(g, numeric_grad(lambda s: distillation_loss(s, t, Y, T=T, alpha=a), Z), atol=1e-6)
    assert distillation_loss(Z, t, Y, alpha=0.0) == pytest.approx(cross_entropy(Z, Y))


def test_soft_gradient_scales_like_one_over_t_squared_without_the_factor():
    # For large T, p^T - q^T ~ (s - t)/(C T) (centred logits), so the KL gradient ~ 1/T^2:
    # multiplying by T^2 keeps it O(1).
    s = np.array([[2.0, -1.0, 0.5, -1.5]])
    t = np.array([[1.0, 0.0, -0.5, -0.5]])
    norms = [np.abs(distillation_loss(s, t, [0], T=T, alpha=1.0, grad=True)[1]).sum() for T in (20.0, 40.0, 80.0)]
    assert norms[0] / norms[1] == pytest.approx(1.0, abs=0.02)
    assert norms[1] / norms[2] == pytest.approx(1.0, abs=0.01)


def test_contrastive_and_triplet_gradients():
    a, b = RNG.normal(size=(6, 3)), RNG.normal(size=(6, 3))
    same = np.array([1, 0, 1, 0, 0, 1])
    _, g = contrastive_loss(a, b, same, margin=2.0, grad=True)
    assert np.allclose(g, numeric_grad(lambda v: contrastive_loss(v, b, same, margin=2.0), a), atol=1e-7)
    p, n = RNG.normal(size=(6, 3)), RNG.normal(size=(6, 3))
    _, (ga, gp, gn) = triplet_loss(a, p, n, margin=0.5, grad=True)
    assert np.allclose(ga, numeric_grad(lambda v: triplet_loss(v, p, n, margin=0.5), a), atol=1e-7)
    assert np.allclose(gp, numeric_grad(lambda v: triplet_loss(a, v, n, margin=0.5), p), atol=1e-7)
    assert np.allclose(gn, numeric_grad(lambda v: triplet_loss(a, p, v, margin=0.5), n), atol=1e-7)
    assert triplet_loss(a, a, a + 10, margin=0.2) == 0.0  # easy triplets give nothing


def test_mining():
    E = np.array([[0.0, 0], [0.1, 0], [0.25, 0], [1.0, 0], [0.2, 0.0]])
    lab = np.array([0, 0, 1, 1, 2])
    hard = mine_triplets(E, lab, margin=0.2, strategy="hard")
    semi = mine_triplets(E, lab, margin=0.2, strategy="semi-hard")
    row = lambda T: [t for t in T.tolist() if t[:2] == [0, 1]][0]
    assert row(hard) == [0, 1, 4]                    # closest negative: index 4 at d^2 = 0.04
    assert row(semi) == [0, 1, 4]                    # d_ap = 0.01 < 0.04 < 0.21
    assert [1, 0, 4] in hard.tolist()                # for anchor 1 the closest negative is 4 (0.01)
    assert [1, 0, 2] in semi.tolist()                # semi-hard skips 4 (0.01 = d_ap, not farther) -> 2
    assert mine_triplets(E, np.zeros(5, int)).shape == (0, 3)


def test_smooth_targets():
    t = smooth_targets([0, 2], num_classes=4, eps=0.2)
    assert np.allclose(t, [[0.85, 0.05, 0.05, 0.05], [0.05, 0.05, 0.85, 0.05]])
    assert np.allclose(t.sum(1), 1.0)
    assert np.array_equal(smooth_targets([1], 3, eps=0.0), [[0.0, 1.0, 0.0]])
    t = smooth_targets([0], 1000, eps=0.1)
    assert t[0, 0] == pytest.approx(0.9001) and t[0, 1] == pytest.approx(0.0001)
    # the targets cross_entropy uses: its loss is -sum t log softmax(z)
    z = RNG.normal(size=(3, 5))
    manual = float(-(smooth_targets([0, 4, 2], 5, 0.1) * log_softmax(z)).sum(1).mean())
    assert cross_entropy(z, [0, 4, 2], label_smoothing=0.1) == pytest.approx(manual)


def test_prior_bias_gives_the_prior():
    for pi in (0.01, 0.3, 0.5, 0.99):
        assert float(sigmoid(prior_bias(pi))) == pytest.approx(pi)
    assert prior_bias(0.5) == 0.0
    assert prior_bias(0.01) == pytest.approx(-np.log(99))


@pytest.mark.parametrize("call, exc, words", [
    (lambda: smooth_targets([0, 3], 3), ValueError, r"labels must be in \[0, 3\)"),
    (lambda: smooth_targets([0], 1), ValueError, "num_classes must be in"),
    (lambda: smooth_targets([0], 3, eps=1.5), ValueError, "eps must be in"),
    (lambda: smooth_targets([[0]], 3), ValueError, "labels must be a 1-D array"),
    (lambda: smooth_targets([0.0], 3), TypeError, "labels must hold integer"),
    (lambda: prior_bias(0.0), ValueError, "prior must be in"),
    (lambda: prior_bias(1.0), ValueError, "prior must be in"),
    (lambda: prior_bias("0.01"), TypeError, "prior must be a real number"),
    (lambda: cross_entropy(Z, Y[:3]), ValueError, "labels must be a 1-D array of 6"),
    (lambda: cross_entropy(Z, Y + 5), ValueError, r"labels must be in \[0, 5\)"),
    (lambda: cross_entropy(Z, Y.astype(float)), TypeError, "labels must hold integer"),
    (lambda: cross_entropy(Z[0], Y), ValueError, "logits must have 2 dimension"),
    (lambda: cross_entropy(Z, Y, label_smoothing=1.5), ValueError, "label_smoothing must be in"),
    (lambda: cross_entropy(Z, Y, class_weights=[1, 2]), ValueError, "class_weights must have shape"),
    (lambda: cross_entropy(Z, Y, class_weights=[1, 0, 1, 1, 1]), ValueError, "class_weights must be positive"),
    (lambda: cross_entropy([[1.0, np.inf]], [0]), ValueError, "logits contains NaN"),
    (lambda: bce_with_logits([0.0, 1.0], [0.5]), ValueError, "targets must have shape"),
    (lambda: bce_with_logits([0.0], [2.0]), ValueError, "targets must be in"),
    (lambda: focal_loss([0.0], [0.5]), ValueError, "targets must be 0 or 1"),
    (lambda: focal_loss([0.0], [1.0], gamma=-1), ValueError, "gamma must be in"),
    (lambda: focal_loss([0.0], [1.0], alpha="a"), TypeError, "alpha must be a real number"),
    (lambda: class_balanced_weights([10, 0]), ValueError, "counts must be"),
    (lambda: class_balanced_weights([10, 2.5]), ValueError, "counts must be"),
    (lambda: class_balanced_weights([10], beta=1.0), ValueError, "beta must be in"),
    (lambda: surrogate_loss([0.0], "cosh"), ValueError, "kind must be one of"),
    (lambda: margin_logits([[1.5]], [0]), ValueError, "cosines must lie"),
    (lambda: margin_logits([[0.5]], [0], kind="sphere"), ValueError, "kind must be one of"),
    (lambda: kl_divergence([0.5, 0.6], [0.5, 0.5]), ValueError, "p must be non-negative"),
    (lambda: kl_divergence([1.0], [0.5, 0.5]), ValueError, "same shape"),
    (lambda: distillation_loss(Z, Z[:2], Y), ValueError, "same shape"),
    (lambda: distillation_loss(Z, Z, Y, T=0), ValueError, "T must be in"),
    (lambda: contrastive_loss(Z, Z, [1, 2, 0, 0, 0, 0]), ValueError, "same must be"),
    (lambda: triplet_loss(Z, Z[:2], Z), ValueError, "positive must have shape"),
    (lambda: mine_triplets(Z, [0, 1]), ValueError, "labels must be a 1-D integer"),
    (lambda: mine_triplets(Z, Y, strategy="easy"), ValueError, "strategy must be one of"),
    (lambda: logsumexp("x"), TypeError, "z must be a numeric array"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def _smoothing_gap():
    eps, C = 0.1, 10
    return np.log((1 - eps + eps / C) / (eps / C))


CLAIMS = [
    Claim("training/classification-losses.md", lambda: prior_bias(0.01), "{:.3f}",
          en="with its prior \\(\\pi = 0.01\\) that is \\(b \\approx -4.595\\)",
          zh="论文取先验 \\(\\pi = 0.01\\)，即 \\(b \\approx -4.595\\)"),
    Claim("training/classification-losses.md", lambda: smooth_targets([0], 1000, 0.1)[0, 0], "{:.4f}",
          en="the true class gets \\(1 - \\varepsilon + \\varepsilon/C = 0.9001\\)",
          zh="真实类的目标是 \\(1 - \\varepsilon + \\varepsilon/C = 0.9001\\)"),
    Claim("training/classification-losses.md", lambda: smooth_targets([0], 1000, 0.1)[0, 1], "{:.4f}",
          en="each of the other 999 classes \\(\\varepsilon/C = 0.0001\\)",
          zh="其余 999 类每类是 \\(\\varepsilon/C = 0.0001\\)"),
    Claim("training/classification-losses.md", lambda: 1000 - 1, "{}",
          en="each of the other 999 classes", zh="其余 999 类"),
    Claim("training/classification-losses.md", lambda: (1 - 0.9) ** 2, "{:.2f}",
          en="an example already classified with \\(p_t = 0.9\\) gets its loss multiplied by 0.01",
          zh="已经以 \\(p_t = 0.9\\) 分对的样本，损失乘以 0.01"),
    Claim("training/classification-losses.md", lambda: (1 - 0.1) ** 2, "{:.2f}",
          en="a badly misclassified one with \\(p_t = 0.1\\) by 0.81",
          zh="\\(p_t = 0.1\\) 的难样本只乘以 0.81"),
    Claim("training/classification-losses.md", _smoothing_gap, "{:.2f}",
          en="with \\(\\varepsilon = 0.1\\) and 10 classes the optimal gap is \\(\\log(0.91/0.01) \\approx 4.51\\)",
          zh="\\(\\varepsilon = 0.1\\)、10 类时最优差距是 \\(\\log(0.91/0.01) \\approx 4.51\\)"),
    Claim("training/classification-losses.md", lambda: (1 - 0.999**1000) / 0.001, "{:.0f}",
          en="1 000 samples with \\(\\beta = 0.999\\) count as about 632",
          zh="\\(\\beta = 0.999\\) 时 1000 个样本只相当于约 632 个"),
]
test_claims = claims_test(CLAIMS)
