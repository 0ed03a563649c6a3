"""A vanilla RNN and an LSTM in numpy: forward, backprop through time, gradient clipping.

Conventions are PyTorch's (``torch.nn.RNN``, ``torch.nn.LSTM``): the input ``x`` has
shape ``(T, N, D)`` (time, batch, features), states have shape ``(N, H)``, weights are
``W_ih`` of shape ``(G*H, D)`` and ``W_hh`` of shape ``(G*H, H)`` with ``G = 1`` for the
RNN and ``G = 4`` for the LSTM, whose gate blocks are stacked in the order
``i, f, g, o``. PyTorch has two bias vectors, ``b_ih`` and ``b_hh``; only their sum
enters the equations, so here there is one bias ``b = b_ih + b_hh``.

The backward functions take ``dhs``, the gradient of the loss with respect to every
output ``h_t`` (zero where the loss does not look), and return the parameter
gradients together with ``dh``: the *total* gradient ``dL/dh_t`` at every step, the
quantity whose norm vanishes or explodes as it travels back in time.
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, integer, real_number, rng_from


def sigmoid(z):
    """Logistic function, computed without overflow for large negative inputs."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _inputs(x, h0, W_ih, W_hh, b, gates):
    x = as_float_array(x, "x", ndim=3)
    h0 = as_float_array(h0, "h0", ndim=2)
    W_ih = as_float_array(W_ih, "W_ih", ndim=2)
    W_hh = as_float_array(W_hh, "W_hh", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    T, N, D = x.shape
    H = h0.shape[1]
    if T == 0:
        raise ValueError("x must have at least one time step, got shape (0, ...)")
    if h0.shape[0] != N:
        raise ValueError(f"h0 must have shape (N, H) with N = {N} (the batch of x), got {h0.shape}")
    if W_ih.shape != (gates * H, D):
        raise ValueError(f"W_ih must have shape {(gates * H, D)}, got {W_ih.shape}")
    if W_hh.shape != (gates * H, H):
        raise ValueError(f"W_hh must have shape {(gates * H, H)}, got {W_hh.shape}")
    if b.shape != (gates * H,):
        raise ValueError(f"b must have shape {(gates * H,)}, got {b.shape}")
    return x, h0, W_ih, W_hh, b


def _upstream(dhs, hs_shape):
    dhs = as_float_array(dhs, "dhs", ndim=3)
    if dhs.shape != hs_shape:
        raise ValueError(f"dhs must have the shape of the outputs {hs_shape}, got {dhs.shape}")
    return dhs


# --8<-- [start:rnn]
def rnn_forward(x, h0, W_ih, W_hh, b):
    """Elman RNN: h_t = tanh(W_ih x_t + W_hh h_{t-1} + b). Returns hs (T, N, H) and a cache."""
    x, h0, W_ih, W_hh, b = _inputs(x, h0, W_ih, W_hh, b, gates=1)
    hs, h = [], h0
    for x_t in x:
        h = np.tanh(x_t @ W_ih.T + h @ W_hh.T + b)
        hs.append(h)
    hs = np.stack(hs)
    return hs, (x, h0, W_ih, W_hh, hs)


def rnn_backward(dhs, cache):
    """Backprop through time; dhs[t] = dL/dh_t from the loss at step t only."""
    x, h0, W_ih, W_hh, hs = cache
    dhs = _upstream(dhs, hs.shape)
    grads = {"W_ih": np.zeros_like(W_ih), "W_hh": np.zeros_like(W_hh), "b": np.zeros(W_ih.shape[0])}
    dx, dh_total = np.zeros_like(x), np.zeros_like(hs)
    dh = np.zeros_like(h0)                       # gradient arriving from step t+1
    for t in reversed(range(len(x))):
        dh = dh + dhs[t]
        dh_total[t] = dh
        dz = dh * (1 - hs[t] ** 2)               # through tanh
        h_prev = hs[t - 1] if t > 0 else h0
        grads["W_ih"] += dz.T @ x[t]
        grads["W_hh"] += dz.T @ h_prev           # the same W_hh collects from every step
        grads["b"] += dz.sum(axis=0)
        dx[t] = dz @ W_ih
        dh = dz @ W_hh                           # one Jacobian W_hh^T diag(1 - h_t^2) per step
    return {**grads, "x": dx, "h0": dh, "dh": dh_total}
# --8<-- [end:rnn]


# --8<-- [start:lstm]
def lstm_forward(x, h0, c0, W_ih, W_hh, b):
    """LSTM with a forget gate, PyTorch gate order (i, f, g, o). Returns hs, cs and a cache."""
    x, h0, W_ih, W_hh, b = _inputs(x, h0, W_ih, W_hh, b, gates=4)
    c0 = as_float_array(c0, "c0", ndim=2)
    if c0.shape != h0.shape:
        raise ValueError(f"c0 must have the shape of h0 {h0.shape}, got {c0.shape}")
    H = h0.shape[1]
    h, c, hs, cs, steps = h0, c0, [], [], []
    for x_t in x:
        z = x_t @ W_ih.T + h @ W_hh.T + b                   # (N, 4H)
        i, f = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H])    # input and forget gates
        g, o = np.tanh(z[:, 2 * H:3 * H]), sigmoid(z[:, 3 * H:])
        c_new = f * c + i * g                               # the additive cell path
        h_new = o * np.tanh(c_new)
        steps.append((h, c, i, f, g, o, c_new))
        h, c = h_new, c_new
        hs.append(h)
        cs.append(c)
    return np.stack(hs), np.stack(cs), (x, W_ih, W_hh, steps)


