"""Tests for dlnotes.normalization: explicit loops, scikit-learn's StandardScaler, scipy, claims."""
import math
import statistics

import numpy as np
import pytest
from scipy.signal import correlate
from scipy.stats import norm as normal_dist
from sklearn.preprocessing import StandardScaler

from dlnotes.mlp import BatchNorm
from dlnotes.normalization import (KINDS, BatchNorm2d, batch_norm, bn_output_spread, conv_bias,
                                   conv_bn_eval, fold_bn_into_conv, group_norm, instance_norm,
                                   layer_norm, norm_by_kind, normalize, residual_stream_norms,
                                   rms_norm, running_mean_path, stat_groups)
from tests.claims import Claim, claims_test

EPS = 1e-5


@pytest.fixture
def x():
    return np.random.default_rng(0).normal(1.5, 3.0, size=(3, 4, 5, 2))


def loop_normalize(values, eps=EPS):
    """Mean and biased variance with plain Python sums, then normalise."""
    vals = [float(v) for v in values]
    mean = sum(vals) / len(vals)
    var = sum((v - mean) ** 2 for v in vals) / len(vals)
    return [(v - mean) / math.sqrt(var + eps) for v in vals]


# ------------------------------------------------------------ explicit loops

def test_batch_norm_matches_loops(x):
    N, C, H, W = x.shape
    ref = np.empty_like(x)
    for c in range(C):
        idx = [(n, c, h, w) for n in range(N) for h in range(H) for w in range(W)]
        for i, v in zip(idx, loop_normalize([x[i] for i in idx])):
            ref[i] = v
    assert np.allclose(batch_norm(x), ref, atol=1e-12)


def test_layer_norm_matches_loops(x):
    N = x.shape[0]
    ref = np.array([np.reshape(loop_normalize(x[n].ravel()), x.shape[1:]) for n in range(N)])
    assert np.allclose(layer_norm(x, ndim=3), ref, atol=1e-12)


def test_instance_norm_matches_loops(x):
    N, C = x.shape[:2]
    ref = np.empty_like(x)
    for n in range(N):
        for c in range(C):
            ref[n, c] = np.reshape(loop_normalize(x[n, c].ravel()), x.shape[2:])
    assert np.allclose(instance_norm(x), ref, atol=1e-12)


