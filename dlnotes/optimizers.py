"""First-order optimizers and learning-rate schedules, one small function each.

Every update rule has the same shape, ``step(theta, grad, state, ...) -> theta``:
``theta`` and ``grad`` are arrays of the same shape, ``state`` is a dict the
function fills on the first call (velocity, moment estimates, step counter) and
updates in place. The rules follow PyTorch's ``torch.optim`` conventions
(momentum buffer ``v = mu*v + g``; ``eps`` added *after* the square root), so the
hyper-parameters mean what they mean there.

Schedules are plain functions of the step ``t`` (0-based) that return the
learning rate for that step.
"""
from __future__ import annotations

import math

import numpy as np

from dlnotes._check import as_float_array, choice, integer, real_number

METHODS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def _args(theta, grad, state, lr):
    theta = as_float_array(theta, "theta")
    grad = as_float_array(grad, "grad")
    if grad.shape != theta.shape:
        raise ValueError(f"grad must have the shape of theta {theta.shape}, got {grad.shape}")
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict (start with {{}}), got {type(state).__name__}")
    real_number(lr, "lr", low=0.0)
    return theta, grad


def _unit(value, name):
    """A decay factor in [0, 1): momentum, alpha, beta1, beta2."""
    return real_number(value, name, low=0.0, high=1.0, high_open=True)


# --8<-- [start:sgd]
def sgd_step(theta, grad, state, lr):
    """Plain (stochastic) gradient descent: theta <- theta - lr * g."""
    theta, grad = _args(theta, grad, state, lr)
    return theta - lr * grad
# --8<-- [end:sgd]


# --8<-- [start:momentum]
def momentum_step(theta, grad, state, lr, momentum=0.9):
    """Heavy-ball momentum (Polyak 1964), PyTorch form: v <- mu v + g."""
    theta, grad = _args(theta, grad, state, lr)
    mu = _unit(momentum, "momentum")
    v = mu * state.get("v", np.zeros_like(theta)) + grad
    state["v"] = v
    return theta - lr * v
# --8<-- [end:momentum]


# --8<-- [start:nesterov]
def nesterov_step(theta, grad, state, lr, momentum=0.9):
    """Nesterov momentum as PyTorch writes it (Sutskever et al. 2013, re-parametrised)."""
    theta, grad = _args(theta, grad, state, lr)
    mu = _unit(momentum, "momentum")
    v = mu * state.get("v", np.zeros_like(theta)) + grad
    state["v"] = v
    return theta - lr * (grad + mu * v)        # look ahead along the new velocity
# --8<-- [end:nesterov]


# --8<-- [start:adagrad]
def adagrad_step(theta, grad, state, lr, eps=1e-10):
    """AdaGrad (Duchi et al. 2011): divide by the root of the *sum* of squared gradients."""
    theta, grad = _args(theta, grad, state, lr)
    eps = real_number(eps, "eps", low=0.0)
    G = state.get("G", np.zeros_like(theta)) + grad**2
    state["G"] = G
    return theta - lr * grad / (np.sqrt(G) + eps)
# --8<-- [end:adagrad]


# --8<-- [start:rmsprop]
def rmsprop_step(theta, grad, state, lr, alpha=0.99, eps=1e-8):
    """RMSProp (Tieleman & Hinton 2012): a *moving average* of squared gradients."""
    theta, grad = _args(theta, grad, state, lr)
    alpha = _unit(alpha, "alpha")
    eps = real_number(eps, "eps", low=0.0)
    s = alpha * state.get("s", np.zeros_like(theta)) + (1 - alpha) * grad**2
    state["s"] = s
    return theta - lr * grad / (np.sqrt(s) + eps)
# --8<-- [end:rmsprop]