def lstm_backward(dhs, cache):
    """Backprop through time for lstm_forward; dhs[t] = dL/dh_t from the loss at step t."""
    x, W_ih, W_hh, steps = cache
    T, (N, H) = len(x), steps[0][0].shape
    dhs = _upstream(dhs, (T, N, H))
    grads = {"W_ih": np.zeros_like(W_ih), "W_hh": np.zeros_like(W_hh), "b": np.zeros(4 * H)}
    dx, dh_total, dc_total = np.zeros_like(x), np.zeros((T, N, H)), np.zeros((T, N, H))
    dh, dc = np.zeros((N, H)), np.zeros((N, H))          # arriving from step t+1
    for t in reversed(range(T)):
        h_prev, c_prev, i, f, g, o, c = steps[t]
        dh = dh + dhs[t]
        tc = np.tanh(c)
        dc = dc + dh * o * (1 - tc ** 2)                   # c_t feeds h_t and c_{t+1}
        dh_total[t], dc_total[t] = dh, dc
        dz = np.concatenate([dc * g * i * (1 - i),          # input gate
                             dc * c_prev * f * (1 - f),     # forget gate
                             dc * i * (1 - g ** 2),         # candidate g
                             dh * tc * o * (1 - o)], axis=1)  # output gate
        grads["W_ih"] += dz.T @ x[t]
        grads["W_hh"] += dz.T @ h_prev
        grads["b"] += dz.sum(axis=0)
        dx[t] = dz @ W_ih
        dh = dz @ W_hh
        dc = dc * f                              # along the cell path: times f, no matrix
    return {**grads, "x": dx, "h0": dh, "c0": dc, "dh": dh_total, "dc": dc_total}
# --8<-- [end:lstm]


# --8<-- [start:clip]
def clip_grad_norm(grads, max_norm):
    """Scale all gradients together, like torch.nn.utils.clip_grad_norm_ (2-norm).

    Returns (clipped copies, total norm before clipping).
    """
    max_norm = real_number(max_norm, "max_norm", low=0.0)
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)) or not grads:
        raise TypeError("grads must be a non-empty list of arrays")
    grads = [as_float_array(g, f"grads[{k}]") for k, g in enumerate(grads)]
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    scale = min(1.0, max_norm / (total + 1e-6))  # 1 when total <= max_norm (up to the 1e-6)
    return [g * scale for g in grads], total