def test_group_norm_matches_loops(x):
    N, C = x.shape[:2]
    G = 2
    ref = np.empty_like(x)
    for n in range(N):
        for g in range(G):
            chans = range(g * C // G, (g + 1) * C // G)
            vals = loop_normalize([x[n, c, h, w] for c in chans for h in range(x.shape[2])
                                   for w in range(x.shape[3])])
            it = iter(vals)
            for c in chans:
                for h in range(x.shape[2]):
                    for w in range(x.shape[3]):
                        ref[n, c, h, w] = next(it)
    assert np.allclose(group_norm(x, G), ref, atol=1e-12)


def test_rms_norm_matches_loops():
    x = np.random.default_rng(1).normal(size=(3, 7))
    ref = [[v / math.sqrt(sum(u * u for u in row) / len(row) + 1e-6) for v in row] for row in x.tolist()]
    assert np.allclose(rms_norm(x), ref, atol=1e-12)


# ------------------------------------------------------------ scikit-learn's StandardScaler

def test_batch_norm_is_standard_scaler_per_channel(x):
    C = x.shape[1]
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
    ref = StandardScaler().fit_transform(rows).reshape(x.shape[0], x.shape[2], x.shape[3], C)
    assert np.allclose(batch_norm(x, eps=1e-14), ref.transpose(0, 3, 1, 2), atol=1e-9)


def test_layer_and_instance_norm_are_standard_scaler(x):
    N, C = x.shape[:2]
    ln = StandardScaler().fit_transform(x.reshape(N, -1).T).T.reshape(x.shape)
    assert np.allclose(layer_norm(x, eps=1e-14, ndim=3), ln, atol=1e-9)
    inn = StandardScaler().fit_transform(x.reshape(N * C, -1).T).T.reshape(x.shape)
    assert np.allclose(instance_norm(x, eps=1e-14), inn, atol=1e-9)


# ------------------------------------------------------------ identities between the layers

def test_group_norm_extremes_are_layer_and_instance_norm(x):
    assert np.allclose(group_norm(x, 1), layer_norm(x, ndim=3))
    assert np.allclose(group_norm(x, x.shape[1]), instance_norm(x))


def test_rms_norm_equals_layer_norm_on_centred_input():
    x = np.random.default_rng(2).normal(size=(4, 16))
    x -= x.mean(axis=1, keepdims=True)
    assert np.allclose(rms_norm(x, eps=EPS), layer_norm(x, eps=EPS))


def test_rms_norm_is_scale_invariant_not_shift_invariant():
    x = np.random.default_rng(3).normal(size=(2, 8))
    assert np.allclose(rms_norm(5.0 * x, eps=1e-12), rms_norm(x, eps=1e-12))
    assert not np.allclose(rms_norm(x + 3.0), rms_norm(x))
    assert np.allclose(layer_norm(x + 3.0, eps=1e-12), layer_norm(x, eps=1e-12))


def test_affine_parameters(x):
    C = x.shape[1]
    g, b = np.arange(1.0, C + 1), -np.arange(C, dtype=float)
    assert np.allclose(batch_norm(x, g, b), batch_norm(x) * g[None, :, None, None] + b[None, :, None, None])
    assert np.allclose(group_norm(x, 2, g, b), group_norm(x, 2) * g[None, :, None, None] + b[None, :, None, None])
    t = np.random.default_rng(4).normal(size=(2, 3, 6))
    gl, bl = np.linspace(0.5, 2, 6), np.linspace(-1, 1, 6)
    assert np.allclose(layer_norm(t, gl, bl), layer_norm(t) * gl + bl)
    assert np.allclose(rms_norm(t, gl), rms_norm(t) * gl)


def test_statistics_after_normalisation(x):
    for kind, axes in [("batch", (0, 2, 3)), ("layer", (1, 2, 3)), ("instance", (2, 3))]:
        y = norm_by_kind(x, kind, eps=1e-14)
        assert np.allclose(y.mean(axis=axes), 0, atol=1e-12)
        assert np.allclose(y.var(axis=axes), 1, atol=1e-9)


def test_stat_groups_match_the_computation(x):
    """Entries with the same label get the same mean removed: the figure shows the code."""
    for kind in KINDS:
        ids = stat_groups(x.shape, kind, num_groups=2)
        y = norm_by_kind(x, kind, num_groups=2, eps=1e-14)
        for label in np.unique(ids):
            sel = ids == label
            assert abs(y[sel].mean()) < 1e-10 and abs(y[sel].var() - 1) < 1e-8
    assert len(np.unique(stat_groups((3, 4, 5, 2), "batch"))) == 4
    assert len(np.unique(stat_groups((3, 4, 5, 2), "layer"))) == 3
    assert len(np.unique(stat_groups((3, 4, 5, 2), "instance"))) == 12
    assert len(np.unique(stat_groups((3, 4, 5, 2), "group", 2))) == 6


def test_layer_and_group_norm_do_not_depend_on_the_batch(x):
    assert np.allclose(layer_norm(x[:1], ndim=3), layer_norm(x, ndim=3)[:1])
    assert np.allclose(group_norm(x[:1], 2), group_norm(x, 2)[:1])
    assert not np.allclose(batch_norm(x[:2]), batch_norm(x)[:2])


# ------------------------------------------------------------ running statistics (PyTorch's conventions)

def test_batchnorm2d_running_statistics_by_hand():
    bn = BatchNorm2d(1)
    x = np.arange(8.0).reshape(2, 1, 2, 2)           # mean 3.5, biased var 5.25, unbiased 6
    y = bn.forward(x)
    assert np.allclose(y.ravel(), (np.arange(8) - 3.5) / np.sqrt(5.25 + EPS))
    assert np.allclose(bn.running_mean, [0.35])      # 0.9 * 0 + 0.1 * 3.5
    assert np.allclose(bn.running_var, [1.5])        # 0.9 * 1 + 0.1 * 6
    assert np.allclose(bn.forward(x, training=False).ravel(), (np.arange(8) - 0.35) / np.sqrt(1.5 + EPS))


def test_batchnorm2d_running_var_is_unbiased_over_n_h_w(x):
    bn = BatchNorm2d(x.shape[1], momentum=1.0)        # momentum 1: running = last batch
    bn.forward(x)
    for c in range(x.shape[1]):
        vals = x[:, c].ravel().tolist()
        assert math.isclose(bn.running_mean[c], statistics.fmean(vals), rel_tol=1e-12)
        assert math.isclose(bn.running_var[c], statistics.variance(vals), rel_tol=1e-12)   # n - 1


def test_batchnorm2d_training_equals_batch_norm_and_eval_is_affine(x):
    bn = BatchNorm2d(x.shape[1])
    assert np.allclose(bn.forward(x), batch_norm(x))
    y1 = bn.forward(x[:1], training=False)
    y_all = bn.forward(x, training=False)
    assert np.allclose(y1, y_all[:1])                  # eval: no dependence on batch-mates


def test_running_mean_closed_form():
    bn = BatchNorm(1, momentum=0.1)
    for t in range(1, 31):
        bn.forward(np.array([[1.0], [3.0]]))           # every batch has mean exactly 2
        assert math.isclose(bn.running_mean[0], 2 * (1 - 0.9**t), rel_tol=1e-12)


def test_running_mean_path_converges():
    path = running_mean_path(steps=200, true_mean=2.0, seed=0)
    assert abs(path[-50:].mean() - 2.0) < 0.05


# ------------------------------------------------------------ folding BN into the conv

def test_conv2d_matches_scipy():
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(3, 6, 7)), rng.normal(size=(2, 3, 3, 3))
    ref = np.stack([correlate(np.pad(x, ((0, 0), (1, 1), (1, 1))), w[k], mode="valid")[0] for k in range(2)])
    assert np.allclose(conv_bias(x, w, np.zeros(2)), ref)


