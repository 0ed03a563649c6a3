"""Tests for dlnotes.initialization: formulas re-derived by hand, sampled moments, claims."""
import math

import numpy as np
import pytest
from scipy import integrate, stats

from dlnotes.initialization import (NONLINEARITIES, SCHEMES, depth_profile, fans, gain, init_weights,
                                    jacobian_singular_values, kaiming_normal, kaiming_std, kaiming_uniform,
                                    lsuv, orthogonal, pytorch_default, xavier_normal, xavier_uniform)
from dlnotes.mlp import Dense, make_mlp, train
from tests.claims import Claim, claims_test

# ------------------------------------------------------------ fans and gains


def test_fans_linear_and_conv():
    assert fans((30, 20)) == (20, 30)                       # nn.Linear(20, 30): weight (out, in)
    assert fans((16, 8, 3, 3)) == (8 * 9, 16 * 9)            # Conv2d(8, 16, 3)
    assert fans((64, 3, 7, 7)) == (147, 3136)
    # grouped conv: weight (C_out, C_in / groups, k, k); the docs' k = groups / (C_in * k * k)
    c_in, groups, k = 32, 4, 3
    fan_in, _ = fans((64, c_in // groups, k, k))
    assert math.isclose(1 / fan_in, groups / (c_in * k * k))


def test_gain_table():
    # the table of torch.nn.init.calculate_gain
    assert gain("linear") == gain("conv2d") == gain("sigmoid") == 1.0
    assert gain("tanh") == pytest.approx(5 / 3)
    assert gain("relu") == pytest.approx(math.sqrt(2))
    assert gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert gain("selu") == 0.75


def test_he_gain_from_half_second_moment():
    # E[relu(z)^2] = Var(z) / 2 for symmetric z: numerical integral against a standard normal
    second, _ = integrate.quad(lambda z: max(z, 0.0) ** 2 * stats.norm.pdf(z), -10, 10)
    assert second == pytest.approx(0.5)
    assert gain("relu") ** 2 * second == pytest.approx(1.0)


# ------------------------------------------------------------ sampled moments

def test_xavier_moments():
    shape = (300, 500)
    std = math.sqrt(2 / 800)
    w = xavier_normal(shape, seed=0)
    assert w.shape == shape and w.std() == pytest.approx(std, rel=0.01)
    u = xavier_uniform(shape, gain=2.0, seed=0)
    a = 2.0 * math.sqrt(6 / 800)
    assert abs(u).max() <= a and abs(u).max() > 0.99 * a
    assert u.std() == pytest.approx(2.0 * std, rel=0.01)


def test_kaiming_moments_and_modes():
    shape = (64, 32, 3, 3)                                   # fan_in 288, fan_out 576
    assert kaiming_std(shape, nonlinearity="relu") == pytest.approx(math.sqrt(2 / 288))
    assert kaiming_std(shape, mode="fan_out", nonlinearity="relu") == pytest.approx(math.sqrt(2 / 576))
    assert kaiming_std(shape, a=0.1) == pytest.approx(math.sqrt(2 / (1.01 * 288)))
    w = kaiming_normal(shape, nonlinearity="relu", seed=1)
    assert w.std() == pytest.approx(math.sqrt(2 / 288), rel=0.02)
    u = kaiming_uniform(shape, nonlinearity="relu", seed=1)
    assert abs(u).max() <= math.sqrt(6 / 288)
    assert u.std() == pytest.approx(math.sqrt(2 / 288), rel=0.02)


def test_pytorch_default_bound_derived_from_the_documented_formula():
    # kaiming_uniform_ docs: bound = gain * sqrt(3 / fan); calculate_gain('leaky_relu', a) = sqrt(2 / (1 + a^2))
    for fan_in in (1, 20, 147, 4096):
        g = math.sqrt(2 / (1 + math.sqrt(5) ** 2))
        assert g * math.sqrt(3 / fan_in) == pytest.approx(1 / math.sqrt(fan_in))
    w, b = pytorch_default((500, 400), seed=0)
    bound = 1 / math.sqrt(400)
    assert abs(w).max() <= bound and abs(w).max() > 0.999 * bound
    assert abs(b).max() <= bound and b.shape == (500,)
    assert w.var() == pytest.approx(1 / (3 * 400), rel=0.01)
    assert abs(b).min() > 0 and b.std() == pytest.approx(bound / math.sqrt(3), rel=0.15)  # not zeros
    # a conv: fan_in = C_in * k * k, the docs' k = groups / (C_in * prod(kernel_size)) with groups = 1
    w, b = pytorch_default((16, 8, 3, 3), seed=0)
    assert abs(w).max() <= 1 / math.sqrt(72) and abs(b).max() <= 1 / math.sqrt(72)
    # a sixth of He's variance 2 / fan_in
    assert (1 / (3 * 400)) / (2 / 400) == pytest.approx(1 / 6)


@pytest.mark.parametrize("shape", [(64, 64), (20, 50), (50, 20), (16, 8, 3, 3)])
def test_orthogonal(shape):
    q = orthogonal(shape, gain=2.0, seed=3)
    assert q.shape == shape
    m = q.reshape(shape[0], -1) / 2.0
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    assert np.allclose(gram, np.eye(small), atol=1e-10)
    assert np.allclose(np.linalg.svd(m, compute_uv=False), 1.0)


def test_orthogonal_is_not_biased_towards_positive_diagonal():
    # the sign fix makes Q Haar-distributed: its diagonal has mean ~0
    diag = np.concatenate([np.diag(orthogonal((8, 8), seed=s)) for s in range(300)])
    assert abs(diag.mean()) < 0.05


def test_lsuv_gives_unit_output_variance():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 40)) * 3.0
    ws = [orthogonal((40, 40), seed=i) for i in range(6)]
    out = lsuv(ws, x, "relu", tol=0.01)
    h = x
    for w in out:
        z = h @ w.T
        assert abs(z.var() - 1) < 0.01
        h = np.maximum(z, 0)
    assert ws[0] is not out[0]                              # copies, inputs untouched


