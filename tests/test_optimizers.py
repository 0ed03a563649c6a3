"""Tests for dlnotes.optimizers: steps by hand, independent re-derivations, scipy, claims."""
import math

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der
from scipy.signal import lfilter

from dlnotes.optimizers import (METHODS, STEPS, adagrad_step, adam_step, adamw_step, cosine_lr,
                                decay_under_noise, gd_rate, heavy_ball_params, heavy_ball_rate,
                                momentum_step, nesterov_step, one_cycle_lr, quadratic, rmsprop_step,
                                rosenbrock, rosenbrock_grad, run, sgd_step, step_lr)
from tests.claims import Claim, claims_test
from tests.gradcheck import numeric_grad


def steps(step, grads, theta0=0.0, **hp):
    """Apply `step` to a fixed list of gradients; return every iterate."""
    theta, state, out = np.atleast_1d(np.asarray(theta0, float)), {}, []
    for g in grads:
        theta = step(theta, np.atleast_1d(np.asarray(g, float)), state, **hp)
        out.append(theta)
    return np.array(out)


# ------------------------------------------------------------ steps computed by hand

def test_sgd_by_hand():
    assert np.allclose(sgd_step([1.0, -2.0], [0.5, 1.0], {}, 0.1), [0.95, -2.1])


def test_momentum_by_hand():
    # v = 1, 1.9, 2.71 ; theta = -0.1, -0.29, -0.561
    assert np.allclose(steps(momentum_step, [1, 1, 1], lr=0.1, momentum=0.9).ravel(), [-0.1, -0.29, -0.561])


def test_nesterov_by_hand():
    # v1 = 1: theta1 = -0.1 (1 + 0.9 * 1) = -0.19 ; v2 = 1.9: theta2 = -0.19 - 0.1 (1 + 0.9 * 1.9)
    assert np.allclose(steps(nesterov_step, [1, 1], lr=0.1, momentum=0.9).ravel(), [-0.19, -0.461])


def test_adagrad_by_hand():
    # G = 9 then 10: steps 0.1 * 3/3 and 0.1 * 1/sqrt(10)
    out = steps(adagrad_step, [3, 1], lr=0.1, eps=0.0).ravel()
    assert np.allclose(out, [-0.1, -0.1 - 0.1 / math.sqrt(10)])


def test_rmsprop_first_step_is_ten_times_lr():
    # s = 0.01 * 4 = 0.04, sqrt = 0.2: step = lr * 2 / 0.2 = 10 lr (no bias correction)
    assert np.allclose(steps(rmsprop_step, [2], lr=0.01, alpha=0.99, eps=0.0).ravel(), [-0.1])


def test_adam_two_steps_by_hand():
    lr = 0.1
    m2, v2 = 0.9 * 0.1 * 1 + 0.1 * 3, 0.999 * 0.001 * 1 + 0.001 * 9
    step2 = lr * (m2 / (1 - 0.9**2)) / math.sqrt(v2 / (1 - 0.999**2))
    out = steps(adam_step, [1, 3], lr=lr, eps=0.0).ravel()
    assert np.allclose(out, [-lr, -lr - step2])


def test_adam_first_step_has_size_lr_whatever_the_gradient_scale():
    out = adam_step(np.zeros(3), np.array([1e-4, 1.0, -1e4]), {}, lr=0.01)
    assert np.allclose(out, [-0.01, -0.01, 0.01], rtol=1e-3)


def test_adamw_vs_adam_l2_on_a_zero_gradient():
    # AdamW: theta * (1 - lr wd) and a zero Adam step; Adam + L2: the penalty is the gradient -> step lr.
    assert np.allclose(adamw_step([1.0], [0.0], {}, lr=0.1, weight_decay=0.5), [0.95])
    assert np.allclose(adam_step([1.0], [0.0], {}, lr=0.1, weight_decay=0.5), [0.9])