def test_fold_gives_the_same_output():
    rng = np.random.default_rng(6)
    K, C = 5, 3
    w, b = rng.normal(size=(K, C, 3, 3)), rng.normal(size=K)
    gamma, beta = rng.normal(size=K), rng.normal(size=K)
    mu, var = rng.normal(size=K), rng.uniform(0.1, 3.0, size=K)
    x = rng.normal(size=(C, 9, 8))
    w2, b2 = fold_bn_into_conv(w, b, gamma, beta, mu, var)
    assert np.allclose(conv_bias(x, w2, b2), conv_bn_eval(x, w, b, gamma, beta, mu, var), atol=1e-12)
    w3, b3 = fold_bn_into_conv(w, None, gamma, beta, mu, var)          # conv without bias
    assert np.allclose(conv_bias(x, w3, b3), conv_bn_eval(x, w, np.zeros(K), gamma, beta, mu, var))


def test_fold_matches_batchnorm2d_in_eval_mode():
    """The folded conv equals conv followed by our BatchNorm2d after some training steps."""
    rng = np.random.default_rng(7)
    w, b = rng.normal(size=(4, 2, 3, 3)), rng.normal(size=4)
    bn = BatchNorm2d(4)
    bn.bn.params["gamma"], bn.bn.params["beta"] = rng.normal(size=4), rng.normal(size=4)
    for _ in range(5):
        batch = rng.normal(size=(3, 2, 6, 6))
        bn.forward(np.stack([conv_bias(img, w, b) for img in batch]))
    x = rng.normal(size=(2, 6, 6))
    ref = bn.forward(conv_bias(x, w, b)[None], training=False)[0]
    w2, b2 = fold_bn_into_conv(w, b, bn.bn.params["gamma"], bn.bn.params["beta"], bn.running_mean,
                               bn.running_var)
    assert np.allclose(conv_bias(x, w2, b2), ref, atol=1e-12)


