"""Tests for dlnotes.softmax and the numbers the large-softmax / CE-vs-MSE page states."""
import functools

import numpy as np
import pytest

from dlnotes.losses import cross_entropy, softmax
from dlnotes.softmax import (full_softmax_grad, human_bytes, logistic_unit_loss, logit_gradient,
                             many_class_data, output_layer_cost, sampled_softmax_grad,
                             softmax_logit_gradient, train_linear_softmax, train_logistic_unit)
from scripts.figures.softmax import landscape_data, run_experiment
from tests.gradcheck import numeric_grad
from tests.claims import Claim, claims_test

RNG = np.random.default_rng(1)


def test_output_layer_cost_counts():
    c = output_layer_cost(100_000, 512, 256)
    assert c["params"] == 512 * 100_000 + 100_000
    assert c["weight_bytes"] == 4 * c["params"]
    assert c["train_state_bytes"] == 4 * c["weight_bytes"]            # w, grad, Adam m and v
    assert output_layer_cost(100_000, 512, 256, optimizer="sgd")["train_state_bytes"] == 2 * c["weight_bytes"]
    assert c["logits_bytes"] == 256 * 100_000 * 4                       # the logits alone
    assert c["logits_and_grad_bytes"] == 2 * c["logits_bytes"]           # plus p - onehot, same shape
    assert c["forward_macs"] == 256 * 512 * 100_000                      # one multiply-add per (b, k, c)
    assert c["matmul_flops"] == 3 * 2 * c["forward_macs"]                # forward + two backward matmuls


def test_forward_macs_count_the_matmul():
    # Independent count: z = X @ W does one multiply and one add per (row, feature, class).
    B, d, C = 3, 5, 7
    X, W = np.ones((B, d)), np.ones((d, C))
    assert (X @ W).sum() == output_layer_cost(C, d, B)["forward_macs"]
    # The backward pass is two matmuls of the same size: dW = X^T G and dX = G W^T.
    G = np.ones((B, C))
    assert (X.T @ G).sum() + (G @ W.T).sum() == 2 * output_layer_cost(C, d, B)["forward_macs"]
    assert output_layer_cost(10, 4, 2, bytes_per_float=2)["weight_bytes"] == 2 * 50


def test_human_bytes():
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(12) == "12 B"
    assert human_bytes(3 * 1024**3) == "3.0 GiB"


def test_full_softmax_grad_matches_finite_differences():
    X, y = RNG.normal(size=(5, 3)), np.array([0, 3, 1, 1, 2])
    W, b = RNG.normal(size=(3, 4)), RNG.normal(size=4)
    gW, gb = full_softmax_grad(W, b, X, y)
    assert np.allclose(gW, numeric_grad(lambda w: cross_entropy(X @ w + b, y), W), atol=1e-7)
    assert np.allclose(gb, numeric_grad(lambda v: cross_entropy(X @ W + v, y), b), atol=1e-7)


def test_sampled_softmax_grad_is_the_full_grad_of_the_candidate_softmax():
    X, y = RNG.normal(size=(6, 3)), np.array([0, 7, 7, 2, 9, 4])
    W, b = RNG.normal(size=(3, 12)), RNG.normal(size=12)
    gW, gb, cand = sampled_softmax_grad(W, b, X, y, 3, np.random.default_rng(0))
    assert set(y) <= set(cand.tolist()) and len(cand) <= 6 + 3
    pos = np.searchsorted(cand, y)
    f = lambda w: cross_entropy(X @ w + b[cand], pos)
    assert np.allclose(gW, numeric_grad(f, W[:, cand]), atol=1e-7)
    # sampling every class gives exactly the full softmax gradient
    gW_all, gb_all, cand_all = sampled_softmax_grad(W, b, X, y, 12, np.random.default_rng(0))
    assert np.array_equal(cand_all, np.arange(12))
    assert np.allclose(gW_all, full_softmax_grad(W, b, X, y)[0])


def test_many_class_data_shapes_and_seed():
    X, y, Xt, yt = many_class_data(50, 8, per_class=3, test_per_class=2, seed=3)
    assert X.shape == (150, 8) and Xt.shape == (100, 8)
    assert np.array_equal(np.bincount(y), np.full(50, 3))
    assert np.array_equal(many_class_data(50, 8, seed=3)[0], many_class_data(50, 8, seed=3)[0])