# --8<-- [end:clip]


def init_params(kind, input_size, hidden_size, seed=0, forget_bias=0.0, rho=None):
    """PyTorch's default initialisation: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)).

    The single bias ``b`` is drawn as PyTorch's ``b_ih + b_hh``, the sum of two independent
    uniforms (a triangular distribution on (-2/sqrt(H), 2/sqrt(H))), not as 2 U(-k, k).

    ``kind`` is ``"rnn"`` or ``"lstm"``. For the LSTM, ``forget_bias`` is added to the
    forget-gate block of ``b``. For the RNN, ``rho`` (optional) rescales ``W_hh`` to
    that spectral radius. Returns a dict with ``W_ih``, ``W_hh``, ``b``.
    """
    if kind not in ("rnn", "lstm"):
        raise ValueError(f"kind must be 'rnn' or 'lstm', got {kind!r}")
    D = integer(input_size, "input_size", low=1)
    H = integer(hidden_size, "hidden_size", low=1)
    forget_bias = real_number(forget_bias, "forget_bias")
    rng = rng_from(seed)
    G = 4 if kind == "lstm" else 1
    k = 1 / np.sqrt(H)
    p = {"W_ih": rng.uniform(-k, k, (G * H, D)), "W_hh": rng.uniform(-k, k, (G * H, H))}
    p["b"] = rng.uniform(-k, k, G * H) + rng.uniform(-k, k, G * H)   # b_ih + b_hh: two U(-k, k)
    if kind == "lstm":
        p["b"][H:2 * H] += forget_bias
    elif rho is not None:
        rho = real_number(rho, "rho", low=0.0, low_open=True)
        p["W_hh"] *= rho / spectral_radius(p["W_hh"])
    return p


def spectral_radius(W):
    """Largest absolute eigenvalue of a square matrix."""
    W = as_float_array(W, "W", ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square, got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def first_input_task(T, batch=32, seed=0):
    """The "remember the first input" task: x[0, :, 0] holds a bit (+1 or -1), channel 1
    is N(0, 1) noise at every step, and the target is the bit, read out after step T.

    Returns ``x`` of shape (T, batch, 2) and the 0/1 labels.
    """
    T = integer(T, "T", low=1)
    N = integer(batch, "batch", low=1)
    rng = rng_from(seed)
    bits = rng.choice([-1.0, 1.0], size=N)
    x = np.zeros((T, N, 2))
    x[0, :, 0] = bits
    x[:, :, 1] = rng.normal(size=(T, N))
    return x, (bits > 0).astype(float)


# --8<-- [start:through-time]
def grad_norm_through_time(kind, T=100, hidden_size=32, seed=0, **init):
    """Mean ||dL/dh_t|| over a batch, loss on h_T only, indexed by T - t.

    dL/dh_T is a random unit vector per sequence, so entry 0 is 1;
    entry k is how much of it reaches the state k steps earlier.
    """
    x, _ = first_input_task(T, seed=seed)
    N, H = x.shape[1], integer(hidden_size, "hidden_size", low=1)
    p = init_params(kind, 2, H, seed=seed + 1, **init)
    u = rng_from(seed + 2).normal(size=(N, H))
    dhs = np.zeros((T, N, H))
    dhs[-1] = u / np.linalg.norm(u, axis=1, keepdims=True)
    h0 = np.zeros((N, H))
    if kind == "rnn":
        g = rnn_backward(dhs, rnn_forward(x, h0, **p)[1])
    else:
        g = lstm_backward(dhs, lstm_forward(x, h0, h0, **p)[2])
    return np.linalg.norm(g["dh"], axis=2).mean(axis=1)[::-1]
# --8<-- [end:through-time]