# ------------------------------------------------------------ symmetry

def _xy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


def test_constant_init_keeps_units_identical():
    X, y = _xy()
    net = make_mlp(4, 8, 2, 3, activation="tanh", seed=0)
    for layer in net.layers_of(Dense):
        layer.params["W"][:] = 0.5
    train(net, X, y, lr=0.5, steps=200)
    d1, d2, d3 = net.layers_of(Dense)
    assert np.ptp(d1.params["W"], axis=1).max() == 0 and np.ptp(d1.params["b"]) == 0
    assert np.ptp(d2.params["W"]) == 0                      # every hidden-to-hidden weight equal
    assert np.ptp(d3.params["W"], axis=0).max() == 0         # every hidden unit feeds outputs alike
    assert np.ptp(d3.params["W"]) > 0                        # ...but it did learn something


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_zero_init_only_output_bias_learns(act):
    X, y = _xy()
    net = make_mlp(4, 8, 2, 3, activation=act, seed=0)
    for layer in net.layers_of(Dense):
        layer.params["W"][:] = 0.0
    train(net, X, y, lr=0.5, steps=50)
    dense = net.layers_of(Dense)
    assert all(np.all(d.params["W"] == 0) for d in dense)
    assert all(np.all(d.params["b"] == 0) for d in dense[:-1])
    assert np.ptp(dense[-1].params["b"]) > 0
    out = net.forward(X)
    assert np.ptp(out, axis=0).max() == 0                    # same prediction for every input


def test_random_init_breaks_symmetry():
    X, y = _xy()
    net = make_mlp(4, 8, 2, 3, activation="tanh", seed=0)
    train(net, X, y, lr=0.5, steps=20)
    assert np.ptp(net.layers_of(Dense)[0].params["W"], axis=1).min() > 0


# ------------------------------------------------------------ depth statistics

def test_depth_profile_gradients_match_an_independent_backward():
    # recompute dL/dh_l with plain numpy (no dlnotes.mlp) for a small net
    rng = np.random.default_rng(5)
    x = rng.normal(size=(16, 12))
    ws, bs = init_weights("pytorch", "relu", 4, 12, seed=rng)
    act, grad = depth_profile("pytorch", "relu", depth=4, width=12, batch=16, seed=5)
    h, hs, zs = x, [], []
    for w, b in zip(ws, bs):
        z = h @ w.T + b
        h = np.maximum(z, 0)
        zs.append(z)
        hs.append(h)
    assert np.allclose(act, [v.std() for v in hs])
    g = rng.normal(size=h.shape)
    stds = []
    for i in reversed(range(4)):
        stds.append(g.std())
        g = (g * (zs[i] > 0)) @ ws[i]
    assert np.allclose(grad, stds[::-1])