def test_training_is_seeded_and_learns():
    X, y, Xt, yt = many_class_data(200, 16, per_class=5, test_per_class=2, noise=0.5, seed=0)
    kw = dict(epochs=4, batch=50, lr=1.0, seed=0)
    a = train_linear_softmax(X, y, Xt, yt, 200, method="sampled", num_sampled=20, **kw)
    b = train_linear_softmax(X, y, Xt, yt, 200, method="sampled", num_sampled=20, **kw)
    assert a["acc_history"] == b["acc_history"] and a["macs_history"] == b["macs_history"]
    full = train_linear_softmax(X, y, Xt, yt, 200, method="full", **kw)
    assert full["acc"] > 0.8 and a["acc"] > 0.5                           # chance is 0.005
    assert full["macs_history"][-1] == 4 * 1000 * 16 * 200
    assert a["macs_history"][-1] < full["macs_history"][-1] / 2
    assert a["seconds_per_step"] > 0


def test_logit_gradients():
    p = np.array([0.01, 0.5, 0.99])
    assert np.allclose(logit_gradient(p, 1.0, "ce"), p - 1)
    assert np.allclose(logit_gradient(p, 1.0, "mse"), (p - 1) * p * (1 - p))
    z, label = RNG.normal(size=6), 2
    onehot = np.eye(6)[label]
    ce = lambda v: cross_entropy(v[None], [label])
    mse = lambda v: 0.5 * ((softmax(v) - onehot) ** 2).sum()
    assert np.allclose(softmax_logit_gradient(z, label, "ce"), numeric_grad(ce, z), atol=1e-7)
    assert np.allclose(softmax_logit_gradient(z, label, "mse"), numeric_grad(mse, z), atol=1e-7)


