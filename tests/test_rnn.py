"""Tests for dlnotes.rnn: steps by hand, finite differences, explicit Jacobian products, claims."""
import math

import numpy as np
import pytest
from scipy.special import expit

from dlnotes.rnn import (clip_grad_norm, first_input_task, grad_norm_through_time, init_params,
                         lstm_backward, lstm_forward, rnn_backward, rnn_forward, sigmoid,
                         spectral_radius)
from scripts.figures.rnn import default_rho
from tests.claims import Claim, claims_test
from tests.gradcheck import numeric_grad

T, N, D, H = 5, 3, 2, 4


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)), rng.normal(size=(T, N, H))


def _params(kind, scale=2.0):
    # scaled up so that tanh and the gates are exercised away from their linear region
    return {k: scale * v for k, v in init_params(kind, D, H, seed=1).items()}


# ------------------------------------------------------------ by hand

def test_sigmoid_matches_scipy_and_does_not_overflow():
    z = np.array([-1000.0, -3.0, 0.0, 2.5, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.allclose(sigmoid(z), expit(z))


def test_rnn_one_step_by_hand():
    # h1 = tanh(0.5*2 + 0.3*0 + 0.1) = tanh(1.1); h2 = tanh(0.5*(-1) + 0.3*h1 + 0.1)
    hs, _ = rnn_forward([[[2.0]], [[-1.0]]], [[0.0]], [[0.5]], [[0.3]], [0.1])
    h1 = math.tanh(1.1)
    assert np.allclose(hs.ravel(), [h1, math.tanh(-0.5 + 0.3 * h1 + 0.1)])


def test_lstm_one_step_by_hand():
    # zero weights: the gates are sigmoid/tanh of the bias blocks (i, f, g, o)
    b = np.array([0.0, 2.0, 1.0, -1.0])
    hs, cs, _ = lstm_forward(np.zeros((1, 1, 1)), [[0.0]], [[3.0]], np.zeros((4, 1)), np.zeros((4, 1)), b)
    i, f, g, o = expit(0.0), expit(2.0), math.tanh(1.0), expit(-1.0)
    c = f * 3.0 + i * g
    assert np.allclose(cs.ravel(), [c])
    assert np.allclose(hs.ravel(), [o * math.tanh(c)])


def test_lstm_without_forget_gate_is_the_1997_carousel():
    # forget bias huge: f = 1, so c_t = c_{t-1} + i*g, and the cell gradient passes unchanged
    b = np.array([0.0, 50.0, 0.0, 0.0])
    x = np.zeros((6, 1, 1))
    hs, cs, cache = lstm_forward(x, [[0.0]], [[0.7]], np.zeros((4, 1)), np.zeros((4, 1)), b)
    assert np.allclose(cs.ravel(), 0.7)              # g = tanh(0) = 0: nothing written, nothing lost
    dhs = np.zeros_like(hs)
    dhs[-1] = 1.0
    g = lstm_backward(dhs, cache)
    assert np.allclose(g["dc"].ravel(), g["dc"][-1, 0, 0])
    assert np.isclose(g["c0"][0, 0], g["dc"][-1, 0, 0])


# ------------------------------------------------------------ finite differences

@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_gradients_match_finite_differences(kind, data):
    x, h0, c0, w = data
    p = _params(kind)

    def loss(**override):
        q = {"x": x, "h0": h0, "c0": c0, **p, **override}
        if kind == "rnn":
            hs, _ = rnn_forward(q["x"], q["h0"], q["W_ih"], q["W_hh"], q["b"])
        else:
            hs, _, _ = lstm_forward(q["x"], q["h0"], q["c0"], q["W_ih"], q["W_hh"], q["b"])
        return float(np.sum(w * hs))

    if kind == "rnn":
        g = rnn_backward(w, rnn_forward(x, h0, **p)[1])
        names = ["x", "h0", "W_ih", "W_hh", "b"]
    else:
        g = lstm_backward(w, lstm_forward(x, h0, c0, **p)[2])
        names = ["x", "h0", "c0", "W_ih", "W_hh", "b"]
    values = {"x": x, "h0": h0, "c0": c0, **p}
    for name in names:
        num = numeric_grad(lambda v, n=name: loss(**{n: v}), values[name])
        assert np.allclose(g[name], num, rtol=1e-6, atol=1e-8), name


def test_lstm_total_state_gradients_match_finite_differences(data):
    # dh[t] is dL/dh_t: perturb h_t by re-running the tail of the sequence from (h_t, c_t)
    x, h0, c0, w = data
    p = _params("lstm")
    hs, cs, cache = lstm_forward(x, h0, c0, **p)
    g = lstm_backward(w, cache)
    t = 1

    def tail(h_t, c_t):
        hs2, _, _ = lstm_forward(x[t + 1:], h_t, c_t, **p)
        return float(np.sum(w[t] * h_t) + np.sum(w[t + 1:] * hs2))

    assert np.allclose(g["dh"][t], numeric_grad(lambda v: tail(v, cs[t]), hs[t]), atol=1e-8)
    o_t = cache[3][t][5]                    # dL/dc_t counts the path c_t -> h_t = o_t tanh(c_t) too
    assert np.allclose(g["dc"][t], numeric_grad(lambda v: tail(o_t * np.tanh(v), v), cs[t]), atol=1e-8)


# ------------------------------------------------------------ BPTT as a product of Jacobians

def test_rnn_state_gradient_is_the_product_of_jacobians(data):
    x, h0, _, _ = data
    p = _params("rnn")
    hs, cache = rnn_forward(x, h0, **p)
    u = np.random.default_rng(3).normal(size=(N, H))
    dhs = np.zeros_like(hs)
    dhs[-1] = u
    g = rnn_backward(dhs, cache)
    for n in range(N):
        # J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh; dL/dh_t = u^T J_T ... J_{t+1}
        grad = u[n]
        for t in range(T - 1, 0, -1):
            J = np.diag(1 - hs[t, n] ** 2) @ p["W_hh"]
            grad = grad @ J
            assert np.allclose(g["dh"][t - 1, n], grad)


def test_pascanu_bound_on_the_gradient_norm(data):
    # tanh' <= 1, so ||dL/dh_t|| <= sigma_max(W_hh)^(T-t) ||dL/dh_T||
    x, h0, _, _ = data
    p = init_params("rnn", D, H, seed=5)
    hs, cache = rnn_forward(x, h0, **p)
    dhs = np.zeros_like(hs)
    dhs[-1] = 1.0
    norms = np.linalg.norm(rnn_backward(dhs, cache)["dh"], axis=2)
    smax = np.linalg.norm(p["W_hh"], 2)
    for k in range(T):
        assert np.all(norms[T - 1 - k] <= smax ** k * norms[-1] + 1e-12)


def test_lstm_cell_path_multiplies_by_the_forget_gate_only():
    # with W_hh = 0 and the loss on h_T only, dL/dc_{t-1} = dL/dc_t * f_t exactly
    rng = np.random.default_rng(4)
    p = init_params("lstm", D, H, seed=2, forget_bias=1.0)
    p["W_hh"][:] = 0.0
    x = rng.normal(size=(T, N, D))
    hs, cs, cache = lstm_forward(x, np.zeros((N, H)), np.zeros((N, H)), **p)
    dhs = np.zeros_like(hs)
    dhs[-1] = rng.normal(size=(N, H))
    g = lstm_backward(dhs, cache)
    for t in range(1, T):
        f_t = cache[3][t][3]
        assert np.allclose(g["dc"][t - 1], g["dc"][t] * f_t)


# ------------------------------------------------------------ clipping

def test_clip_by_global_norm_by_hand():
    clipped, total = clip_grad_norm([np.array([3.0]), np.array([[4.0]])], 1.0)
    assert total == 5.0
    scale = 1.0 / (5.0 + 1e-6)                    # torch: max_norm / (total_norm + 1e-6)
    assert np.allclose(clipped[0], [3 * scale]) and np.allclose(clipped[1], [[4 * scale]])
    assert clipped[1].shape == (1, 1)


def test_clip_keeps_direction_and_leaves_small_gradients_alone():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 2)), rng.normal(size=5)]
    total = math.sqrt(sum(float(np.sum(g**2)) for g in grads))
    same, t1 = clip_grad_norm(grads, total * 2)
    assert t1 == pytest.approx(total)
    assert all(np.array_equal(a, b) for a, b in zip(same, grads))
    small, _ = clip_grad_norm(grads, 0.5)
    flat = np.concatenate([g.ravel() for g in small])
    assert np.linalg.norm(flat) == pytest.approx(0.5, rel=1e-5)
    assert np.allclose(flat / np.linalg.norm(flat), np.concatenate([g.ravel() for g in grads]) / total)