def test_depth_profile_follows_the_variance_recursions():
    # per-layer gradient variance factor: fan_in * Var(W) * E[f'^2]
    _, g = depth_profile("pytorch", "relu", depth=30, width=256, batch=256)
    slope = np.polyfit(np.arange(30), np.log(g), 1)[0]       # log std per layer
    assert slope == pytest.approx(0.5 * math.log(6), rel=0.1)
    a, _ = depth_profile("xavier", "relu", depth=30, width=256, batch=256)
    assert np.polyfit(np.arange(30), np.log(a), 1)[0] == pytest.approx(-0.5 * math.log(2), rel=0.1)
    a, g = depth_profile("he", "relu", depth=30, width=256, batch=256)
    assert 0.2 < a.min() and a.max() < 2 and 0.3 < g.min() and g.max() < 3


def test_linear_network_isometry():
    sv = jacobian_singular_values("orthogonal", depth=20, width=32)
    assert np.allclose(sv, 1.0)
    sv = jacobian_singular_values("he", depth=20, width=32)     # gain 1 for 'linear'
    assert sv.max() / sv.min() > 1e6


# ------------------------------------------------------------ bad input

@pytest.mark.parametrize("call, exc, word", [
    (lambda: fans((3,)), ValueError, "shape"),
    (lambda: fans((3, 0)), ValueError, "shape"),
    (lambda: fans("3x4"), TypeError, "shape"),
    (lambda: fans((3, 2.5)), TypeError, "shape"),
    (lambda: gain("softmax"), ValueError, "nonlinearity"),
    (lambda: gain("leaky_relu", "big"), TypeError, "param"),
    (lambda: xavier_normal((3, 4), gain=-1), ValueError, "gain"),
    (lambda: kaiming_std((3, 4), mode="fan_avg"), ValueError, "mode"),
    (lambda: orthogonal((4, 4), gain=float("nan")), ValueError, "gain"),
    (lambda: lsuv([np.eye(3)], np.ones((5, 3)), tol=0), ValueError, "tol"),
    (lambda: lsuv([np.eye(3)], np.ones(3)), ValueError, "x"),
    (lambda: lsuv([np.ones(3)], np.ones((5, 3))), ValueError, "weights"),
    (lambda: lsuv([np.eye(3)], np.ones((5, 3)), max_iter=0), ValueError, "max_iter"),
    (lambda: init_weights("fancy", "relu", 2, 3), ValueError, "scheme"),
    (lambda: init_weights("lsuv", "relu", 2, 3), ValueError, "batch x"),
    (lambda: depth_profile("he", "gelu"), ValueError, "nonlinearity"),
    (lambda: depth_profile("he", "relu", depth=0), ValueError, "depth"),
    (lambda: depth_profile("he", "relu", batch=1), ValueError, "batch"),
    (lambda: pytorch_default((4, 3), seed=-1), TypeError, "seed"),
])
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_registries():
    assert "tanh" in NONLINEARITIES and set(SCHEMES) >= {"xavier", "he", "pytorch", "orthogonal", "lsuv"}


# ------------------------------------------------------------ numbers stated on the page

def _profile(scheme, act):
    from scripts.figures.initialization import profile
    return profile(scheme, act)


def _tanh_second_moment():
    value, _ = integrate.quad(lambda z: np.tanh(z) ** 2 * stats.norm.pdf(z), -12, 12)
    return value


def _floor_layer(act):
    from scripts.figures.initialization import FLOOR
    a, _ = _profile("small", act)
    return int(np.argmax(a < FLOOR)) + 1


def _isometry():
    from scripts.figures.initialization import DEPTH
    return jacobian_singular_values("xavier", depth=DEPTH, width=128, seed=0)


