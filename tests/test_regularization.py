"""Tests for dlnotes.regularization: scikit-learn cross-checks, closed forms, KKT, claims."""
import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from sklearn.linear_model import Lasso, Ridge

from dlnotes.regularization import (digits_split, double_descent, flip_labels, gd_filter, gd_least_squares,
                                    lasso_cd, lasso_ista, lasso_lambda_max, min_norm_fit, mlp_curves,
                                    poly_errors, poly_features, poly_learning_curve, relu_features, ridge,
                                    ridge_filter, soft_threshold)
from tests.claims import Claim, claims_test


def problem(n=60, d=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) @ np.diag(np.linspace(0.3, 2.0, d))
    w = np.where(np.arange(d) % 3 == 0, rng.standard_normal(d) * 2, 0.0)       # a sparse truth
    return X, X @ w + 0.5 * rng.standard_normal(n)


# ------------------------------------------------------------ ridge

@pytest.mark.parametrize("lam", [0.0, 0.1, 3.0, 100.0])
def test_ridge_matches_sklearn(lam):
    X, y = problem()
    ref = Ridge(alpha=lam, fit_intercept=False, solver="svd").fit(X, y).coef_
    assert np.allclose(ridge(X, y, lam), ref, atol=1e-10)


def test_ridge_by_svd_and_wide_matrices():
    X, y = problem(n=5, d=12)                  # more features than samples: lam > 0 still solves
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    ref = Vt.T @ (s / (s**2 + 0.7) * (U.T @ y))
    assert np.allclose(ridge(X, y, 0.7), ref)
    # and as lam -> 0 it tends to the minimum-norm solution
    assert np.allclose(ridge(X, y, 1e-7), np.linalg.pinv(X) @ y, atol=1e-4)


def test_ridge_by_hand():
    # X = I (2x2): w = y / (1 + lam)
    assert np.allclose(ridge(np.eye(2), [2.0, -4.0], 1.0), [1.0, -2.0])


# ------------------------------------------------------------ soft-thresholding and lasso

def test_soft_threshold_by_hand():
    assert np.allclose(soft_threshold([-3.0, -0.5, 0.0, 0.9, 2.5], 1.0), [-2.0, 0.0, 0.0, 0.0, 1.5])


@pytest.mark.parametrize("z", [-2.3, -0.4, 0.0, 0.7, 1.9])
def test_soft_threshold_is_the_prox_of_the_l1_norm(z):
    t = 0.8
    ref = minimize_scalar(lambda w: 0.5 * (w - z) ** 2 + t * abs(w), bounds=(-5, 5), method="bounded",
                          options={"xatol": 1e-10}).x
    assert soft_threshold(z, t) == pytest.approx(ref, abs=1e-6)


@pytest.mark.parametrize("lam", [0.01, 0.1, 0.5])
def test_lasso_matches_sklearn(lam):
    X, y = problem()
    ref = Lasso(alpha=lam, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y).coef_
    assert np.allclose(lasso_cd(X, y, lam), ref, atol=1e-7)
    assert np.allclose(lasso_ista(X, y, lam, steps=50_000, tol=1e-13), ref, atol=1e-6)


def test_lasso_kkt_conditions():
    # 0 in grad + lam * subdifferential: |X_j^T r| / n = lam where w_j != 0, <= lam where w_j = 0
    X, y = problem(seed=2)
    lam = 0.2
    w = lasso_cd(X, y, lam)
    g = X.T @ (y - X @ w) / len(y)
    on = w != 0
    assert on.any() and (~on).any()
    assert np.allclose(g[on], lam * np.sign(w[on]), atol=1e-8)
    assert np.all(np.abs(g[~on]) <= lam + 1e-10)


def test_lasso_on_an_orthonormal_design_is_soft_thresholding():
    n = 50
    Q = np.linalg.qr(np.random.default_rng(5).standard_normal((n, 4)))[0] * np.sqrt(n)   # Q^T Q / n = I
    y = Q @ np.array([3.0, -0.2, 0.5, -1.5]) + 0.1 * np.random.default_rng(6).standard_normal(n)
    z = Q.T @ y / n
    assert np.allclose(lasso_cd(Q, y, 0.4), soft_threshold(z, 0.4), atol=1e-12)
    assert np.allclose(ridge(Q, y, n * 0.4), z / 1.4)     # ridge only rescales


