"""Tests for dlnotes.dropout and the numbers the Dropout page states."""
import numpy as np
import pytest

from dlnotes.dropout import (classic_dropout, dropout, dropout_mask, inverted_dropout,
                             inverted_dropout_backward, train_mlp, variance_shift)
from tests.claims import Claim, claims_test
from tests.gradcheck import numeric_grad

X = np.random.default_rng(3).normal(1.0, 2.0, size=(64, 50))


@pytest.mark.parametrize("p", [0.1, 0.4, 0.5, 0.9])
@pytest.mark.parametrize("fn, scale", [(inverted_dropout, lambda p: 1.0), (classic_dropout, lambda p: 1 - p)])
def test_expectation_matches_eval_output(fn, scale, p):
    # Average over n masks; the mean of m/(1-p) has sd sqrt(p/((1-p) n)) per unit.
    # 7 standard deviations over the worst unit: P(false failure) < 1e-9.
    n = 40_000
    x = np.array([0.5, -1.0, 2.0, 3.0])
    mean = np.mean([fn(x, p, seed=s) for s in np.random.SeedSequence(11).generate_state(n)], axis=0)
    expected = fn(x, p, training=False)
    assert np.allclose(expected, scale(p) * x)
    sd_of_mean = np.abs(x) * scale(p) * np.sqrt(p / ((1 - p) * n))
    assert np.all(np.abs(mean - expected) < 7 * sd_of_mean + 1e-12)


def test_eval_mode_is_identity_for_inverted():
    assert np.array_equal(inverted_dropout(X, 0.7, training=False), X)


def test_p_zero_keeps_everything_in_training():
    assert np.array_equal(inverted_dropout(X, 0.0, seed=1), X)
    assert np.array_equal(classic_dropout(X, 0.0, seed=1), X)
    assert np.array_equal(classic_dropout(X, 0.0, training=False), X)


def test_survivors_are_scaled_exactly_and_drops_are_zero():
    p = 0.25
    mask = dropout_mask(X.shape, p, seed=5)
    y = inverted_dropout(X, p, mask=mask)
    assert np.array_equal(y[~mask], np.zeros((~mask).sum()))
    assert np.allclose(y[mask], X[mask] / 0.75)
    assert np.array_equal(classic_dropout(X, p, mask=mask)[mask], X[mask])


def test_mask_keep_rate_is_binomial():
    # 10^6 draws at p = 0.3: sd of the keep rate is 4.6e-4; 6 sd tolerance.
    m = dropout_mask((1000, 1000), 0.3, seed=0)
    assert abs(m.mean() - 0.7) < 6 * np.sqrt(0.21 / 1e6)


def test_seed_makes_it_reproducible():
    assert np.array_equal(inverted_dropout(X, 0.5, seed=42), inverted_dropout(X, 0.5, seed=42))
    assert not np.array_equal(inverted_dropout(X, 0.5, seed=42), inverted_dropout(X, 0.5, seed=43))


def test_dispatcher():
    assert np.array_equal(dropout(X, 0.3, seed=2), inverted_dropout(X, 0.3, seed=2))
    assert np.array_equal(dropout(X, 0.3, convention="classic", training=False), X * 0.7)


def test_backward_matches_finite_differences():
    p, rng = 0.4, np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    mask = dropout_mask(x.shape, p, seed=9)
    w = rng.normal(size=x.shape)                       # loss = sum(w * dropout(x))
    grad = inverted_dropout_backward(w, mask, p)
    num = numeric_grad(lambda z: np.sum(w * inverted_dropout(z, p, mask=mask)), x)
    assert np.allclose(grad, num, atol=1e-8)


@pytest.mark.parametrize("p, mean, var", [(0.5, 0.0, 1.0), (0.3, 2.0, 0.5), (0.7, -1.0, 4.0)])
def test_variance_shift_formula_matches_simulation(p, mean, var):
    rng = np.random.default_rng(1)
    x = rng.normal(mean, np.sqrt(var), 400_000)
    ratio = inverted_dropout(x, p, seed=rng).var() / var
    assert ratio == pytest.approx(variance_shift(p, mean, var), rel=0.03)


