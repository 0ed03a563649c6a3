"""Tests for dlnotes.attention: explicit loops, scipy, invariances, masks, RoPE, costs, claims."""
import math

import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

from dlnotes.attention import (attention_macs, causal_mask, decode_with_kv_cache, init_block,
                               kv_cache_bytes, layer_norm, llama_params, mha_params,
                               multi_head_attention, padding_mask, rope, scaled_dot_product_attention,
                               score_memory_bytes, sinusoidal_positions, softmax, softmax_saturation,
                               transformer_block)
from tests.claims import Claim, claims_test

RNG = np.random.default_rng(7)


def loop_attention(q, k, v, allowed=None, scale=None):
    """Scaled dot-product attention with plain Python loops and math.exp (one query at a time)."""
    n_q, d_k = len(q), len(q[0])
    scale = 1 / math.sqrt(d_k) if scale is None else scale
    out = []
    for i in range(n_q):
        js = [j for j in range(len(k)) if allowed is None or allowed[i][j]]
        s = {j: sum(q[i][c] * k[j][c] for c in range(d_k)) * scale for j in js}
        top = max(s.values())
        e = {j: math.exp(s[j] - top) for j in js}
        z = sum(e.values())
        out.append([sum(e[j] / z * v[j][c] for j in js) for c in range(len(v[0]))])
    return np.array(out)


def loop_mha(x, p, h, allowed=None):
    """Multi-head attention head by head, each head with the loop reference."""
    n, d = x.shape
    dh = d // h
    q, k, v = (x @ p[f"W{c}"] + p[f"b{c}"] for c in "qkv")
    heads = [loop_attention(q[:, i * dh:(i + 1) * dh].tolist(), k[:, i * dh:(i + 1) * dh].tolist(),
                            v[:, i * dh:(i + 1) * dh].tolist(), allowed) for i in range(h)]
    return np.concatenate(heads, axis=1) @ p["Wo"] + p["bo"]


# ------------------------------------------------------------ against independent computations

def test_sdpa_matches_explicit_loops():
    q, k, v = RNG.normal(size=(5, 8)), RNG.normal(size=(7, 8)), RNG.normal(size=(7, 3))
    out, w = scaled_dot_product_attention(q, k, v)
    assert np.allclose(out, loop_attention(q.tolist(), k.tolist(), v.tolist()))
    assert np.allclose(w, scipy_softmax(q @ k.T / math.sqrt(8), axis=1))
    assert np.allclose(w.sum(axis=-1), 1.0)


def test_sdpa_with_mask_and_custom_scale_matches_loops():
    q, k, v = RNG.normal(size=(4, 6)), RNG.normal(size=(4, 6)), RNG.normal(size=(4, 2))
    allowed = causal_mask(4)
    out, _ = scaled_dot_product_attention(q, k, v, allowed, scale=0.3)
    assert np.allclose(out, loop_attention(q.tolist(), k.tolist(), v.tolist(), allowed.tolist(), 0.3))


def test_sdpa_two_keys_by_hand():
    # scores 0 and 2 / sqrt(4) = 1: weights 1/(1+e), e/(1+e)
    out, w = scaled_dot_product_attention([[1.0, 1.0, 0.0, 0.0]], [[0, 0, 0, 0], [1.0, 1.0, 0, 0]],
                                          [[1.0], [0.0]])
    assert np.allclose(w, [[1 / (1 + math.e), math.e / (1 + math.e)]])
    assert np.allclose(out, [[1 / (1 + math.e)]])


def test_mha_matches_head_by_head_loops():
    x, p = RNG.normal(size=(5, 12)), init_block(12, seed=3)
    p["bq"] = RNG.normal(size=12)                 # non-zero biases are used too
    assert np.allclose(multi_head_attention(x, p, 3), loop_mha(x, p, 3))
    assert np.allclose(multi_head_attention(x, p, 3, mask=causal_mask(5)),
                       loop_mha(x, p, 3, causal_mask(5).tolist()))