def test_state_is_filled_and_reused():
    state = {}
    adam_step(np.ones(2), np.ones(2), state)
    adam_step(np.ones(2), np.ones(2), state)
    assert state["t"] == 2 and set(state) == {"t", "m", "v"}


# ------------------------------------------------------------ independent references

def test_gd_matches_matrix_power_closed_form():
    _, grad, A = quadratic(kappa=10, angle=0.3)
    x0, lr, n = np.array([2.0, -1.0]), 0.15, 40
    path = run("sgd", grad, x0, lr, n)
    closed = [np.linalg.matrix_power(np.eye(2) - lr * A, t) @ x0 for t in range(n + 1)]
    assert np.allclose(path, closed)


def test_momentum_equals_polyak_heavy_ball():
    # theta_{t+1} = theta_t - lr grad(theta_t) + mu (theta_t - theta_{t-1})
    _, grad, _ = quadratic(kappa=30, angle=0.7)
    lr, mu, x = 0.02, 0.8, np.array([1.5, 2.0])
    ref, prev = [x], x
    for _ in range(60):
        cur = ref[-1]
        ref.append(cur - lr * grad(cur) + mu * (cur - prev))
        prev = cur
    assert np.allclose(run("momentum", grad, x, lr, 60, momentum=mu), ref)


def test_nesterov_equals_sutskever_form():
    # Sutskever et al. (2013): v <- mu v - lr grad(theta + mu v); theta <- theta + v.
    # PyTorch's iterate is the look-ahead point phi = theta + mu v.
    _, grad, _ = quadratic(kappa=25, angle=-0.4)
    lr, mu = 0.03, 0.9
    theta, v = np.array([-2.0, 1.0]), np.zeros(2)
    lookahead = [theta + mu * v]
    for _ in range(50):
        v = mu * v - lr * grad(theta + mu * v)
        theta = theta + v
        lookahead.append(theta + mu * v)
    assert np.allclose(run("nesterov", grad, lookahead[0], lr, 50, momentum=mu), lookahead)


G = np.random.default_rng(4).normal(0, [0.01, 1.0, 30.0], size=(200, 3))   # gradients of 3 scales


def test_adagrad_matches_cumsum_formula():
    ref = -0.05 * np.cumsum(G / (np.sqrt(np.cumsum(G**2, axis=0)) + 1e-10), axis=0)
    assert np.allclose(steps(adagrad_step, G, theta0=np.zeros(3), lr=0.05), ref)


def test_rmsprop_matches_lfilter_ema():
    a = 0.9
    s = lfilter([1 - a], [1, -a], G**2, axis=0)          # s_t = a s_{t-1} + (1-a) g_t^2
    ref = -0.01 * np.cumsum(G / (np.sqrt(s) + 1e-8), axis=0)
    assert np.allclose(steps(rmsprop_step, G, theta0=np.zeros(3), lr=0.01, alpha=a), ref)


