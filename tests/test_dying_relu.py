"""Tests for dlnotes.dying_relu and the numbers the Dying ReLU page states."""
import functools

import numpy as np
import pytest

from dlnotes.dying_relu import dead_fraction, lr_sweep, off_fraction, off_units, toy_regression
from dlnotes.mlp import make_mlp, train
from tests.claims import Claim, claims_test


@functools.lru_cache(maxsize=None)
def sweep(activation):
    return lr_sweep([0.02, 0.045], activation)


def test_a_dead_unit_never_changes_and_has_zero_gradient():
    X, y = toy_regression()
    model = make_mlp(1, 6, 1, 1, seed=3)
    dense = model.layers[0]
    dense.params["b"][2] = -50.0
    assert off_units(model, X)[0][2]
    before = dense.params["W"][:, 2].copy()
    train(model, X, y, loss="mse", lr=0.01, steps=100)
    assert np.array_equal(dense.params["W"][:, 2], before) and dense.params["b"][2] == -50.0
    assert dense.grads["W"][0, 2] == 0 and dense.grads["b"][2] == 0


def test_leaky_units_in_the_negative_regime_still_learn():
    X, y = toy_regression()
    model = make_mlp(1, 6, 1, 1, activation="leaky_relu", slope=0.1, seed=3)
    model.layers[0].params["b"][2] = -50.0
    train(model, X, y, loss="mse", lr=0.01, steps=100)
    assert model.layers[0].params["b"][2] != -50.0
    assert dead_fraction(model, X) == 0.0 and off_fraction(model, X) >= 1 / 6


def test_off_units_matches_a_direct_check():
    X, _ = toy_regression(n=50)
    model = make_mlp(1, 5, 2, 1, seed=0)
    masks = off_units(model, X)
    z = X @ model.layers[0].params["W"] + model.layers[0].params["b"]
    assert np.array_equal(masks[0], (z <= 0).all(0))
    assert len(masks) == 2


def test_larger_learning_rate_kills_more_units():
    relu, leaky = sweep("relu"), sweep("leaky_relu")
    assert not np.isnan(relu["dead"]).any()
    assert relu["dead"][0].mean() < 0.05 < 0.4 < relu["dead"][1].mean()
    assert np.array_equal(relu["off"], relu["dead"])        # for ReLU off = dead
    assert np.nanmax(leaky["dead"]) == 0.0 and np.nanmean(leaky["off"][1]) > 0.4


def test_only_flat_activations_count_as_dead():
    X = -np.abs(toy_regression(n=40)[0]) - 1            # all inputs negative
    for kind, expected in (("relu", 1.0), ("sigmoid", 0.0), ("tanh", 0.0)):
        model = make_mlp(1, 3, 1, 1, activation=kind, seed=0)
        model.layers[0].params["W"][:] = 1.0             # z = x < 0 on every row
        assert off_fraction(model, X) == 1.0
        assert dead_fraction(model, X) == expected
    model = make_mlp(1, 3, 1, 1, activation="leaky_relu", slope=0.0, seed=0)
    model.layers[0].params["W"][:] = 1.0
    assert dead_fraction(model, X) == 1.0


@pytest.mark.parametrize("call, exc, words", [
    (lambda: off_units("model", np.ones((2, 1))), TypeError, "model must be an MLP"),
    (lambda: off_units(make_mlp(1, 2, 1, 1), np.ones(3)), ValueError, "X must have 2"),
    (lambda: lr_sweep([0.0]), ValueError, "lrs must be in"),
    (lambda: lr_sweep([0.1], activation="tanh"), ValueError, "activation must be one of"),
    (lambda: lr_sweep([0.1], seeds=[-1]), ValueError, "seeds must be in"),
    (lambda: toy_regression(n=1), ValueError, "n must be in"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


@functools.lru_cache(maxsize=None)
def figure_means(activation, key, lrs):
    """Mean over seeds of the figure's sweep at the given learning rates (all from its LRS)."""
    from scripts.figures.dying_relu import LRS
    assert set(lrs) <= set(LRS), "the caption must describe the figure's own learning rates"
    return np.nanmean(lr_sweep(list(lrs), activation)[key], axis=1)


PAGE = "training/dying-relu.md"
CLAIMS = [
    Claim(PAGE, lambda: figure_means("relu", "dead", (0.005, 0.01, 0.015, 0.02, 0.025)).max(), "{:.1%}",
          en="Up to a learning rate of 0.025 at most 2.5% of the units die", zh="死亡单元最多占 2.5%"),
    Claim(PAGE, lambda: figure_means("relu", "dead", (0.03,))[0], "{:.1%}",
          en="at 0.03 it is already 22.5%", zh="到 0.03 已是 22.5%"),
    Claim(PAGE, lambda: figure_means("relu", "dead", (0.045,))[0], "{:.2f}",
          en="rise to 0.65 and 0.75 at 0.045", zh="到 0.045 时分别升到 0.65 和 0.75"),
    Claim(PAGE, lambda: figure_means("leaky_relu", "off", (0.045,))[0], "{:.2f}",
          en="rise to 0.65 and 0.75 at 0.045", zh="到 0.045 时分别升到 0.65 和 0.75"),
    Claim(PAGE, lambda: sweep("relu")["dead"][0].mean(), "{:.0%}",
          en="a learning rate of 0.02 leaves on average 1% of the units dead",
          zh="学习率 0.02 时平均只有 1% 的单元死亡"),
    Claim(PAGE, lambda: sweep("relu")["dead"][1].mean(), "{:.0%}",
          en="0.045 kills 65% of them", zh="0.045 时死亡比例达到 65%"),
]
test_claims = claims_test(CLAIMS)