def test_lambda_max_is_where_the_lasso_becomes_zero():
    X, y = problem(seed=3)
    lm = lasso_lambda_max(X, y)
    assert np.all(lasso_cd(X, y, lm * (1 + 1e-9)) == 0)
    assert np.count_nonzero(lasso_cd(X, y, 0.99 * lm)) == 1
    ref = Lasso(alpha=lm * 1.0001, fit_intercept=False).fit(X, y).coef_
    assert np.all(ref == 0)


def test_l1_gives_exact_zeros_and_l2_does_not():
    X, y = problem()
    assert np.count_nonzero(lasso_cd(X, y, 0.3)) < X.shape[1]
    assert np.count_nonzero(ridge(X, y, 30.0)) == X.shape[1]


def test_warm_start_gives_the_same_answer():
    X, y = problem()
    assert np.allclose(lasso_cd(X, y, 0.1, w0=np.ones(X.shape[1])), lasso_cd(X, y, 0.1), atol=1e-8)


# ------------------------------------------------------------ early stopping

def test_gd_path_is_a_spectral_filter_of_least_squares():
    X, y = problem()
    n, lr, t = len(y), 0.1, 37
    path = gd_least_squares(X, y, lr, t)
    s, V = np.linalg.eigh(X.T @ X / n)
    w_ls = np.linalg.solve(X.T @ X, X.T @ y)
    ref = V @ (gd_filter(s, lr, t) * (V.T @ w_ls))
    assert np.allclose(path[-1], ref)
    assert np.allclose(path[0], 0)


def test_ridge_filter_matches_ridge_on_the_scaled_loss():
    X, y = problem()
    n, lam = len(y), 0.3
    s, V = np.linalg.eigh(X.T @ X / n)
    w_ls = np.linalg.solve(X.T @ X, X.T @ y)
    assert np.allclose(ridge(X, y, n * lam), V @ (ridge_filter(s, lam) * (V.T @ w_ls)))


def test_gd_filter_and_ridge_filter_agree_at_the_ends():
    lr, t = 0.5, 40
    lam = 1 / (lr * t)
    s_small, s_big = np.array([1e-5]), np.array([1.0])
    assert gd_filter(s_small, lr, t) == pytest.approx(ridge_filter(s_small, lam), rel=1e-3)   # both ~ s / lam
    assert gd_filter(s_big, lr, t) == pytest.approx(1.0) and ridge_filter(s_big, lam) > 0.95


def test_gd_reaches_least_squares():
    X, y = problem()
    w = gd_least_squares(X, y, 0.2, 3000)[-1]
    assert np.allclose(w, np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-8)


# ------------------------------------------------------------ polynomials, double descent, MLP

def test_poly_features_are_legendre():
    x = np.linspace(-1, 1, 7)
    F = poly_features(x, 3)
    assert np.allclose(F[:, 2], (3 * x**2 - 1) / 2)
    assert np.allclose(F[:, 3], (5 * x**3 - 3 * x) / 2)


def test_poly_train_error_never_rises_with_the_degree():
    train, test = poly_errors(range(12))
    assert np.all(np.diff(train) <= 1e-12)
    assert train[-1] < test[-1]


def test_learning_curves_converge():
    tr, te = poly_learning_curve(1, [20, 500], reps=20)
    assert te[-1] - tr[-1] < 0.02                        # the gap closes ...
    assert tr[-1] > 0.2                                   # ... at a high error: bias


def test_min_norm_fit_is_pinv_and_interpolates():
    rng = np.random.default_rng(0)
    F, y = rng.standard_normal((10, 30)), rng.standard_normal(10)
    w = min_norm_fit(F, y)
    assert np.allclose(w, np.linalg.pinv(F) @ y)
    assert np.allclose(F @ w, y)
    assert np.allclose(min_norm_fit(F, y, 0.5), ridge(F, y, 0.5))