# ------------------------------------------------------------ helpers

def test_init_params_follow_pytorch_ranges():
    p = init_params("lstm", 3, 16, seed=0, forget_bias=1.0)
    k = 1 / 4
    assert p["W_ih"].shape == (64, 3) and p["W_hh"].shape == (64, 16) and p["b"].shape == (64,)
    assert np.abs(p["W_hh"]).max() <= k and np.abs(p["W_ih"]).max() <= k
    assert np.all(p["b"][16:32] >= 1 - 2 * k) and np.all(np.delete(p["b"], np.s_[16:32]) <= 2 * k)
    r = init_params("rnn", 3, 16, seed=0, rho=1.3)
    assert spectral_radius(r["W_hh"]) == pytest.approx(1.3)


def test_bias_is_the_sum_of_two_pytorch_biases():
    # b = b_ih + b_hh with both ~ U(-k, k): variance 2 k^2/3 (triangular), not 4 k^2/3 (2 U(-k, k))
    H = 2500
    b = init_params("rnn", 1, H, seed=3)["b"]
    k = 1 / math.sqrt(H)
    assert np.var(b) == pytest.approx(2 * k**2 / 3, rel=0.1)


def test_first_input_task_and_norm_curve():
    x, y = first_input_task(7, batch=5, seed=1)
    assert x.shape == (7, 5, 2)
    assert np.array_equal(y, (x[0, :, 0] > 0).astype(float))
    assert np.all(x[1:, :, 0] == 0)
    curve = grad_norm_through_time("rnn", T=6, hidden_size=4)
    assert curve.shape == (6,) and curve[0] == pytest.approx(1.0)