def test_one_head_is_plain_attention():
    x, p = RNG.normal(size=(4, 6)), init_block(6, seed=1)
    out, _ = scaled_dot_product_attention(x @ p["Wq"], x @ p["Wk"], x @ p["Wv"])
    assert np.allclose(multi_head_attention(x, p, 1), out @ p["Wo"])


def test_softmax_is_stable_and_matches_scipy():
    z = np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]])
    assert np.allclose(softmax(z), scipy_softmax(z, axis=-1))


def test_layer_norm_against_manual():
    x = np.array([[1.0, 2.0, 3.0, 6.0]])
    ref = (x - 3.0) / math.sqrt(3.5 + 1e-5)
    assert np.allclose(layer_norm(x, np.ones(4), np.zeros(4)), ref)


# ------------------------------------------------------------ masks

def test_causal_mask_gives_future_positions_exactly_zero_weight():
    q, k, v = RNG.normal(size=(6, 4)), RNG.normal(size=(6, 4)), RNG.normal(size=(6, 4))
    _, w = scaled_dot_product_attention(q, k, v, causal_mask(6))
    assert np.all(w[np.triu_indices(6, 1)] == 0.0)
    assert np.allclose(w.sum(axis=1), 1.0)
    assert w[0, 0] == 1.0                          # the first token can only see itself


def test_causal_block_ignores_the_future():
    x, p = RNG.normal(size=(7, 8)), init_block(8, seed=2)
    y = transformer_block(x, p, 2, mask=causal_mask(7))
    x2 = x.copy()
    x2[4:] = RNG.normal(size=(3, 8))               # change tokens 4, 5, 6
    y2 = transformer_block(x2, p, 2, mask=causal_mask(7))
    assert np.allclose(y[:4], y2[:4]) and not np.allclose(y[4:], y2[4:])


def test_padding_mask_shape_and_effect():
    m = padding_mask([3, 5], 5)
    assert m.shape == (2, 1, 5)
    assert m[0, 0].tolist() == [True, True, True, False, False]
    x, p = RNG.normal(size=(2, 5, 8)), init_block(8, seed=4)
    y = multi_head_attention(x, p, 2, mask=m)
    x2 = x.copy()
    x2[0, 3:] = 100.0                              # garbage in the padded slots of sequence 0
    y2 = multi_head_attention(x2, p, 2, mask=m)
    assert np.allclose(y[0, :3], y2[0, :3]) and np.allclose(y[1], y2[1])
    # the batched call agrees with sequence 0 cut to its length
    assert np.allclose(y[0, :3], multi_head_attention(x[0, :3], p, 2))


def test_causal_and_padding_masks_combine():
    m = causal_mask(4)[None] & padding_mask([2], 4)             # (1, 4, 4)
    q = k = v = RNG.normal(size=(1, 4, 3))
    _, w = scaled_dot_product_attention(q, k, v, m)
    assert np.all(w[0, :, 2:] == 0.0) and np.all(w[0, 0, 1:] == 0.0)


# ------------------------------------------------------------ invariances

def test_permutation_equivariance_without_positions():
    x, p = RNG.normal(size=(6, 8)), init_block(8, seed=5)
    perm = RNG.permutation(6)
    for norm in ("pre", "post"):
        assert np.allclose(transformer_block(x[perm], p, 2, norm=norm), transformer_block(x, p, 2, norm=norm)[perm])
    assert np.allclose(multi_head_attention(x[perm], p, 2), multi_head_attention(x, p, 2)[perm])


def test_positions_break_permutation_equivariance():
    x, p = RNG.normal(size=(6, 8)), init_block(8, seed=5)
    perm = np.array([1, 0, 2, 3, 4, 5])
    with_pe = lambda t: transformer_block(t + sinusoidal_positions(6, 8), p, 2)
    assert not np.allclose(with_pe(x[perm]), with_pe(x)[perm])
    assert not np.allclose(transformer_block(x[perm], p, 2, use_rope=True),
                           transformer_block(x, p, 2, use_rope=True)[perm])