@pytest.mark.parametrize("wd", [0.0, 0.3])
def test_adamw_matches_lfilter_reference(wd):
    b1, b2, lr, eps = 0.8, 0.99, 0.01, 1e-8
    t = np.arange(1, len(G) + 1)[:, None]
    m = lfilter([1 - b1], [1, -b1], G, axis=0) / (1 - b1**t)
    v = lfilter([1 - b2], [1, -b2], G**2, axis=0) / (1 - b2**t)
    u = lr * m / (np.sqrt(v) + eps)                       # the Adam part of each step
    # theta_t = (1 - lr wd) theta_{t-1} - u_t, from theta_0 = 1
    x0 = np.ones(3)
    ref = lfilter([1], [1, -(1 - lr * wd)], -u, axis=0, zi=(1 - lr * wd) * x0[None, :])[0]
    got = steps(adamw_step, G, theta0=x0, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    assert np.allclose(got, ref)
    if wd == 0.0:
        assert np.allclose(got, steps(adam_step, G, theta0=x0, lr=lr, betas=(b1, b2), eps=eps))


def test_rosenbrock_matches_scipy():
    for p in np.random.default_rng(0).normal(0, 1.5, size=(20, 2)):
        assert rosenbrock(p) == pytest.approx(rosen(p))
        assert np.allclose(rosenbrock_grad(p), rosen_der(p))


def test_quadratic_gradient_and_condition_number():
    f, grad, A = quadratic(kappa=40, angle=1.1)
    x = np.array([0.3, -0.7])
    assert np.allclose(grad(x), numeric_grad(f, x), atol=1e-6)
    assert np.linalg.cond(A) == pytest.approx(40)


def test_gd_converges_to_min_norm_least_squares_solution():
    # Wilson et al. (2017): on an under-determined problem GD from 0 finds the minimum-norm
    # solution (numpy's lstsq); Adam finds another interpolating solution.
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(5, 12)), rng.normal(size=5)
    grad = lambda w: X.T @ (X @ w - y) / len(y)
    w_gd = run("sgd", grad, np.zeros(12), 0.3, 5000)[-1]
    w_adam = run("adam", grad, np.zeros(12), 0.01, 5000)[-1]
    w_min = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.allclose(w_gd, w_min, atol=1e-6)
    assert np.allclose(X @ w_adam, y, atol=1e-3)                     # also fits the data ...
    assert np.linalg.norm(w_adam) > 1.05 * np.linalg.norm(w_min)      # ... with a larger norm


# ------------------------------------------------------------ rates and schedules

def test_rates_are_attained():
    kappa = 100.0
    _, grad, _ = quadratic(kappa)
    x0 = np.array([1.0, 1.0])
    gd = run("sgd", grad, x0, 2 / (1 + kappa), 200)
    assert np.linalg.norm(gd[-1]) == pytest.approx(math.sqrt(2) * gd_rate(kappa) ** 200, rel=1e-9)  # both axes shrink by the rate
    lr, mu = heavy_ball_params(kappa)
    hb = run("momentum", grad, x0, lr, 400, momentum=mu)
    # the optimal parameters give a double root: |x_n| ~ c n rate^n, so divide out n
    ratio = np.linalg.norm(hb[400]) / np.linalg.norm(hb[200]) / 2
    assert ratio ** (1 / 200) == pytest.approx(heavy_ball_rate(kappa), abs=2e-3)
    assert np.linalg.norm(hb[200]) < 1e-10 < np.linalg.norm(gd[200])


def test_step_lr():
    assert [step_lr(t, 0.1, 30) for t in (0, 29, 30, 60)] == pytest.approx([0.1, 0.1, 0.01, 0.001])