# ------------------------------------------------------------ small batches, Pre-LN vs Post-LN

def test_bn_spread_at_batch_two_matches_the_closed_form():
    """With two rows BN outputs +-1 for each channel: std = sqrt(1 - (2 Phi(me) - 1)^2)."""
    C, trials = 8, 4000
    me = np.random.default_rng(0).normal(size=C)    # the same first draw as bn_output_spread
    expected = np.mean(np.sqrt(1 - (2 * normal_dist.cdf(me) - 1) ** 2))
    assert abs(bn_output_spread(2, trials=trials, channels=C, seed=0) - expected) < 0.02


def test_bn_spread_shrinks_with_batch_size():
    s = [bn_output_spread(m) for m in (2, 4, 8, 16, 32, 64)]
    assert all(a > b for a, b in zip(s, s[1:]))


def test_residual_stream_norms():
    post = residual_stream_norms(24, 64, "post")
    assert np.allclose(post, 1.0, atol=1e-4)
    pre_sq = np.mean([residual_stream_norms(24, 64, "pre", seed=s) ** 2 for s in range(40)], axis=0)
    layers = np.arange(1, 25)
    assert np.allclose(pre_sq, 1 + layers, rtol=0.12)   # E||x_l||^2 / d = 1 + l for a linear F


# ------------------------------------------------------------ bad input