# ------------------------------------------------------------ positions

def test_rope_scores_depend_only_on_relative_offset():
    d = 16
    q, k = RNG.normal(size=d), RNG.normal(size=d)
    score = lambda m, n: rope(q[None], [m])[0] @ rope(k[None], [n])[0]
    for delta in (0, 1, 5, -3, 40):
        vals = [score(m, m - delta) for m in (0, 7, 100, 1234)]
        assert np.allclose(vals, vals[0])
    assert not np.isclose(score(10, 9), score(10, 7))            # but it does depend on the offset


def test_rope_is_a_rotation_matrix():
    # block-diagonal rotation R(m): orthogonal, det 1, R(m)^T R(n) = R(n - m)
    d, base = 6, 10000.0
    R = lambda m: rope(np.eye(d), [m] * d).T                      # columns: images of e_j
    for m in (0, 3, 17):
        assert np.allclose(R(m).T @ R(m), np.eye(d)) and np.isclose(np.linalg.det(R(m)), 1.0)
    assert np.allclose(R(5).T @ R(12), R(7))
    theta = base ** (-np.arange(0, d, 2) / d)
    c, s = math.cos(3 * theta[1]), math.sin(3 * theta[1])
    assert np.allclose(R(3)[2:4, 2:4], [[c, -s], [s, c]])
    assert np.allclose(rope(np.ones((1, 4)), [0]), 1.0)          # position 0: identity


def test_rope_matches_complex_multiplication():
    # RoFormer's complex form: (x_2i + i x_2i+1) * exp(i m theta_i)
    d, m = 8, 11
    x = RNG.normal(size=d)
    theta = 10000.0 ** (-np.arange(0, d, 2) / d)
    z = (x[0::2] + 1j * x[1::2]) * np.exp(1j * m * theta)
    got = rope(x[None], [m])[0]
    assert np.allclose(got[0::2], z.real) and np.allclose(got[1::2], z.imag)


def test_sinusoidal_table_values_and_relative_shift():
    pe = sinusoidal_positions(50, 8)
    assert np.allclose(pe[0], [0, 1] * 4)
    assert np.isclose(pe[3, 2], math.sin(3 / 10000 ** (2 / 8)))
    assert np.isclose(pe[3, 3], math.cos(3 / 10000 ** (2 / 8)))
    # PE(pos + k) is a fixed linear map (a rotation per pair) of PE(pos), the same for every pos
    k = 4
    M = np.linalg.lstsq(pe[:40], pe[k:40 + k], rcond=None)[0]
    assert np.allclose(pe[:40] @ M, pe[k:40 + k], atol=1e-9)
    assert np.allclose(pe[40:46] @ M, pe[40 + k:46 + k], atol=1e-9)


# ------------------------------------------------------------ the KV cache

@pytest.mark.parametrize("use_rope", [False, True])
def test_kv_cache_decoding_equals_full_causal_attention(use_rope):
    x, p = RNG.normal(size=(9, 12)), init_block(12, seed=6)
    full = multi_head_attention(x, p, 3, mask=causal_mask(9), use_rope=use_rope)
    assert np.allclose(decode_with_kv_cache(x, p, 3, use_rope=use_rope), full)


# ------------------------------------------------------------ scaling by 1/sqrt(d_k)

@pytest.mark.parametrize("d_k", [4, 64, 512])
def test_dot_product_variance_is_d_k(d_k):
    rng = np.random.default_rng(d_k)
    q, k = rng.standard_normal((20_000, d_k)), rng.standard_normal((20_000, d_k))
    s = np.einsum("ij,ij->i", q, k)
    assert s.mean() == pytest.approx(0.0, abs=0.02 * math.sqrt(d_k))
    assert s.var() == pytest.approx(d_k, rel=0.05)
    assert (s / math.sqrt(d_k)).var() == pytest.approx(1.0, rel=0.05)