def test_cosine_endpoints_and_pytorch_recursion():
    T, base, lo = 50, 0.1, 0.001
    assert cosine_lr(0, base, T, lo) == pytest.approx(base)
    assert cosine_lr(T // 2, base, T, lo) == pytest.approx((base + lo) / 2)
    assert cosine_lr(T, base, T, lo) == pytest.approx(lo)
    eta = base                                       # the recursive form in PyTorch's docs
    for t in range(T):
        nxt = lo + (eta - lo) * (1 + math.cos((t + 1) * math.pi / T)) / (1 + math.cos(t * math.pi / T))
        assert cosine_lr(t + 1, base, T, lo) == pytest.approx(nxt)
        eta = nxt


def test_warmup_is_linear_then_cosine():
    lrs = [cosine_lr(t, 1.0, 100, warmup=10) for t in range(12)]
    assert lrs[:10] == pytest.approx([(t + 1) / 10 for t in range(10)])
    assert lrs[10] == pytest.approx(1.0) and lrs[11] < 1.0


def test_one_cycle_matches_pytorch_boundaries():
    T, mx = 100, 1.0
    peak = 0.3 * T - 1
    assert one_cycle_lr(0, mx, T) == pytest.approx(mx / 25)
    assert one_cycle_lr(int(peak), mx, T) == pytest.approx(mx)
    assert one_cycle_lr(T - 1, mx, T) == pytest.approx(mx / 25 / 1e4)
    half_up = one_cycle_lr(0, mx, 21, pct_start=0.5, div_factor=2)   # peak at 9.5: t = 0 .. 9 rise
    assert half_up == pytest.approx(0.5)
    lrs = [one_cycle_lr(t, mx, T) for t in range(T)]
    assert np.argmax(lrs) == int(peak)


def test_decay_demo_orders_coordinates_only_for_adam_l2():
    l2 = decay_under_noise("adam", [0.01, 1.0, 100.0])[-1]
    w = decay_under_noise("adamw", [0.01, 1.0, 100.0])[-1]
    assert abs(l2[0]) < 0.05 and l2[2] > 0.8            # small gradients: crushed; large: untouched
    assert np.all(np.abs(w) < 0.15)                      # AdamW: (1 - 1e-3)^3000 = 0.05 for all


@pytest.mark.parametrize("method", METHODS)
def test_every_method_descends_on_the_quadratic(method):
    f, grad, _ = quadratic(10)
    lr = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5,
          "rmsprop": 0.01, "adam": 0.05, "adamw": 0.05}[method]
    path = run(method, grad, [3.0, 1.0], lr, 300)
    assert f(path[-1]) < 1e-2 * f(path[0])


# ------------------------------------------------------------ bad input