P = "training/initialization.md"
CLAIMS = [
    Claim(P, _tanh_second_moment, "{:.3f}",
          en="\\(\\mathbb{E}[\\tanh(z)^2] = 0.394\\) for \\(z \\sim \\mathcal{N}(0, 1)\\)",
          zh="\\(z \\sim \\mathcal{N}(0, 1)\\) 时 \\(\\mathbb{E}[\\tanh(z)^2] = 0.394\\)"),
    Claim(P, lambda: (5 / 3) ** 2, "{:.2f}",
          en="\\((5/3)^2 = 2.78\\) roughly makes up for it", zh="\\((5/3)^2 = 2.78\\)"),
    Claim(P, lambda: 1 / _tanh_second_moment(), "{:.2f}",
          en="(the exact factor would be 2.54)", zh="（精确的补偿因子是 2.54）"),
    Claim(P, lambda: _profile("xavier", "relu")[0][-1], "{:.0e}",
          en="the activations reach 1e-08 at layer 50", zh="第 50 层的激活只剩 1e-08"),
    Claim(P, lambda: _profile("xavier", "relu")[0][-1], "{:.0e}",
          en="With ReLU it halves the variance at every layer: 1e-08 after 50 layers",
          zh="配 ReLU 时每层方差减半，50 层后只剩 1e-08"),
    Claim(P, lambda: _profile("he", "relu")[1][0], "{:.2f}",
          en="the gradient at layer 1 is 0.72 of the one at layer 50",
          zh="第 1 层的梯度是第 50 层的 0.72"),
    Claim(P, lambda: _profile("xavier", "tanh")[0][-1], "{:.2f}",
          en="to 0.10 at layer 50 (the formula gives 0.100)", zh="第 50 层为 0.10（公式给出 0.100）"),
    Claim(P, lambda: 1 / math.sqrt(2 * 50), "{:.3f}",
          en="to 0.10 at layer 50 (the formula gives 0.100)", zh="第 50 层为 0.10（公式给出 0.100）"),
    Claim(P, lambda: _profile("xavier", "tanh")[1][0], "{:.2f}",
          en="the gradient at layer 1 is 0.18 of the one at layer 50",
          zh="第 1 层的梯度是第 50 层的 0.18"),
    Claim(P, lambda: _profile("he", "tanh")[0][-1], "{:.2f}",
          en="keeps the forward signal at about 0.65", zh="前向信号稳定在 0.65 左右"),
    Claim(P, lambda: _profile("he", "tanh")[1][0], "{:.0f}",
          en="the gradient at layer 1 is 98 times the one at layer 50",
          zh="第 1 层的梯度是第 50 层的 98 倍"),
    Claim(P, lambda: _profile("he", "tanh")[1][0], "{:.0f}",
          en="98 times from layer 50 to layer 1 in our figure", zh="在我们的图中从第 50 层到第 1 层放大了 98 倍"),
    Claim(P, lambda: _profile("lsuv", "tanh")[1][0], "{:.0f}",
          en="gradients growing 55 times towards the input", zh="梯度向输入端放大 55 倍"),
    Claim(P, lambda: _isometry().max(), "{:.1f}",
          en="the largest is 10.3 and 62% of them", zh="最大的是 10.3，有 62% 小于"),
    Claim(P, lambda: 100 * np.mean(_isometry() < 1e-6 * _isometry().max()), "{:.0f}",
          en="the largest is 10.3 and 62% of them", zh="最大的是 10.3，有 62% 小于"),
    Claim(P, lambda: _profile("pytorch", "relu")[1][0], "{:.0e}",
          en="the gradient at layer 1 is 4e-20 of the one at layer 50",
          zh="第 1 层的梯度只有第 50 层的 4e-20"),
    Claim(P, lambda: 6 ** -24.5, "{:.0e}",
          en="(the formula \\(6^{-49/2}\\) gives 9e-20)", zh="（公式 \\(6^{-49/2}\\) 给出 9e-20）"),
    Claim(P, lambda: _profile("pytorch", "relu")[0][-1], "{:.2f}",
          en="while the activations settle at 0.02", zh="激活则停在 0.02 左右"),
    Claim(P, lambda: 256e-4, "{:.2f}",
          en="\\(256 \\cdot 10^{-4} \\approx 0.03\\)", zh="\\(256 \\cdot 10^{-4} \\approx 0.03\\)"),
    Claim(P, lambda: _floor_layer("tanh"), "{}",
          en="fall below 1e-22 at layer 28 (tanh) and layer 24 (ReLU)",
          zh="在第 28 层（tanh）和第 24 层（ReLU）就跌破 1e-22"),
    Claim(P, lambda: _floor_layer("relu"), "{}",
          en="fall below 1e-22 at layer 28 (tanh) and layer 24 (ReLU)",
          zh="在第 28 层（tanh）和第 24 层（ReLU）就跌破 1e-22"),
]
test_claims = claims_test(CLAIMS)