def test_unscaled_softmax_saturates_scaled_does_not():
    un = [softmax_saturation(d, scaled=False) for d in (4, 64, 1024)]
    sc = [softmax_saturation(d) for d in (4, 64, 1024)]
    assert un[0]["max_weight"] < un[1]["max_weight"] < un[2]["max_weight"]
    assert un[2]["entropy"] < 0.1 < 2.3 < min(s["entropy"] for s in sc)
    assert max(s["max_weight"] for s in sc) - min(s["max_weight"] for s in sc) < 0.02
    assert un[2]["jacobian_norm"] < 0.2 * sc[2]["jacobian_norm"]
    assert [s["score_std"] for s in un] == pytest.approx([2, 8, 32], rel=0.03)


def test_jacobian_formula_matches_finite_differences():
    z = RNG.normal(size=5)
    w = softmax(z)
    J = np.diag(w) - np.outer(w, w)
    eps = 1e-6
    num = np.array([(softmax(z + eps * e) - softmax(z - eps * e)) / (2 * eps) for e in np.eye(5)]).T
    assert np.allclose(J, num, atol=1e-8)


# ------------------------------------------------------------ parameter and cost counts

def test_mha_params_match_init_block():
    p = init_block(20, seed=0)
    counted = sum(p[k].size for k in p if k[0] in "Wb" and k[1] in "qkvo")
    assert mha_params(20) == counted == 4 * 20 * 20 + 4 * 20
    assert mha_params(20, bias=False) == 1600