X2 = np.ones(2)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: sgd_step(X2, np.ones(3), {}, 0.1), ValueError, "grad must have the shape"),
    (lambda: sgd_step("ab", X2, {}, 0.1), TypeError, "theta must be a numeric array"),
    (lambda: sgd_step(X2, [1, np.nan], {}, 0.1), ValueError, "grad contains NaN"),
    (lambda: sgd_step(X2, X2, None, 0.1), TypeError, "state must be a dict"),
    (lambda: sgd_step(X2, X2, {}, -0.1), ValueError, "lr must be in"),
    (lambda: sgd_step(X2, X2, {}, "0.1"), TypeError, "lr must be a real number"),
    (lambda: momentum_step(X2, X2, {}, 0.1, momentum=1.0), ValueError, "momentum must be in"),
    (lambda: nesterov_step(X2, X2, {}, 0.1, momentum=-0.5), ValueError, "momentum must be in"),
    (lambda: adagrad_step(X2, X2, {}, 0.1, eps=-1), ValueError, "eps must be in"),
    (lambda: rmsprop_step(X2, X2, {}, 0.1, alpha=1.5), ValueError, "alpha must be in"),
    (lambda: adam_step(X2, X2, {}, betas=0.9), TypeError, "betas must be a pair"),
    (lambda: adam_step(X2, X2, {}, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in"),
    (lambda: adam_step(X2, X2, {}, eps=float("inf")), ValueError, "eps must be finite"),
    (lambda: adamw_step(X2, X2, {}, weight_decay=-0.01), ValueError, "weight_decay must be in"),
    (lambda: run("lion", lambda x: x, X2, 0.1, 5), ValueError, "method must be one of"),
    (lambda: run("sgd", "grad", X2, 0.1, 5), TypeError, "grad_fn must be callable"),
    (lambda: run("sgd", lambda x: x, X2, 0.1, -1), ValueError, "steps must be in"),
    (lambda: run("sgd", lambda x: x, np.ones((2, 2)), 0.1, 1), ValueError, "theta0 must have 1"),
    (lambda: quadratic(kappa=0.5), ValueError, "kappa must be in"),
    (lambda: rosenbrock([1.0, 2.0, 3.0]), ValueError, "too many values|x must"),
    (lambda: step_lr(-1, 0.1, 10), ValueError, "t must be in"),
    (lambda: step_lr(1, 0.1, 0), ValueError, "step_size must be in"),
    (lambda: cosine_lr(1.5, 0.1, 10), TypeError, "t must be an integer"),
    (lambda: cosine_lr(1, 0.1, 10, warmup=10), ValueError, "warmup must be in"),
    (lambda: one_cycle_lr(0, 0.1, 100, pct_start=1.0), ValueError, "pct_start must be in"),
    (lambda: one_cycle_lr(0, 0.1, 3, pct_start=0.1), ValueError, "pct_start \\* total_steps"),
    (lambda: one_cycle_lr(0, 0.1, 100, div_factor=0), ValueError, "div_factor must be in"),
    (lambda: decay_under_noise("sgd", [1.0]), ValueError, "method must be one of"),
    (lambda: decay_under_noise("adam", [1.0, 0.0]), ValueError, "sigmas must be positive"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_every_method_is_registered():
    assert set(STEPS) == set(METHODS)


# ------------------------------------------------------------ numbers stated on the page

def _steps_to(rate, tol=1e-6):
    return math.ceil(math.log(tol) / math.log(rate))


def _quad_loss(method, angle):
    from scripts.figures.optimizers import QUAD_RUNS, QUAD_START, QUAD_STEPS
    f, grad, _ = quadratic(20.0, angle)
    (lr, hp), = [(lr, hp) for _, m, lr, hp in QUAD_RUNS if m == method]
    return f(run(method, grad, QUAD_START, lr, QUAD_STEPS, **hp)[-1])


def _rosen_loss(method):
    from scripts.figures.optimizers import ROSEN_RUNS, ROSEN_START, ROSEN_STEPS
    (lr, hp), = [(lr, hp) for _, m, lr, hp in ROSEN_RUNS if m == method]
    return rosenbrock(run(method, rosenbrock_grad, ROSEN_START, lr, ROSEN_STEPS, **hp)[-1])


def test_rosenbrock_figure_alt_text():
    # "momentum, Nesterov and Adam fall below 1e-9, while GD, AdaGrad and RMSProp stay above 1e-3"
    assert all(_rosen_loss(m) < 1e-9 for m in ("momentum", "nesterov", "adam"))
    assert all(_rosen_loss(m) > 1e-3 for m in ("sgd", "adagrad", "rmsprop"))


P = "training/optimizers.md"
CLAIMS = [
    Claim(P, lambda: gd_rate(100), "{:.3f}",
          en="for \\(\\kappa = 100\\) that is 0.980 per step", zh="\\(\\kappa = 100\\) 时每步只缩到 0.980"),
    Claim(P, lambda: _steps_to(gd_rate(100)), "{}",
          en="so about 691 steps to cut the error by \\(10^{6}\\)", zh="误差降到 \\(10^{-6}\\) 约需 691 步"),
    Claim(P, lambda: 1 / (1 - 0.9), "{:.0f}",
          en="with \\(\\mu = 0.9\\) the effective step is 10 times larger", zh="\\(\\mu = 0.9\\) 时有效步长放大 10 倍"),
    Claim(P, lambda: heavy_ball_rate(100), "{:.3f}",
          en="0.818 for \\(\\kappa = 100\\)", zh="\\(\\kappa = 100\\) 时为 0.818"),
    Claim(P, lambda: _steps_to(heavy_ball_rate(100)), "{}",
          en="about 69 steps instead of 691", zh="约 69 步，而不是 691 步"),
    Claim(P, lambda: _steps_to(gd_rate(100)), "{}",
          en="about 69 steps instead of 691", zh="约 69 步，而不是 691 步"),
    Claim(P, lambda: -rmsprop_step([0.0], [2.0], {}, lr=1.0, alpha=0.99, eps=0.0)[0], "{:.1f}",
          en="the first step is \\(\\eta/\\sqrt{0.01}\\), 10.0 times \\(\\eta\\)",
          zh="第一步是 \\(\\eta/\\sqrt{0.01}\\)，即 \\(\\eta\\) 的 10.0 倍"),
    Claim(P, lambda: (1 - 0.9) / math.sqrt(1 - 0.999), "{:.2f}",
          en="that is 3.16 times the corrected one", zh="即修正后步长的 3.16 倍"),
    Claim(P, lambda: (1 - 0.9) / math.sqrt(1 - 0.999), "{:.2f}",
          en="the uncorrected first step is 3.16 times too large", zh="未修正的第一步是应有大小的 3.16 倍"),
    Claim(P, lambda: math.log(0.5) / math.log(0.999), "{:.0f}",
          en="reaches 0.5 only at \\(t \\approx 693\\)", zh="要到 \\(t \\approx 693\\) 才达到 0.5"),
    Claim(P, lambda: -rmsprop_step([0.0], [1.0], {}, lr=1.0, alpha=0.99, eps=0.0)[0], "{:.1f}",
          en="its first step is 10.0 times `lr`", zh="第一步是 `lr` 的 10.0 倍"),
    Claim(P, lambda: 0.1 * 8192 / 256, "{:.1f}",
          en="so 3.2 for a batch of 8192", zh="批大小 8192 时就是 3.2"),
    Claim(P, lambda: adamw_step([1.0], [0.0], {}, lr=0.1, weight_decay=0.5)[0], "{:.2f}",
          en="\\(1 - 0.1 \\cdot 0.5 = 0.95\\)", zh="\\(1 - 0.1 \\cdot 0.5 = 0.95\\)"),
    Claim(P, lambda: _quad_loss("rmsprop", 0.0), "{:.1e}",
          en="RMSProp's loss is 5.2e-05 on the aligned bowl", zh="RMSProp 在对齐的碗上损失为 5.2e-05"),
    Claim(P, lambda: _quad_loss("rmsprop", math.pi / 4), "{:.2f}",
          en="and 0.40 on the rotated one", zh="在旋转后的碗上为 0.40"),
    Claim(P, lambda: _rosen_loss("rmsprop"), "{:.2f}",
          en="RMSProp without momentum stalls near 0.02", zh="没有动量的 RMSProp 停在 0.02 附近"),
    Claim(P, lambda: one_cycle_lr(0, 0.1, 100), "{:.3f}",
          en="rising from 0.004 to 0.1 at step 29", zh="one-cycle 从 0.004 升到第 29 步的 0.1"),
    Claim(P, lambda: int(np.argmax([one_cycle_lr(t, 0.1, 100) for t in range(100)])), "{}",
          en="rising from 0.004 to 0.1 at step 29", zh="one-cycle 从 0.004 升到第 29 步的 0.1"),
    Claim(P, lambda: one_cycle_lr(99, 0.1, 100), "{:.0e}",
          en="and falling to 4e-07", zh="再降到 4e-07"),
    Claim(P, lambda: decay_under_noise("adam", [0.01, 1.0, 100.0])[-1][2], "{:.2f}",
          en="the noisiest weight keeps 0.88 of its value", zh="噪声最大的权重在 3000 步后仍保留 0.88"),
    Claim(P, lambda: (1 - 1e-3) ** 3000, "{:.3f}",
          en="0.050 after 3000 steps", zh="3000 步后为 0.050"),
    Claim(P, lambda: (1 - 1e-3 * 1e-2) ** 100_000, "{:.3f}",
          en="shrinks by a factor 0.368 over 100 000 steps", zh="在 100 000 步后缩小为原来的 0.368"),
    Claim(P, lambda: 1 / (1 - 0.9), "{:.0f}",
          en="\\(1/(1-\\mu)\\), 10 for \\(\\mu = 0.9\\)", zh="\\(\\mu = 0.9\\) 时是 10 倍"),
]
test_claims = claims_test(CLAIMS)