@pytest.mark.parametrize("call, exc, words", [
    (lambda: batch_norm(np.ones((2, 3))), ValueError, "x must have 4"),
    (lambda: batch_norm("abc"), TypeError, "x must be a numeric"),
    (lambda: batch_norm(np.ones((2, 3, 2, 2)), eps=0.0), ValueError, "eps"),
    (lambda: batch_norm(np.ones((2, 3, 2, 2)), gamma=[1.0, 2.0]), ValueError, "gamma must have shape"),
    (lambda: group_norm(np.ones((2, 6, 2, 2)), 4), ValueError, "num_groups must divide"),
    (lambda: group_norm(np.ones((2, 6, 2, 2)), 0), ValueError, "num_groups"),
    (lambda: group_norm(np.ones((2, 6, 2, 2)), 2.0), TypeError, "num_groups"),
    (lambda: layer_norm(np.ones((2, 3)), ndim=3), ValueError, "ndim"),
    (lambda: layer_norm(np.ones((2, 3)), beta=np.ones(2)), ValueError, "beta must have shape"),
    (lambda: layer_norm([np.nan, 1.0]), ValueError, "x contains NaN"),
    (lambda: rms_norm(np.ones(3), eps=-1.0), ValueError, "eps"),
    (lambda: norm_by_kind(np.ones((2, 2, 2, 2)), "weight"), ValueError, "kind must be one of"),
    (lambda: stat_groups((2, 2), "batch"), TypeError, "shape must be a 4-tuple"),
    (lambda: BatchNorm2d(3).forward(np.ones((2, 4, 2, 2))), ValueError, "x must have 3 channels"),
    (lambda: BatchNorm2d(3, momentum=1.5), ValueError, "momentum"),
    (lambda: fold_bn_into_conv(np.ones((2, 1, 3, 3)), None, [1, 1], [0, 0], [0, 0], [1.0]),
     ValueError, "running_var must have shape"),
    (lambda: fold_bn_into_conv(np.ones((2, 1, 3, 3)), None, [1, 1], [0, 0], [0, 0], [1.0, -1.0]),
     ValueError, "non-negative"),
    (lambda: fold_bn_into_conv(np.ones((2, 3, 3)), None, [1, 1], [0, 0], [0, 0], [1, 1]),
     ValueError, "weight must have 4"),
    (lambda: bn_output_spread(1), ValueError, "batch_size"),
    (lambda: residual_stream_norms(placement="middle"), ValueError, "placement"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_normalize_generic_axes():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    assert np.allclose(normalize(x, 0, eps=0.0), [[-1, -1], [1, 1]])
    assert np.allclose(normalize(x, 1, eps=0.0), [[-1, 1], [-1, 1]])


# ------------------------------------------------------------ claims: every computed number on both pages

P = "training/normalization.md"


def _pre_ln(i):
    return np.mean([residual_stream_norms(24, 64, "pre", seed=s) for s in range(8)], axis=0)[i]


def _pre_ln_final():
    return _pre_ln(-1)


CLAIMS = [
    Claim(P, lambda: 0.9**10, "{:.3f}",
          en="after 10 steps 0.349 of the initial gap is left", zh="10 步之后初始差距还剩 0.349"),
    Claim(P, lambda: math.ceil(math.log(0.1) / math.log(0.9)), "{}",
          en="it takes about 22 steps to fall below a tenth", zh="大约要 22 步才降到十分之一以下"),
    Claim(P, lambda: 1 / 0.1, "{:.0f}",
          en="the running average remembers about \\(1/\\alpha = 10\\) batches",
          zh="滑动平均大约记住最近 \\(1/\\alpha = 10\\) 个批次"),
    Claim(P, lambda: 32 / 31, "{:.3f}",
          en="\\(n = 32\\) and the factor is 1.032", zh="\\(n = 32\\)，系数为 1.032"),
    Claim(P, lambda: 32 / 31, "{:.3f}",
          en="(1.032 for two \\(4\\times4\\) maps)", zh="（两张 \\(4\\times4\\) 特征图时为 1.032）"),
    Claim(P, lambda: 34.7 - 24.1, "{:.1f}",
          en="while GN stayed at 24.1%, 10.6 points lower", zh="GN 仍是 24.1%，低了 10.6 个百分点"),
    Claim(P, _pre_ln_final, "{:.2f}",
          en="the norm is 4.98 times \\(\\sqrt d\\) after 24 blocks in our random network",
          zh="24 个块之后范数是 \\(\\sqrt d\\) 的 4.98 倍"),
    Claim(P, lambda: bn_output_spread(2), "{:.2f}",
          en="With two examples per batch the spread of its output is 0.88",
          zh="每批两个样本时输出的波动为 0.88"),
    Claim(P, lambda: bn_output_spread(32), "{:.2f}",
          en="at batch size 32 still 0.20", zh="批大小 32 时仍有 0.20"),
    Claim(P, lambda: bn_output_spread(2), "{:.2f}",
          en="falling from 0.88 at batch size 2 to 0.14 at 64", zh="从批大小 2 时的 0.88 降到 64 时的 0.14"),
    Claim(P, lambda: bn_output_spread(64), "{:.2f}",
          en="falling from 0.88 at batch size 2 to 0.14 at 64", zh="从批大小 2 时的 0.88 降到 64 时的 0.14"),
    Claim(P, lambda: 0.1 * 3.5, "{:.2f}",
          en="eval: (x - 0.35) / sqrt(1.5 + 1e-5)", zh="eval: (x - 0.35) / sqrt(1.5 + 1e-5)"),
    Claim(P, lambda: 0.9 * 1 + 0.1 * np.var(np.arange(8.0), ddof=1), "{:.1f}",
          en="eval: (x - 0.35) / sqrt(1.5 + 1e-5)", zh="eval: (x - 0.35) / sqrt(1.5 + 1e-5)"),
    Claim(P, lambda: math.sqrt(12.5), "{:.4f}",
          en="RMS = 3.5355; mean 3.5, std 0.5", zh="RMS = 3.5355; mean 3.5, std 0.5"),
    Claim(P, lambda: np.var(np.arange(8.0)), "{:.2f}",
          en="mean 3.5, biased var 5.25, unbiased var 6", zh="mean 3.5, biased var 5.25, unbiased var 6"),
]
CLAIMS += [
    Claim(P, lambda: _pre_ln(0), "{:.1f}",
          en="Pre-LN grows from about 1.4 to about 5", zh="Pre-LN 从约 1.4 增长到约 5"),
    Claim(P, _pre_ln_final, "{:.0f}",
          en="Pre-LN grows from about 1.4 to about 5", zh="Pre-LN 从约 1.4 增长到约 5"),
]
test_claims = claims_test(CLAIMS)