def test_attention_macs_by_counting_matmuls():
    n, d, h = 6, 8, 2
    macs = attention_macs(n, d)
    # (n x d)(d x d) four times; per head (n x d/h)(d/h x n) and (n x n)(n x d/h)
    assert macs["projections"] == 4 * (n * d * d)
    assert macs["scores"] == h * (n * (d // h) * n)
    assert macs["weighted_sum"] == h * (n * n * (d // h))


def test_kv_cache_bytes():
    assert kv_cache_bytes(32, 4096) == 2 * 32 * 4096 * 2 == 512 * 1024
    assert kv_cache_bytes(32, 4096, n_tokens=4096) == 2 * 1024**3
    assert kv_cache_bytes(80, 8192, n_heads=64, n_kv_heads=8) == 2 * 80 * 8 * 128 * 2
    assert kv_cache_bytes(80, 8192, n_heads=64, n_kv_heads=64) == kv_cache_bytes(80, 8192)
    assert kv_cache_bytes(80, 8192, n_heads=64, n_kv_heads=1) * 64 == kv_cache_bytes(80, 8192)


def test_kv_cache_bytes_equals_the_arrays_decoding_keeps():
    # count the cache the decoder builds: per layer, one K and one V of d values per token
    n, d, L = 5, 12, 3
    per_layer = 2 * n * d
    assert kv_cache_bytes(L, d, n_tokens=n, bytes_per_value=2) == L * per_layer * 2


def test_llama_params_known_sizes():
    assert llama_params(4096, 32, 11008, 32000) == 6_738_415_616           # "7B"
    assert llama_params(8192, 80, 28672, 32000, 64, 8) == 68_976_648_192   # "70B"


# ------------------------------------------------------------ bad input

X = np.ones((3, 4))


@pytest.mark.parametrize("call, exc, words", [
    (lambda: scaled_dot_product_attention(X, np.ones((3, 5)), X), ValueError, "same last dimension d_k"),
    (lambda: scaled_dot_product_attention(X, X, np.ones((2, 4))), ValueError, "k and v must have the same"),
    (lambda: scaled_dot_product_attention("q", X, X), TypeError, "q must be a numeric array"),
    (lambda: scaled_dot_product_attention(np.ones(4), X, X), ValueError, "q must have at least 2"),
    (lambda: scaled_dot_product_attention(X, X, [[np.nan] * 4] * 3), ValueError, "v contains NaN"),
    (lambda: scaled_dot_product_attention(X, X, X, mask=np.ones((3, 3))), TypeError, "mask must be a boolean"),
    (lambda: scaled_dot_product_attention(X, X, X, mask=np.ones((2, 2), bool)), ValueError, "does not broadcast"),
    (lambda: scaled_dot_product_attention(X, X, X, mask=np.zeros((3, 3), bool)), ValueError, "no key to attend"),
    (lambda: scaled_dot_product_attention(X, X, X, scale=-1.0), ValueError, "scale must be in"),
    (lambda: causal_mask(0), ValueError, "n must be in"),
    (lambda: padding_mask([0, 2], 3), ValueError, "lengths must be in"),
    (lambda: padding_mask([1.5], 3), TypeError, "lengths must be a 1-d array of integers"),
    (lambda: multi_head_attention(X, init_block(4), 3), ValueError, "n_heads must divide"),
    (lambda: multi_head_attention(X, init_block(4), 0), ValueError, "n_heads must be in"),
    (lambda: transformer_block(X, init_block(4), 2, norm="sandwich"), ValueError, "norm must be one of"),
    (lambda: rope(np.ones((2, 3)), [0, 1]), ValueError, "must be even"),
    (lambda: rope(X, [0, 1]), ValueError, "positions must have one entry per token"),
    (lambda: rope(X, [0, 1, 2], base=1.0), ValueError, "base must be in"),
    (lambda: sinusoidal_positions(4, 5), ValueError, "d must be even"),
    (lambda: decode_with_kv_cache(np.ones((2, 3, 4)), init_block(4), 2), ValueError, "x must have 2"),
    (lambda: mha_params(0), ValueError, "d must be in"),
    (lambda: attention_macs(1.5, 4), TypeError, "n must be an integer"),
    (lambda: kv_cache_bytes(32, 4096, n_heads=32, n_kv_heads=5), ValueError, "n_kv_heads must divide"),
    (lambda: kv_cache_bytes(32, 4096, n_heads=32, n_kv_heads=64), ValueError, "n_kv_heads must be in"),
    (lambda: kv_cache_bytes(0, 4096), ValueError, "n_layers must be in"),
    (lambda: softmax_saturation(64, n_keys=1), ValueError, "n_keys must be in"),
    (lambda: init_block(8, seed=-1), TypeError, "seed must be"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# ------------------------------------------------------------ numbers stated on the page

def _sat(d_k, scaled, key):
    from scripts.figures.attention import SAT_KEYS
    return softmax_saturation(d_k, SAT_KEYS, scaled=scaled)[key]


def _thin(x):
    """12345 -> '12\\,345' (a thin space in TeX, as the page writes it)."""
    return f"{int(x):,}".replace(",", "\\,")


def _crossover(d):
    """The largest n at which the quadratic terms do not yet exceed the projections."""
    macs = lambda n: attention_macs(n, d)
    n = 1
    while macs(n)["scores"] + macs(n)["weighted_sum"] <= macs(n)["projections"]:
        n += 1
    return n - 1


LLAMA2_7B = dict(n_layers=32, d_model=4096)           # LLaMA Table 2; Llama 2 keeps the architecture
LLAMA2_70B = dict(n_layers=80, d_model=8192, n_heads=64, n_kv_heads=8)   # released config.json
GiB, MiB, KiB = 2**30, 2**20, 2**10


def test_saturation_figure_alt_text():
    # "the largest weight rises from 0.2 to 0.96 ... entropy falls from 2.4 to 0.09 ... Jacobian falls to 0.05"
    assert f"{_sat(1, False, 'max_weight'):.1f}" == "0.2" and f"{_sat(1024, False, 'max_weight'):.2f}" == "0.96"
    assert f"{_sat(1, False, 'entropy'):.1f}" == "2.4" and f"{_sat(1024, False, 'entropy'):.2f}" == "0.09"
    assert f"{_sat(1024, False, 'jacobian_norm'):.2f}" == "0.05"
    from scripts.figures.attention import SAT_DKS
    for d in SAT_DKS:
        assert abs(_sat(d, True, "max_weight") - 0.25) < 0.05
        assert abs(_sat(d, True, "entropy") - 2.36) < 0.1
        assert abs(_sat(d, True, "jacobian_norm") - 0.3) < 0.025


def test_mask_figure_facts():
    from scripts.figures.attention import TOKENS, heatmap_weights
    full, causal, both = heatmap_weights()
    assert np.all(full > 0)
    assert np.allclose(full[0], full[4]) and np.allclose(full[:, 0], full[:, 4])   # the two "the"
    assert np.all(causal[np.triu_indices(len(TOKENS), 1)] == 0.0)
    assert np.all(both[:, 6:] == 0.0) and causal[7, 6] > 0


def test_rope_figure_facts():
    from scripts.figures.attention import ROPE_QUERIES, rope_scores
    matrix, curves = rope_scores()
    n = len(matrix)
    for off in range(-n + 1, n):
        assert np.allclose(np.diagonal(matrix, off), np.diagonal(matrix, off)[0])
    a, b = ROPE_QUERIES
    assert np.allclose(curves[a]["rope"], curves[b]["rope"])
    assert not np.allclose(curves[a]["additive"], curves[b]["additive"], atol=0.5)


P = "architectures/attention-transformer.md"
CLAIMS = [
    Claim(P, lambda: math.sqrt(64), "{:.0f}",
          en="the scores have standard deviation 8", zh="分数的标准差就是 8"),
    Claim(P, lambda: _thin(round(math.exp(10), -3)), "{}",
          en="\\(e^{10} \\approx 22\\,000\\)", zh="\\(e^{10} \\approx 22\\,000\\)"),
    Claim(P, lambda: _sat(64, False, "max_weight"), "{:.3f}",
          en="the unscaled largest weight averages 0.847 against 0.249 scaled",
          zh="不缩放的最大权重平均为 0.847，缩放后为 0.249"),
    Claim(P, lambda: _sat(64, True, "max_weight"), "{:.3f}",
          en="the unscaled largest weight averages 0.847 against 0.249 scaled",
          zh="不缩放的最大权重平均为 0.847，缩放后为 0.249"),
    Claim(P, lambda: _sat(64, False, "entropy"), "{:.3f}",
          en="the entropy falls to 0.404 nats against 2.356 scaled",
          zh="熵从缩放后的 2.356 奈特降到 0.404 奈特"),
    Claim(P, lambda: _sat(64, True, "entropy"), "{:.3f}",
          en="the entropy falls to 0.404 nats against 2.356 scaled",
          zh="熵从缩放后的 2.356 奈特降到 0.404 奈特"),
    Claim(P, lambda: math.log(16), "{:.3f}",
          en="the uniform distribution has ln 16 = 2.773", zh="均匀分布为 ln 16 = 2.773"),
    Claim(P, lambda: _thin(mha_params(512)), "{}",
          en="\\(4\\cdot 512^2 + 4\\cdot 512 = 1\\,050\\,624\\) parameters",
          zh="\\(4\\cdot 512^2 + 4\\cdot 512 = 1\\,050\\,624\\) 个参数"),
    Claim(P, lambda: _crossover(4096), "{}",
          en="for \\(d = 4096\\), beyond 8192 tokens", zh="\\(d = 4096\\) 时要超过 8192 个 token"),
    Claim(P, lambda: score_memory_bytes(4096, 32) / GiB, "{:.0f} GiB",
          en="that is 1 GiB per layer and per sequence", zh="每层每条序列 1 GiB"),
    Claim(P, lambda: kv_cache_bytes(**LLAMA2_7B) / MiB, "{:.1f} MiB",
          en="that is 0.5 MiB per token", zh="即每个 token 0.5 MiB"),
    Claim(P, lambda: kv_cache_bytes(**LLAMA2_7B, n_tokens=4096) / GiB, "{:.0f} GiB",
          en="costs 2 GiB per sequence", zh="每条序列 2 GiB"),
    Claim(P, lambda: llama_params(4096, 32, 11008, 32000) / 1e9, "{:.1f}",
          en="about 6.7 billion parameters, 13.5 GB in fp16", zh="约 67 亿（6.7 B）个参数，fp16 下 13.5 GB"),
    Claim(P, lambda: 2 * llama_params(4096, 32, 11008, 32000) / 1e9, "{:.1f} GB",
          en="about 6.7 billion parameters, 13.5 GB in fp16", zh="约 67 亿（6.7 B）个参数，fp16 下 13.5 GB"),
    Claim(P, lambda: 8 * kv_cache_bytes(**LLAMA2_7B, n_tokens=4096) / GiB, "{:.0f} GiB",
          en="needs a 16 GiB cache, more than the weights", zh="需要 16 GiB 缓存，比权重还大"),
    Claim(P, lambda: kv_cache_bytes(**LLAMA2_70B) / KiB, "{:.0f} KiB",
          en="its cache is 320 KiB per token instead of 2.5 MiB",
          zh="缓存为每个 token 320 KiB，若用完整多头键值则是 2.5 MiB"),
    Claim(P, lambda: kv_cache_bytes(80, 8192) / MiB, "{:.1f} MiB",
          en="its cache is 320 KiB per token instead of 2.5 MiB",
          zh="缓存为每个 token 320 KiB，若用完整多头键值则是 2.5 MiB"),
    Claim(P, lambda: _sat(1024, False, "jacobian_norm"), "{:.3f}",
          en="its norm is 0.052 against 0.305 with scaling", zh="它的范数是 0.052，缩放后为 0.305"),
    Claim(P, lambda: _sat(1024, True, "jacobian_norm"), "{:.3f}",
          en="its norm is 0.052 against 0.305 with scaling", zh="它的范数是 0.052，缩放后为 0.305"),
    Claim(P, lambda: _sat(64, False, "max_weight"), "{:.3f}",
          en="the unscaled largest weight averages 0.847 over 16 random keys",
          zh="16 个随机键上不缩放的最大权重平均为 0.847"),
    Claim(P, lambda: _crossover(4096), "{}",
          en="The quadratic terms overtake the projections when \\(2n^2d > 4nd^2\\), that is \\(n > 2d\\): for \\(d = 4096\\), beyond 8192 tokens",
          zh="\\(n > 2d\\)：\\(d = 4096\\) 时要超过 8192 个 token"),
    Claim(P, lambda: kv_cache_bytes(80, 8192) // kv_cache_bytes(**LLAMA2_70B), "{}",
          en="e.g. 8 for 64 query heads in Llama-2-70B, an 8× smaller cache",
          zh="例如 Llama-2-70B 为 64 个查询头配 8 个键值头，缓存缩小 8 倍"),
    Claim(P, lambda: kv_cache_bytes(**LLAMA2_7B, n_tokens=4096) / GiB, "{:.0f} GiB",
          en="0.5 MiB per token in fp16, 2 GiB for a 4096-token sequence",
          zh="fp16 下每个 token 0.5 MiB，4096 个 token 的序列 2 GiB"),
    Claim(P, lambda: kv_cache_bytes(**LLAMA2_7B) / MiB, "{:.1f} MiB",
          en="0.5 MiB per token for Llama-2-7B in fp16", zh="Llama-2-7B 在 fp16 下每个 token 0.5 MiB"),
]
test_claims = claims_test(CLAIMS)