def test_mlp_learns_digits_and_dropout_is_deterministic_per_seed():
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    X = X / 16
    a = train_mlp(X[:300], y[:300], X[300:600], y[300:600], p=0.5, hidden=64, epochs=60, seed=0)
    b = train_mlp(X[:300], y[:300], X[300:600], y[300:600], p=0.5, hidden=64, epochs=60, seed=0)
    assert a == b
    assert a["train_loss"][-1] < a["train_loss"][0] / 5
    assert a["val_acc"][-1] > 0.75          # chance is 0.1


@pytest.mark.parametrize("call, exc, words", [
    (lambda: inverted_dropout(X, 1.0), ValueError, "p must be in"),
    (lambda: inverted_dropout(X, -0.1), ValueError, "p must be in"),
    (lambda: inverted_dropout(X, float("nan")), ValueError, "p must be finite"),
    (lambda: inverted_dropout(X, "0.5"), TypeError, "p must be a real number"),
    (lambda: inverted_dropout("abc", 0.5), TypeError, "x must be a numeric array"),
    (lambda: inverted_dropout([1.0, np.nan], 0.5), ValueError, "x contains NaN"),
    (lambda: inverted_dropout([[1, 2], [3]], 0.5), ValueError, "x must be a rectangular"),
    (lambda: inverted_dropout(X, 0.5, mask=np.ones(3, bool)), ValueError, "mask must have the shape"),
    (lambda: inverted_dropout(np.ones(2), 0.5, mask=[2, 0]), ValueError, "mask must contain only"),
    (lambda: dropout(X, 0.5, convention="keep"), ValueError, "convention must be one of"),
    (lambda: dropout_mask((2, -1), 0.5), ValueError, "shape must be"),
    (lambda: inverted_dropout(X, 0.5, seed=-3), TypeError, "seed must be"),
    (lambda: variance_shift(0.5, 0.0, 0.0), ValueError, "var must be in"),
    (lambda: train_mlp(X, np.zeros(3, int), X, np.zeros(64, int)), ValueError, "y must be a 1-D array of 64"),
    (lambda: train_mlp(X, np.zeros(64), X, np.zeros(64, int)), ValueError, "y must hold non-negative integer"),
    (lambda: train_mlp(X, np.zeros(64, int), X[:, :3], np.zeros(64, int)), ValueError, "same number of features"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


CLAIMS = [
    Claim("training/dropout.md", lambda: 1 - 0.8, "{:.1f}",
          en="`nn.Dropout(0.2)` on the inputs", zh="输入层是 `nn.Dropout(0.2)`"),
    Claim("training/dropout.md", lambda: int((inverted_dropout(np.ones(1000), 0.4, seed=0) == 0).sum()), "{}",
          en="this seed drops 373 units, not exactly 400", zh="这个随机种子丢掉了 373 个，而不是正好 400 个"),
    Claim("training/dropout.md", lambda: 1 / (1 - 0.4), "{:.3f}",
          en="every survivor becomes \\(1/0.6 \\approx 1.667\\)", zh="留下的每个值都变成 \\(1/0.6 \\approx 1.667\\)"),
    Claim("training/dropout.md", lambda: 1 / (1 - 0.4), "{:.3f}",
          en="With \\(p = 0.4\\) the factor is 1.667", zh="\\(p = 0.4\\) 时因子为 1.667"),
    Claim("training/dropout.md", lambda: np.sqrt(1000 * 0.4 * 0.6), "{:.1f}",
          en="standard deviation \\(\\sqrt{np(1-p)} \\approx 15.5\\)", zh="标准差 \\(\\sqrt{np(1-p)} \\approx 15.5\\)"),
    Claim("training/dropout.md", lambda: np.sqrt(1000 * 0.4 * 0.6), "{:.1f}",
          en="standard deviation ≈ 15.5", zh="标准差约 15.5"),
    Claim("training/dropout.md", lambda: variance_shift(0.5, 0.0, 1.0), "{:.1f}",
          en="twice the test variance (ratio 2.0)", zh="两倍（比值 2.0）"),
    Claim("training/dropout.md", lambda: variance_shift(0.5, 1.0, 1.0), "{:.1f}",
          en="three times (ratio 3.0)", zh="三倍（比值 3.0）"),
    Claim("training/dropout.md", lambda: 1000 * 0.4, "{:.0f}",
          en="\\(np = 400\\) on average", zh="均值 \\(np = 400\\)"),
]
test_claims = claims_test(CLAIMS)
