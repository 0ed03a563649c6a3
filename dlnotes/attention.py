"""Attention and the Transformer block in numpy, with their costs.

* ``scaled_dot_product_attention``: softmax(Q K^T / sqrt(d_k)) V with a boolean
  mask (True = may attend, PyTorch ``scaled_dot_product_attention``'s convention);
* ``causal_mask`` / ``padding_mask``: the two masks every decoder needs;
* ``multi_head_attention`` / ``transformer_block``: one layer and one block
  (pre- or post-norm), parameters in a plain dict from ``init_block``;
* ``sinusoidal_positions`` / ``rope``: absolute sinusoids and rotary positions;
* ``decode_with_kv_cache``: token-by-token decoding that reuses keys and values;
* ``mha_params`` / ``attention_macs`` / ``kv_cache_bytes``: the numbers an
  interviewer asks for (multiply-adds, one per multiply-accumulate; FLOPs are 2x).

Shapes: a sequence is ``(n, d)``; batched inputs put any leading axes first.
"""
from __future__ import annotations

import math

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number, rng_from


def softmax(z, axis=-1):
    """Numerically stable softmax: subtract the row maximum before exp."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


# --8<-- [start:sdpa]
def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    """softmax(q k^T * scale) v.

    q: (..., n_q, d_k), k: (..., n_k, d_k), v: (..., n_k, d_v).
    mask: boolean, broadcastable to (..., n_q, n_k); True = may attend.
    scale defaults to 1 / sqrt(d_k). Returns (output, weights).
    """
    q, k, v = _qkv(q, k, v)
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scale = real_number(scale, "scale", low=0.0)
    scores = q @ np.swapaxes(k, -1, -2) * scale             # (..., n_q, n_k)
    if mask is not None:
        mask = _mask(mask, scores.shape)
        if not np.all(mask.any(axis=-1)):
            raise ValueError("mask leaves a query with no key to attend to")
        scores = np.where(mask, scores, -np.inf)            # exp(-inf) = 0 exactly
    weights = softmax(scores, axis=-1)
    return weights @ v, weights
# --8<-- [end:sdpa]


# --8<-- [start:masks]
def causal_mask(n):
    """(n, n) boolean, True on and below the diagonal: token i sees tokens 0..i."""
    n = integer(n, "n", low=1)
    return np.tril(np.ones((n, n), dtype=bool))


def padding_mask(lengths, n):
    """(batch, 1, n) boolean key mask: True for the first lengths[b] tokens of row b."""
    lengths = np.asarray(lengths)
    n = integer(n, "n", low=1)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer):
        raise TypeError(f"lengths must be a 1-d array of integers, got {lengths!r}")
    if np.any(lengths < 1) or np.any(lengths > n):
        raise ValueError(f"lengths must be in [1, {n}], got {lengths.tolist()}")
    return (np.arange(n)[None, :] < lengths[:, None])[:, None, :]
# --8<-- [end:masks]


# --8<-- [start:mha]
def multi_head_attention(x, p, n_heads, mask=None, use_rope=False, positions=None):
    """Self-attention with h heads of size d/h. x: (..., n, d); p from init_block."""
    x = as_float_array(x, "x", min_ndim=2)
    n, d = x.shape[-2:]
    h = _heads(n_heads, d)
    # (..., n, d) -> (..., h, n, d/h)
    split = lambda t: np.swapaxes(t.reshape(*t.shape[:-1], h, d // h), -2, -3)
    q, k, v = (split(x @ p[f"W{c}"] + p[f"b{c}"]) for c in "qkv")
    if use_rope:
        pos = np.arange(n) if positions is None else positions
        q, k = rope(q, pos), rope(k, pos)
    if mask is not None:
        mask = np.expand_dims(np.asarray(mask), -3)     # same mask for every head
    out, _ = scaled_dot_product_attention(q, k, v, mask)
    out = np.swapaxes(out, -2, -3).reshape(*x.shape[:-1], d)  # concatenate the heads
    return out @ p["Wo"] + p["bo"]
# --8<-- [end:mha]


# --8<-- [start:block]
def layer_norm(x, gamma, beta, eps=1e-5):
    """Normalise each token over its features, then scale and shift."""
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def transformer_block(x, p, n_heads, mask=None, norm="pre", use_rope=False):
    """One block: attention and a ReLU feed-forward net, each with a residual.

    pre-norm  (GPT-2, Llama):          x + f(LN(x))
    post-norm (Vaswani et al. 2017):   LN(x + f(x))
    """
    choice(norm, "norm", ("pre", "post"))
    x = as_float_array(x, "x", min_ndim=2)
    attn = lambda t: multi_head_attention(t, p, n_heads, mask, use_rope)
    ffn = lambda t: np.maximum(t @ p["W1"] + p["b1"], 0.0) @ p["W2"] + p["b2"]
    ln1 = lambda t: layer_norm(t, p["g1"], p["be1"])
    ln2 = lambda t: layer_norm(t, p["g2"], p["be2"])
    if norm == "pre":
        x = x + attn(ln1(x))
        return x + ffn(ln2(x))
    x = ln1(x + attn(x))
    return ln2(x + ffn(x))
# --8<-- [end:block]


def init_block(d, d_ff=None, seed=0):
    """Random parameters for one block (attention, feed-forward, two LayerNorms)."""
    d = integer(d, "d", low=1)
    d_ff = 4 * d if d_ff is None else integer(d_ff, "d_ff", low=1)
    rng = rng_from(seed)
    w = lambda a, b: rng.normal(0.0, 1.0 / math.sqrt(a), size=(a, b))
    p = {f"W{c}": w(d, d) for c in "qkvo"}
    p.update({f"b{c}": np.zeros(d) for c in "qkvo"})
    p.update(W1=w(d, d_ff), b1=np.zeros(d_ff), W2=w(d_ff, d), b2=np.zeros(d))
    p.update(g1=np.ones(d), be1=np.zeros(d), g2=np.ones(d), be2=np.zeros(d))
    return p


# --8<-- [start:positions]
def sinusoidal_positions(n, d, base=10000.0):
    """(n, d) table: PE[pos, 2i] = sin(pos / base^(2i/d)), PE[pos, 2i+1] = cos(same)."""
    n, d = integer(n, "n", low=1), _even(d, "d")
    angles = np.arange(n)[:, None] * _frequencies(d, base)[None, :]   # (n, d/2)
    pe = np.empty((n, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles), np.cos(angles)
    return pe


def rope(x, positions, base=10000.0):
    """Rotary position embedding (Su et al.): rotate each pair (x[2i], x[2i+1])
    of the token at position m by the angle m * base^(-2i/d)."""
    x = as_float_array(x, "x", min_ndim=2)
    d = _even(x.shape[-1], "the last dimension of x")
    pos = as_float_array(positions, "positions", ndim=1)
    if len(pos) != x.shape[-2]:
        raise ValueError(f"positions must have one entry per token "
                         f"({x.shape[-2]}), got {len(pos)}")
    angles = pos[:, None] * _frequencies(d, base)[None, :]             # (n, d/2)
    cos, sin = np.cos(angles), np.sin(angles)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin            # a 2-d rotation per pair
    out[..., 1::2] = even * sin + odd * cos
    return out
# --8<-- [end:positions]


def _frequencies(d, base):
    base = real_number(base, "base", low=1.0, low_open=True)
    return base ** (-np.arange(0, d, 2) / d)                          # theta_i, i = 0 .. d/2 - 1


# --8<-- [start:kv_cache]
def decode_with_kv_cache(x, p, n_heads, use_rope=False):
    """Causal self-attention one token at a time: each step projects only the new
    token and attends over the cached keys and values of all earlier tokens."""
    x = as_float_array(x, "x", ndim=2)
    n, d = x.shape
    h = _heads(n_heads, d)
    heads = lambda t: t.reshape(h, 1, d // h)                         # (h, 1, d/h)
    k_cache, v_cache, outputs = [], [], []
    for t in range(n):
        q, k, v = (heads(x[t] @ p[f"W{c}"] + p[f"b{c}"]) for c in "qkv")
        if use_rope:
            q, k = rope(q, [t]), rope(k, [t])
        k_cache.append(k)
        v_cache.append(v)
        K = np.concatenate(k_cache, axis=1)                   # (h, t+1, d/h)
        V = np.concatenate(v_cache, axis=1)
        out, _ = scaled_dot_product_attention(q, K, V)        # no mask: cache = past
        outputs.append(out.reshape(d) @ p["Wo"] + p["bo"])
    return np.array(outputs)
# --8<-- [end:kv_cache]


# --8<-- [start:costs]
def mha_params(d, bias=True):
    """Parameters of one multi-head attention layer: W_Q, W_K, W_V, W_O are d x d."""
    d = integer(d, "d", low=1)
    return 4 * d * d + (4 * d if bias else 0)


def attention_macs(n, d):
    """Multiply-adds of self-attention over n tokens of width d (any head count)."""
    n, d = integer(n, "n", low=1), integer(d, "d", low=1)
    return {"projections": 4 * n * d * d,     # Q, K, V and the output projection
            "scores": n * n * d,              # Q K^T: h heads x n x n x d/h
            "weighted_sum": n * n * d}        # A V, the same count


def kv_cache_bytes(n_layers, d_model, n_tokens=1, bytes_per_value=2,
                   n_heads=None, n_kv_heads=None):
    """Keys and values of every layer for n_tokens:
    2 * layers * (kv heads * head size) * bytes per value * tokens.

    With grouped-query attention only n_kv_heads of the n_heads heads keep K and V.
    """
    L, d = integer(n_layers, "n_layers", low=1), integer(d_model, "d_model", low=1)
    T = integer(n_tokens, "n_tokens", low=0)
    b = integer(bytes_per_value, "bytes_per_value", low=1)
    width = d
    if n_kv_heads is not None:
        h = _heads(n_heads, d)
        g = integer(n_kv_heads, "n_kv_heads", low=1, high=h)
        if h % g:
            raise ValueError(f"n_kv_heads must divide n_heads ({h}), got {g}")
        width = g * (d // h)
    return 2 * L * width * b * T
# --8<-- [end:costs]


def score_memory_bytes(n, n_heads, bytes_per_value=2):
    """The n x n attention weights of every head of one layer, if materialised."""
    n, h = integer(n, "n", low=1), integer(n_heads, "n_heads", low=1)
    return h * n * n * integer(bytes_per_value, "bytes_per_value", low=1)


def llama_params(d, n_layers, d_ff, vocab, n_heads=None, n_kv_heads=None):
    """Parameters of a Llama-style decoder: untied embedding and output layer,
    attention without biases, SwiGLU MLP (three d x d_ff matrices), RMSNorm gains."""
    d, L = integer(d, "d", low=1), integer(n_layers, "n_layers", low=1)
    d_ff, V = integer(d_ff, "d_ff", low=1), integer(vocab, "vocab", low=1)
    kv = d if n_kv_heads is None else n_kv_heads * (d // _heads(n_heads, d))
    attn = 2 * d * d + 2 * d * kv                  # W_Q and W_O are d x d; W_K, W_V are d x kv
    return 2 * V * d + L * (attn + 3 * d * d_ff + 2 * d) + d


# --------------------------------------------------------------- the 1/sqrt(d_k) experiment

def softmax_saturation(d_k, n_keys=16, scaled=True, trials=1000, seed=0):
    """Mean max weight, entropy (nats) and Jacobian norm of softmax(q.k_j [/ sqrt(d_k)])
    for q and k_j with i.i.d. N(0, 1) entries, averaged over trials."""
    d_k = integer(d_k, "d_k", low=1)
    n_keys, trials = integer(n_keys, "n_keys", low=2), integer(trials, "trials", low=1)
    rng = rng_from(seed)
    q = rng.standard_normal((trials, 1, d_k))
    k = rng.standard_normal((trials, n_keys, d_k))
    s = (q @ np.swapaxes(k, 1, 2))[:, 0, :]                  # (trials, n_keys)
    if scaled:
        s = s / math.sqrt(d_k)
    w = softmax(s, axis=-1)
    entropy = -np.sum(w * np.log(np.where(w > 0, w, 1.0)), axis=-1)
    jac = np.einsum("ti,ij->tij", w, np.eye(n_keys)) - w[:, :, None] * w[:, None, :]   # diag(w) - w w^T
    return {"max_weight": float(w.max(axis=-1).mean()),
            "entropy": float(entropy.mean()),
            "jacobian_norm": float(np.linalg.norm(jac, axis=(1, 2)).mean()),
            "score_std": float(s.std())}


# --------------------------------------------------------------- argument checks

def _qkv(q, k, v):
    q = as_float_array(q, "q", min_ndim=2)
    k = as_float_array(k, "k", min_ndim=2)
    v = as_float_array(v, "v", min_ndim=2)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last dimension d_k, got {q.shape[-1]} and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of tokens, got {k.shape[-2]} and {v.shape[-2]}")
    return q, k, v


def _mask(mask, shape):
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must be a boolean array (True = may attend), got dtype {mask.dtype}")
    try:
        return np.broadcast_to(mask, shape)
    except ValueError:
        raise ValueError(f"mask of shape {mask.shape} does not broadcast to the scores {shape}") from None


def _heads(n_heads, d):
    h = integer(n_heads, "n_heads", low=1)
    if d % h:
        raise ValueError(f"n_heads must divide the model width {d}, got {h}")
    return h


def _even(d, name):
    d = integer(d, name, low=2)
    if d % 2:
        raise ValueError(f"{name} must be even (dimensions are rotated in pairs), got {d}")
    return d