def test_relu_features():
    X, W = np.array([[1.0, -2.0]]), np.array([[1.0, 0.0], [1.0, -1.0]])
    assert np.allclose(relu_features(X, W), [[0.0, 2.0 / np.sqrt(2)]])


def test_double_descent_peaks_at_the_interpolation_threshold():
    ps = [10, 20, 30, 38, 40, 42, 60, 200]
    for seed in (1, 2):                                   # not only the figure's seed
        err = double_descent(ps, n_train=40, noise=0.2, seed=seed)
        assert ps[int(np.argmax(err))] == 40
        assert err[ps.index(40)] > 10 * err[ps.index(200)]
        assert double_descent([40], 40, 0.2, lam=1e-2, seed=seed)[0] < 0.2 * err[ps.index(40)]


def test_flip_labels():
    y = np.arange(1000) % 10
    z = flip_labels(y, 0.3, 10, seed=1)
    changed = z != y
    assert 0.25 < changed.mean() < 0.35
    assert z.min() >= 0 and z.max() <= 9
    assert np.all(flip_labels(y, 0.0, 10) == y)
    assert np.all(flip_labels(y, 1.0, 10) != y)           # a flip never lands on the true class


def test_digits_split_sizes():
    Xtr, ytr, Xva, yva = digits_split(200)
    assert Xtr.shape == (200, 64) and Xva.shape == (1597, 64)
    assert Xtr.max() <= 1.0 and Xtr.min() >= 0.0


def test_mlp_curves_weight_decay_keeps_weights_small():
    Xtr, ytr, Xva, yva = digits_split(100, seed=1)
    plain = mlp_curves(Xtr, ytr, Xva, yva, width=16, steps=100, every=50)
    decayed = mlp_curves(Xtr, ytr, Xva, yva, width=16, steps=100, every=50, weight_decay=0.1)
    assert list(plain["step"]) == [50, 100]
    assert plain["train_loss"][-1] < plain["train_loss"][0]
    assert decayed["train_loss"][-1] > plain["train_loss"][-1]       # the penalty costs training fit


# ------------------------------------------------------------ bad input