# --8<-- [start:adam]
def adam_step(theta, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """Adam (Kingma & Ba 2015). weight_decay here is an L2 penalty: it is added to g."""
    theta, grad = _args(theta, grad, state, lr)
    b1, b2 = _betas(betas)
    grad = grad + _decay(weight_decay) * theta          # L2: goes through m and v
    t = state.get("t", 0) + 1
    m = b1 * state.get("m", np.zeros_like(theta)) + (1 - b1) * grad
    v = b2 * state.get("v", np.zeros_like(theta)) + (1 - b2) * grad**2
    state.update(t=t, m=m, v=v)
    m_hat = m / (1 - b1**t)                              # bias correction
    v_hat = v / (1 - b2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + _eps(eps))
# --8<-- [end:adam]


# --8<-- [start:adamw]
def adamw_step(theta, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """AdamW (Loshchilov & Hutter 2019): shrink theta directly, then a plain Adam step."""
    theta = as_float_array(theta, "theta")
    theta = theta * (1 - real_number(lr, "lr", low=0.0) * _decay(weight_decay))   # decoupled
    return adam_step(theta, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=0.0)
# --8<-- [end:adamw]


def _betas(betas):
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return _unit(betas[0], "betas[0]"), _unit(betas[1], "betas[1]")


def _decay(weight_decay):
    return real_number(weight_decay, "weight_decay", low=0.0)


def _eps(eps):
    return real_number(eps, "eps", low=0.0)


STEPS = {"sgd": sgd_step, "momentum": momentum_step, "nesterov": nesterov_step,
         "adagrad": adagrad_step, "rmsprop": rmsprop_step, "adam": adam_step, "adamw": adamw_step}


# --8<-- [start:run]
def run(method, grad_fn, theta0, lr, steps, schedule=None, **hparams):
    """Iterate one optimizer from theta0; return the (steps + 1, d) trajectory.

    grad_fn(theta) returns the gradient; schedule(t) (optional) multiplies lr at step t.
    """
    step = STEPS[choice(method, "method", METHODS)]
    theta = as_float_array(theta0, "theta0", ndim=1)
    steps = integer(steps, "steps", low=0)
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable, got {type(grad_fn).__name__}")
    state, path = {}, [theta]
    for t in range(steps):
        rate = lr * (1.0 if schedule is None else schedule(t))
        theta = step(theta, grad_fn(theta), state, rate, **hparams)
        path.append(theta)
    return np.array(path)
# --8<-- [end:run]


# ---------------------------------------------------------------- test functions

# --8<-- [start:problems]
def quadratic(kappa=20.0, angle=0.0):
    """f(x) = 1/2 x^T A x with eigenvalues 1 and kappa, axes rotated by `angle` radians.

    Returns (f, grad, A); the minimum is f(0) = 0 and the condition number is kappa.
    """
    kappa = real_number(kappa, "kappa", low=1.0)
    angle = real_number(angle, "angle")
    c, s = math.cos(angle), math.sin(angle)
    R = np.array([[c, -s], [s, c]])
    A = R @ np.diag([1.0, kappa]) @ R.T
    return (lambda x: 0.5 * x @ A @ x), (lambda x: A @ x), A


def rosenbrock(x, a=1.0, b=100.0):
    """Rosenbrock's banana valley (a - x)^2 + b (y - x^2)^2; minimum 0 at (a, a^2)."""
    x, y = as_float_array(x, "x", ndim=1)
    return (a - x) ** 2 + b * (y - x**2) ** 2


def rosenbrock_grad(x, a=1.0, b=100.0):
    x, y = as_float_array(x, "x", ndim=1)
    return np.array([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)])
# --8<-- [end:problems]


# --8<-- [start:rates]
def gd_rate(kappa):
    """Best linear rate of gradient descent on a quadratic with condition number kappa."""
    kappa = real_number(kappa, "kappa", low=1.0)
    return (kappa - 1) / (kappa + 1)             # at lr = 2 / (L + mu)


def heavy_ball_rate(kappa):
    """Best rate of heavy-ball momentum on the same quadratic (Polyak 1964)."""
    kappa = real_number(kappa, "kappa", low=1.0)
    return (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
# --8<-- [end:rates]


def heavy_ball_params(kappa, L=None):
    """(lr, momentum) that achieve :func:`heavy_ball_rate` for eigenvalues in [L/kappa, L]."""
    kappa = real_number(kappa, "kappa", low=1.0)
    L = kappa if L is None else real_number(L, "L", low=0.0, low_open=True)
    mu_ = L / kappa
    lr = 4 / (math.sqrt(L) + math.sqrt(mu_)) ** 2
    return lr, heavy_ball_rate(kappa) ** 2


# ---------------------------------------------------------------- schedules

def _t(t):
    return integer(t, "t", low=0)


# --8<-- [start:schedules]
def step_lr(t, base_lr, step_size, gamma=0.1):
    """StepLR: multiply by gamma every step_size steps."""
    t, step_size = _t(t), integer(step_size, "step_size", low=1)
    return real_number(base_lr, "base_lr", low=0.0) * real_number(gamma, "gamma", low=0.0) ** (t // step_size)


def cosine_lr(t, base_lr, total, eta_min=0.0, warmup=0):
    """Linear warm-up for `warmup` steps, then cosine annealing to eta_min at step `total`."""
    t, total = _t(t), integer(total, "total", low=1)
    warmup = integer(warmup, "warmup", low=0, high=total - 1)
    base_lr = real_number(base_lr, "base_lr", low=0.0)
    eta_min = real_number(eta_min, "eta_min", low=0.0)
    if t < warmup:
        return base_lr * (t + 1) / warmup               # ramps up to base_lr at t = warmup - 1
    progress = min(t - warmup, total - warmup) / (total - warmup)
    return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(math.pi * progress))


def one_cycle_lr(t, max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    """OneCycleLR (two-phase, cosine), with PyTorch's defaults and phase boundaries."""
    t, total_steps = _t(t), integer(total_steps, "total_steps", low=2)
    max_lr = real_number(max_lr, "max_lr", low=0.0)
    pct_start = real_number(pct_start, "pct_start", low=0.0, high=1.0, low_open=True, high_open=True)
    start = max_lr / real_number(div_factor, "div_factor", low=0.0, low_open=True)
    end = start / real_number(final_div_factor, "final_div_factor", low=0.0, low_open=True)
    peak = float(pct_start * total_steps) - 1           # the step where lr = max_lr
    if peak <= 0 or peak >= total_steps - 1:
        raise ValueError(f"pct_start * total_steps must leave both phases a step, got {pct_start} * {total_steps}")
    if t <= peak:
        a, b, pct = start, max_lr, t / peak
    else:
        a, b, pct = max_lr, end, min((t - peak) / (total_steps - 1 - peak), 1.0)
    return b + (a - b) / 2 * (1 + math.cos(math.pi * pct))
# --8<-- [end:schedules]


# ---------------------------------------------------------------- Adam + L2 vs AdamW

# --8<-- [start:decay-demo]
def decay_under_noise(method, sigmas, steps=3000, lr=1e-3, weight_decay=1.0, seed=0):
    """Weights on a flat loss whose gradients are pure noise of scale sigmas[i].

    Only the regulariser can move theta on average, so the result shows how much
    each coordinate is shrunk: AdamW shrinks all alike, Adam + L2 divides the
    penalty by the gradient scale. Returns the (steps + 1, d) trajectory from 1.
    """
    choice(method, "method", ("adam", "adamw"))
    sigmas = as_float_array(sigmas, "sigmas", ndim=1)
    if (sigmas <= 0).any():
        raise ValueError("sigmas must be positive")
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((integer(steps, "steps", low=1), len(sigmas))) * sigmas
    it = iter(noise)
    return run(method, lambda th: next(it), np.ones(len(sigmas)), lr, steps, weight_decay=weight_decay)
# --8<-- [end:decay-demo]