def test_figure_is_reproducible():
    a = grad_norm_through_time("lstm", T=20, hidden_size=8, forget_bias=1.0)
    b = grad_norm_through_time("lstm", T=20, hidden_size=8, forget_bias=1.0)
    assert np.array_equal(a, b)


# ------------------------------------------------------------ bad input

def test_bad_inputs_raise_clear_errors():
    p = init_params("rnn", D, H)
    x, h0 = np.zeros((T, N, D)), np.zeros((N, H))
    with pytest.raises(ValueError, match="x must have 3"):
        rnn_forward(np.zeros((T, D)), h0, **p)
    with pytest.raises(ValueError, match="x must have at least one time step"):
        rnn_forward(np.zeros((0, N, D)), h0, **p)
    with pytest.raises(ValueError, match="h0 must have shape"):
        rnn_forward(x, np.zeros((N + 1, H)), **p)
    with pytest.raises(ValueError, match="W_hh must have shape"):
        rnn_forward(x, h0, p["W_ih"], np.zeros((H, H + 1)), p["b"])
    with pytest.raises(ValueError, match="W_ih must have shape"):
        lstm_forward(x, h0, h0, **p)                      # RNN weights are not 4H tall
    q = init_params("lstm", D, H)
    with pytest.raises(ValueError, match="c0 must have the shape of h0"):
        lstm_forward(x, h0, np.zeros((N, H + 1)), **q)
    with pytest.raises(ValueError, match="x contains NaN"):
        rnn_forward(np.full((T, N, D), np.nan), h0, **p)
    with pytest.raises(TypeError, match="x must be a numeric array"):
        rnn_forward("abc", h0, **p)
    _, cache = rnn_forward(x, h0, **p)
    with pytest.raises(ValueError, match="dhs must have the shape"):
        rnn_backward(np.zeros((T, N, H + 1)), cache)
    with pytest.raises(ValueError, match="max_norm must be in"):
        clip_grad_norm([np.ones(2)], -1.0)
    with pytest.raises(TypeError, match="grads must be a non-empty list"):
        clip_grad_norm(np.ones(2), 1.0)
    with pytest.raises(TypeError, match="grads must be a non-empty list"):
        clip_grad_norm([], 1.0)
    with pytest.raises(ValueError, match="kind must be"):
        init_params("gru", 2, 2)
    with pytest.raises(ValueError, match="hidden_size must be in"):
        init_params("rnn", 2, 0)
    with pytest.raises(ValueError, match="rho must be in"):
        init_params("rnn", 2, 2, rho=0.0)
    with pytest.raises(ValueError, match="W must be square"):
        spectral_radius(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="T must be in"):
        first_input_task(0)


# ------------------------------------------------------------ claims