X2, Y2 = np.ones((3, 2)), np.ones(3)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: ridge(X2, np.ones(4), 1.0), ValueError, "y must have 3 entries"),
    (lambda: ridge(np.ones(3), Y2, 1.0), ValueError, "X must have 2 dimension"),
    (lambda: ridge(X2, Y2, -1.0), ValueError, "lam must be in"),
    (lambda: ridge(X2, Y2, "1"), TypeError, "lam must be a real number"),
    (lambda: ridge("X", Y2, 1.0), TypeError, "X must be a numeric array"),
    (lambda: ridge(X2, [1, np.nan, 2], 1.0), ValueError, "y contains NaN"),
    (lambda: ridge(np.ones((0, 2)), np.ones(0), 1.0), ValueError, "at least one row"),
    (lambda: soft_threshold([1.0], -0.1), ValueError, "t must be in"),
    (lambda: lasso_ista(X2, Y2, 0.1, steps=0), ValueError, "steps must be in"),
    (lambda: lasso_cd(X2, Y2, 0.1, sweeps=1.5), TypeError, "sweeps must be an integer"),
    (lambda: lasso_cd(X2, Y2, 0.1, w0=np.ones(3)), ValueError, "w0 must have 2 entries"),
    (lambda: gd_least_squares(X2, Y2, 0.0, 5), ValueError, "lr must be in"),
    (lambda: gd_filter([0.5], 0.1, -1), ValueError, "t must be in"),
    (lambda: ridge_filter([0.5], 0.0), ValueError, "lam must be in"),
    (lambda: poly_features(np.ones((2, 2)), 3), ValueError, "x must have 1 dimension"),
    (lambda: poly_features([0.5], -1), ValueError, "degree must be in"),
    (lambda: relu_features(X2, np.ones((3, 4))), ValueError, "W must have 2 rows"),
    (lambda: double_descent([0, 5]), ValueError, r"n_features\[i\] must be in"),
    (lambda: double_descent([5], noise=-0.1), ValueError, "noise must be in"),
    (lambda: flip_labels([0.5, 1.5], 0.1, 10), ValueError, "integer labels"),
    (lambda: flip_labels([0, 1], 1.5, 10), ValueError, "rate must be in"),
    (lambda: flip_labels([0, 1], 0.1, 1), ValueError, "n_classes must be in"),
    (lambda: mlp_curves(X2, [0, 1, 0], X2, [0, 1, 0], lr=0), ValueError, "lr must be in"),
    (lambda: mlp_curves(X2, [0, 1, 0], X2, [0, 1, 0], weight_decay=-1), ValueError, "weight_decay must be in"),
    (lambda: digits_split(0), ValueError, "n_train must be in"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# ------------------------------------------------------------ numbers stated on the page

def _fig():
    import scripts.figures.regularization as f
    return f


def _poly():
    f = _fig()
    return f.POLY_DEGREES, *f.poly_results()


def _lc(degree, size, which):
    f = _fig()
    return f.learning_curves()[degree][which][f.LC_SIZES.index(size)]


def _mlp(noise, wd):
    return _fig().mlp_results()[noise, wd]


def _dd(key, p):
    f = _fig()
    return f.dd_results()[key][f.DD_PS.index(p)]


def _dd_best_small(key):
    f = _fig()
    curve = f.dd_results()[key]
    small = [i for i, p in enumerate(f.DD_PS) if p < f.DD_N]
    i = min(small, key=lambda i: curve[i])
    return f.DD_PS[i], curve[i]


def test_figure_statements():
    degrees, train, test = _poly()
    assert degrees[int(np.argmin(test))] == 3                            # "lowest at degree 3"
    h = _mlp(0.3, 0.0)
    assert h["train_loss"][-1] < 0.1                                     # memorises the flipped labels
    assert np.argmax(h["val_acc"]) < np.argmin(h["train_loss"])
    w_ls, w_lasso, w_ridge, t = _fig().geometry_solutions()
    assert w_lasso[1] == 0 and np.all(w_ridge != 0)
    assert np.abs(w_ridge).sum() > t - 1e-9 and np.linalg.norm(w_ridge) == pytest.approx(t, rel=2e-3)
    f = _fig()
    assert all(_dd(k, 40) == max(f.dd_results()[k]) for k in (0.0, 0.2))
    assert 4.5 < _dd(0.2, 40) / _dd(0.0, 40) < 6                       # alt text: "five times higher"
    assert h["step"][int(np.argmin(h["val_loss"]))] == 80                # alt text: "turns up after about 80 steps"
    assert 12 == max(d for d in degrees if test[d] < 1)                  # alt text: "explodes above degree 12"


P = "training/regularization.md"
CLAIMS = [
    Claim(P, lambda: _poly()[2][3], "{:.3f}",
          en="degree 3 reaches a test MSE of 0.127", zh="3 次多项式的测试 MSE 为 0.127"),
    Claim(P, lambda: _poly()[1][15], "{:.3f}",
          en="degree 15 drives the training MSE down to 0.012", zh="15 次多项式把训练 MSE 压到 0.012"),
    Claim(P, lambda: _poly()[2][15], "{:.0f}",
          en="and its test MSE is 494", zh="测试 MSE 却是 494"),
    Claim(P, lambda: _lc(1, 500, 1), "{:.2f}",
          en="degree 1 ends at a test MSE of 0.29", zh="1 次模型的测试 MSE 停在 0.29"),
    Claim(P, lambda: _lc(9, 15, 1), "{:.1f}",
          en="degree 9 has a test MSE of 9.1 with 15 samples", zh="9 次模型在 15 个样本时测试 MSE 为 9.1"),
    Claim(P, lambda: _lc(9, 500, 1), "{:.3f}",
          en="and 0.096 with 500", zh="500 个样本时降到 0.096"),
    Claim(P, lambda: _fig().geometry_solutions()[1][0], "{:.2f}",
          en="the lasso lands on the corner \\((1.08, 0)\\)", zh="lasso 落在顶点 \\((1.08, 0)\\)"),
    Claim(P, lambda: _fig().geometry_solutions()[2][1], "{:.2f}",
          en="ridge at \\((1.03, 0.34)\\)", zh="ridge 落在 \\((1.03, 0.34)\\)"),
    Claim(P, lambda: _fig().geometry_solutions()[2][0], "{:.2f}",
          en="ridge at \\((1.03, 0.34)\\)", zh="ridge 落在 \\((1.03, 0.34)\\)"),
    Claim(P, lambda: _fig().lasso_path()[2], "{:.1f}",
          en="all ten coefficients are exactly zero for \\(\\lambda \\ge \\lambda_{\\max} = 45.2\\)",
          zh="\\(\\lambda \\ge \\lambda_{\\max} = 45.2\\) 时十个系数全为 0"),
    Claim(P, lambda: 1 / (0.5 * 40), "{:.2f}",
          en="after \\(t = 40\\) steps with \\(\\eta = 0.5\\) GD behaves like ridge with \\(\\lambda \\approx 1/(\\eta t) = 0.05\\)",
          zh="\\(\\eta = 0.5\\) 时走 \\(t = 40\\) 步的 GD 近似于 \\(\\lambda \\approx 1/(\\eta t) = 0.05\\) 的岭回归"),
    Claim(P, lambda: _mlp(0.3, 0.0)["val_acc"].max(), "{:.3f}",
          en="validation accuracy peaks at 0.818 at step 60", zh="验证准确率在第 60 步达到最高 0.818"),
    Claim(P, lambda: _mlp(0.3, 0.0)["step"][int(np.argmax(_mlp(0.3, 0.0)["val_acc"]))], "{}",
          en="validation accuracy peaks at 0.818 at step 60", zh="验证准确率在第 60 步达到最高 0.818"),
    Claim(P, lambda: _mlp(0.3, 0.0)["val_acc"][-1], "{:.3f}",
          en="falls to 0.626 by step 1000", zh="到第 1000 步跌到 0.626"),
    Claim(P, lambda: _mlp(0.3, 0.03)["val_acc"][-1], "{:.3f}",
          en="Weight decay 0.03 still holds 0.818 at step 1000", zh="权重衰减 0.03 在第 1000 步仍有 0.818"),
    Claim(P, lambda: _mlp(0.0, 0.0)["val_acc"][-1], "{:.3f}",
          en="with clean labels the same network ends at 0.928", zh="标签干净时同一网络最终为 0.928"),
    Claim(P, lambda: _dd(0.0, 40), "{:.1f}",
          en="the test MSE at \\(p = n = 40\\) is 4.4 with clean labels", zh="标签干净时 \\(p = n = 40\\) 处的测试 MSE 为 4.4"),
    Claim(P, lambda: _dd(0.2, 40), "{:.0f}",
          en="and 23 with label noise \\(\\sigma = 0.2\\)", zh="加上 \\(\\sigma = 0.2\\) 的标签噪声后为 23"),
    Claim(P, lambda: _dd(0.0, 1000), "{:.3f}",
          en="1000 features reach 0.020", zh="1000 个特征达到 0.020"),
    Claim(P, lambda: _dd_best_small(0.0)[1], "{:.3f}",
          en="below the best small model (0.035 at \\(p = 20\\))", zh="低于最好的小模型（\\(p = 20\\) 时 0.035）"),
    Claim(P, lambda: _dd_best_small(0.0)[0], "{}",
          en="below the best small model (0.035 at \\(p = 20\\))", zh="低于最好的小模型（\\(p = 20\\) 时 0.035）"),
    Claim(P, lambda: _dd(0.2, 1000), "{:.2f}",
          en="the interpolating models stay at 0.16", zh="插值模型停在 0.16"),
    Claim(P, lambda: _dd_best_small(0.2)[1], "{:.3f}",
          en="above the best small model's 0.098", zh="高于最好的小模型的 0.098"),
    Claim(P, lambda: _dd("ridge", 1000), "{:.3f}",
          en="ridge with \\(\\lambda = 0.01\\) removes the peak and reaches 0.063", zh="\\(\\lambda = 0.01\\) 的岭回归消除了峰，达到 0.063"),
]
test_claims = claims_test(CLAIMS)