def test_logistic_landscape_convexity():
    x, y = landscape_data()
    w = np.linspace(-12, 12, 2401)
    ce, mse = logistic_unit_loss(w, x, y, "ce"), logistic_unit_loss(w, x, y, "mse")
    assert np.diff(ce, 2).min() > -1e-12                                  # convex
    assert np.diff(mse, 2).min() < -1e-7                                  # not convex
    # sigmoid-MSE gradient by finite differences at a few w
    for w0 in (-3.0, 0.5, 4.0):
        num = (logistic_unit_loss(w0 + 1e-6, x, y, "mse") - logistic_unit_loss(w0 - 1e-6, x, y, "mse")) / 2e-6
        p = 1 / (1 + np.exp(-w0 * x))
        assert num == pytest.approx(np.mean((p - y) * p * (1 - p) * x), rel=1e-5)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: output_layer_cost(1, 512, 256), ValueError, "num_classes must be in"),
    (lambda: output_layer_cost(10, 512.0, 256), TypeError, "dim must be an integer"),
    (lambda: output_layer_cost(10, 512, 256, optimizer="lion"), ValueError, "optimizer must be one of"),
    (lambda: human_bytes(-1), ValueError, "n must be in"),
    (lambda: many_class_data(10, 4, noise=-1), ValueError, "noise must be in"),
    (lambda: train_linear_softmax(np.ones((4, 2)), [0, 1, 2, 3], np.ones((2, 2)), [0, 1], 3),
     ValueError, r"y must hold integer class labels in \[0, 3\)"),
    (lambda: train_linear_softmax(np.ones((4, 2)), [0, 1, 1, 0], np.ones((2, 3)), [0, 1], 3),
     ValueError, "same number of features"),
    (lambda: train_linear_softmax(np.ones((4, 2)), [0, 1, 1, 0], np.ones((2, 2)), [0, 1], 3, method="nce"),
     ValueError, "method must be one of"),
    (lambda: logit_gradient([1.2], 1.0), ValueError, "p must be in"),
    (lambda: logit_gradient([0.2], 1.0, "hinge"), ValueError, "loss must be one of"),
    (lambda: softmax_logit_gradient([0.0, 1.0], 2), ValueError, "label must be in"),
    (lambda: logistic_unit_loss(1.0, [1.0, 2.0], [1.0]), ValueError, "y must be 0/1"),
    (lambda: train_logistic_unit([1.0], [1.0], w0=0.0, steps=0), ValueError, "steps must be in"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def _cost(key, C, d, B, fmt=human_bytes):
    return lambda: fmt(output_layer_cost(C, d, B)[key])


def _steps_to_cross_zero(loss):
    x, y = landscape_data()
    return int(np.argmax(train_logistic_unit(x, y, -8.0, loss, 1.0, 2000) > 0))


def _acc(method, s):
    return lambda: run_experiment()[(method, s)]["acc"]


def _mac_ratio(s):
    def ratio():
        runs = run_experiment()
        return runs[("full", 0)]["macs_history"][-1] / runs[("sampled", s)]["macs_history"][-1]
    return ratio


@functools.lru_cache(maxsize=1)
def _long_sampled():
    from scripts.figures.softmax import EXPERIMENT, SEED
    X, y, Xt, yt = many_class_data(**EXPERIMENT)
    return train_linear_softmax(X, y, Xt, yt, EXPERIMENT["num_classes"], method="sampled", num_sampled=32,
                                epochs=30, batch=100, lr=1.0, seed=SEED)


PAGE = "training/softmax-large-scale.md"
CLAIMS = [
    Claim(PAGE, lambda: output_layer_cost(100_000, 512, 256)["params"] / 1e6, "{:.1f}",
          en="the last layer alone has 51.3 million parameters", zh="仅最后一层就有 51.3 M 个参数"),
    Claim(PAGE, _cost("train_state_bytes", 100_000, 512, 256), "{}",
          en="782.8 MiB of training state", zh="782.8 MiB 的训练状态"),
    Claim(PAGE, _cost("logits_and_grad_bytes", 100_000, 512, 256), "{}",
          en="195.3 MiB of logits and their gradient per batch of 256", zh="批大小为 256 时，logits 及其梯度每批占 195.3 MiB"),
    Claim(PAGE, _cost("train_state_bytes", 1_000_000, 512, 256), "{}",
          en="a million identities need 7.6 GiB", zh="一百万个身份需要 7.6 GiB"),
    Claim(PAGE, _cost("logits_bytes", 128_000, 4096, 8192), "{}",
          en="the logits of 8 192 tokens take 3.9 GiB in float32", zh="8192 个 token 的 logits 用 float32 存就要 3.9 GiB"),
    Claim(PAGE, _cost("logits_and_grad_bytes", 128_000, 4096, 8192), "{}",
          en="and 7.8 GiB together with their gradient", zh="连同梯度是 7.8 GiB"),
    Claim(PAGE, lambda: float(abs(logit_gradient(np.array(0.01), 1.0, "mse"))), "{:.4f}",
          en="MSE gives 0.0098", zh="MSE 只有 0.0098"),
    Claim(PAGE, lambda: _steps_to_cross_zero("ce"), "{}",
          en="cross-entropy reaches \\(w > 0\\) in 13 steps", zh="交叉熵 13 步就到了 \\(w > 0\\)"),
    Claim(PAGE, lambda: _steps_to_cross_zero("mse"), "{}",
          en="MSE needs 489", zh="MSE 需要 489 步"),
    Claim(PAGE, _acc("full", 0), "{:.2f}",
          en="the full softmax reaches 0.73 test accuracy", zh="完整 softmax 的测试准确率为 0.73"),
    Claim(PAGE, _acc("sampled", 32), "{:.2f}",
          en="with 32 sampled negatives 0.64", zh="32 个负样本时为 0.64"),
    Claim(PAGE, _acc("sampled", 512), "{:.2f}",
          en="with 512, 0.67", zh="512 个时为 0.67"),
    Claim(PAGE, lambda: _long_sampled()["acc"], "{:.2f}",
          en="Given 30 epochs, the version with 32 negatives reaches 0.73 as well",
          zh="训练 30 个 epoch 后，32 个负样本的版本也达到 0.73"),
    Claim(PAGE, lambda: run_experiment()[("full", 0)]["macs_history"][-1] / _long_sampled()["macs_history"][-1],
          "{:.1f}", en="still with 3.1 times fewer multiply-adds than the full softmax's 6 epochs",
          zh="乘加次数仍只有完整 softmax 训练 6 个 epoch 的约 1/3（后者是前者的 3.1 倍）"),
    Claim(PAGE, _mac_ratio(32), "{:.0f}",
          en="16 times fewer output-layer multiply-adds", zh="输出层乘加次数只有完整 softmax 的约 1/16"),
    # the figure's alt text: full / sampled output-layer multiply-adds, 512 and 32 negatives
    Claim(PAGE, _mac_ratio(512), "{:.0f}",
          en="the sampled runs use about 3 to 16 times less output-layer compute",
          zh="采样方法的输出层计算量只有完整 softmax 的约 1/16 到 1/3"),
    Claim(PAGE, _mac_ratio(32), "{:.0f}",
          en="the sampled runs use about 3 to 16 times less output-layer compute",
          zh="采样方法的输出层计算量只有完整 softmax 的约 1/16 到 1/3"),
]
test_claims = claims_test(CLAIMS)