P = "training/rnn-lstm.md"


def _tex_sci(v):
    mantissa, exponent = f"{v:.1e}".split("e")
    return f"{mantissa}\\times10^{{{int(exponent)}}}"


def _rnn_curve(**kw):
    return grad_norm_through_time("rnn", 100, 32, **kw)


def _lstm_curve(fb):
    return grad_norm_through_time("lstm", 100, 32, forget_bias=fb)


CLAIMS = [
    Claim(P, lambda: _tex_sci(0.9 ** 100), "{}",
          en="a gain of 0.9 per step leaves \\(0.9^{100} \\approx 2.7\\times10^{-5}\\)",
          zh="每步增益 0.9，100 步后只剩 \\(0.9^{100} \\approx 2.7\\times10^{-5}\\)"),
    Claim(P, lambda: 1.1 ** 100, "{:.0f}",
          en="and 1.1 per step gives \\(1.1^{100} \\approx 13781\\)",
          zh="每步 1.1 则是 \\(1.1^{100} \\approx 13781\\)"),
    Claim(P, lambda: expit(0.0), "{:.1f}",
          en="every forget gate starts near \\(\\sigma(0) = 0.5\\)",
          zh="遗忘门一开始都在 \\(\\sigma(0) = 0.5\\) 附近"),
    Claim(P, lambda: expit(1.0), "{:.2f}",
          en="\\(\\sigma(1) = 0.73\\)", zh="\\(\\sigma(1) = 0.73\\)"),
    Claim(P, lambda: expit(3.0), "{:.2f}",
          en="\\(\\sigma(3) = 0.95\\)", zh="\\(\\sigma(3) = 0.95\\)"),
    Claim(P, lambda: 4 * (256 * 256 + 256 * 256 + 2 * 256), "{}",
          en="`nn.LSTM(256, 256)` has 526336 parameters", zh="`nn.LSTM(256, 256)` 有 526336 个参数"),
    Claim(P, lambda: 3 * (256 * 256 + 256 * 256 + 2 * 256), "{}",
          en="`nn.GRU(256, 256)` has 394752", zh="`nn.GRU(256, 256)` 有 394752 个"),
    Claim(P, default_rho, "{:.2f}",
          en="PyTorch's default initialisation gives \\(\\rho(W_{hh}) = 0.60\\) here",
          zh="PyTorch 默认初始化在这里给出 \\(\\rho(W_{hh}) = 0.60\\)"),
    Claim(P, lambda: _rnn_curve()[99], "{:.0e}",
          en="99 steps back only 4e-25 of the gradient is left",
          zh="往回 99 步只剩 4e-25"),
    Claim(P, lambda: _rnn_curve(rho=3.0)[99], "{:.0e}",
          en="with \\(\\rho = 3\\) it grows to 3e+11", zh="\\(\\rho = 3\\) 时增长到 3e+11"),
    Claim(P, lambda: _rnn_curve(rho=1.2)[99], "{:.2f}",
          en="\\(\\rho = 1.2\\) does not explode at all (0.10 after 99 steps)",
          zh="\\(\\rho = 1.2\\) 根本没有爆炸（99 步后为 0.10）"),
    Claim(P, lambda: _lstm_curve(0.0)[99], "{:.0e}",
          en="the LSTM at PyTorch's initialisation keeps 2e-21", zh="PyTorch 默认初始化的 LSTM 只剩 2e-21"),
    Claim(P, lambda: _lstm_curve(3.0)[99], "{:.2f}",
          en="with forget bias +3 nothing vanishes (0.41 after 99 steps)",
          zh="遗忘门偏置 +3 时梯度完全没有消失（99 步后为 0.41）"),
    Claim(P, lambda: f"10^{{{math.floor(math.log10(_rnn_curve()[10]))}}}", "{}",
          en="keeps a fraction of order \\(10^{-3}\\) of the gradient 10 steps back",
          zh="往回 10 步只剩 \\(10^{-3}\\) 量级的梯度"),
    Claim(P, lambda: _lstm_curve(3.0)[10], "{:.2f}",
          en="keeps 0.05 of it 10 steps back", zh="往回 10 步还有 0.05"),
    Claim(P, lambda: _lstm_curve(3.0)[50], "{:.2f}",
          en="and 0.07 50 steps back", zh="往回 50 步还有 0.07"),
]
test_claims = claims_test(CLAIMS)
