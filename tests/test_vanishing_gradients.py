"""Tests for dlnotes.vanishing_gradients and the numbers the Vanishing gradients page states."""
import functools

import numpy as np
import pytest

from dlnotes.mlp import make_mlp
from dlnotes.vanishing_gradients import (CONFIGS, config_gradient_norms, hidden_activations,
                                         layer_gradient_norms, saturated_fraction, toy_batch)
from tests.claims import Claim, claims_test


@functools.lru_cache(maxsize=None)
def norms(name):
    return config_gradient_norms(name)


def saturation(init, batchnorm, depth=10):
    X, _ = toy_batch(n=512)
    model = make_mlp(X.shape[1], 64, depth, 10, activation="sigmoid", init=init, batchnorm=batchnorm, seed=1)
    return saturated_fraction(model, X)


def test_sigmoid_gradient_shrinks_by_at_most_a_quarter_per_layer_roughly():
    g = norms("sigmoid, Xavier")[:-1]
    ratios = g[:-1] / g[1:]
    assert np.all(ratios < 0.6)                       # shrinks at every layer
    assert 1e-21 < g[0] / g[-1] < 1e-16               # ~0.25**30 = 8.7e-19


@pytest.mark.parametrize("name", ["sigmoid, Xavier + BN", "ReLU, He", "ReLU, He + BN + residual"])
def test_remedies_keep_gradients_within_a_factor_ten(name):
    g = norms(name)[:-1]
    assert g.max() / g.min() < 10


def test_bn_alone_explodes_towards_the_input_in_a_deep_plain_relu_net():
    g = norms("ReLU, He + BN")[:-1]
    assert g[0] / g[-1] > 50 and np.all(np.diff(np.log(g)) < 0.3)


def test_layer_gradient_norms_match_a_direct_computation():
    X, y = toy_batch(n=16, n_in=3, n_classes=2)
    model = make_mlp(3, 4, 2, 2, seed=0)
    g = layer_gradient_norms(model, X, y)
    assert g.shape == (3,)
    assert g[0] == pytest.approx(np.linalg.norm(model.layers[0].grads["W"]))


def test_saturation_without_and_with_bn():
    assert 0.3 < saturation(1.0, False).mean() < 0.6
    assert saturation(1.0, True).max() < 0.01
    acts = hidden_activations(make_mlp(32, 8, 3, 2, activation="sigmoid", seed=0), toy_batch(n=10)[0])
    assert len(acts) == 3 and all(a.shape == (10, 8) for a in acts)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: layer_gradient_norms("net", np.ones((2, 2)), [0, 1]), TypeError, "model must be an MLP"),
    (lambda: config_gradient_norms("tanh"), ValueError, "name must be one of"),
    (lambda: config_gradient_norms("ReLU, He", depth=1), ValueError, "depth must be in"),
    (lambda: toy_batch(n=1), ValueError, "n must be in"),
    (lambda: hidden_activations(None, np.ones((2, 2))), TypeError, "model must be an MLP"),
    (lambda: saturated_fraction(make_mlp(2, 2, 1, 2), np.ones((2, 2))), ValueError, "saturation is defined"),
    (lambda: saturated_fraction([1, 2], np.ones((2, 2))), TypeError, "model must be an MLP"),
    (lambda: saturated_fraction(make_mlp(2, 2, 1, 2, activation="tanh"), np.ones(2)), ValueError, "X must have 2"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_configs_are_all_buildable():
    assert len(CONFIGS) == 6


PAGE = "training/vanishing-gradients.md"
orders = lambda: -np.log10(norms("sigmoid, Xavier")[0] / norms("sigmoid, Xavier")[29])  # noqa: E731
CLAIMS = [
    Claim(PAGE, lambda: 0.25**30 / 1e-19, "{:.1f}",
          en="\\(0.25^{30} \\approx 8.7 \\times 10^{-19}\\)", zh="\\(0.25^{30} \\approx 8.7 \\times 10^{-19}\\)"),
    Claim(PAGE, orders, "{:.0f}",
          en="smaller than the 30th's by about 19 orders of magnitude", zh="小了约 19 个数量级"),
    Claim(PAGE, orders, "{:.0f}",
          en="about 19 orders of magnitude over 30 layers", zh="30 层下来相差约 19 个数量级"),
    Claim(PAGE, lambda: saturation("xavier", False, depth=30).max(), "{:.0%}",
          en="0% of its sigmoid units have", zh="其中 0% 的 sigmoid 单元"),
    Claim(PAGE, lambda: saturation(1.0, False).mean(), "{:.0%}",
          en="weights 45% of our sigmoid units are saturated", zh="有 45% 的 sigmoid 单元处于饱和区"),
    Claim(PAGE, lambda: saturation(1.0, True).mean(), "{:.0%}",
          en="with BN 0%", zh="加 BN 后为 0%"),
    Claim(PAGE, lambda: norms("ReLU, He + BN")[0] / norms("ReLU, He + BN")[29], "{:.0f}",
          en="layer 1's gradient is about 150 times layer 30's", zh="第 1 层的梯度约为第 30 层的 150 倍"),
]
test_claims = claims_test(CLAIMS)
