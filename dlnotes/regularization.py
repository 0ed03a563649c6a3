"""Regularisation in numpy: ridge, lasso, early stopping, and the experiments of the page.

Conventions follow scikit-learn, so the tests can compare directly:

* :func:`ridge` minimises ``||y - X w||^2 + lam ||w||^2`` (``sklearn.linear_model.Ridge(alpha=lam)``);
* :func:`lasso_ista` and :func:`lasso_cd` minimise ``||y - X w||^2 / (2 n) + lam ||w||_1``
  (``sklearn.linear_model.Lasso(alpha=lam)``).

No intercept anywhere: centre ``X`` and ``y`` first (``fit_intercept=False`` in scikit-learn).
The rest of the module holds the small experiments drawn on the page: polynomial
regression of growing degree, gradient descent on least squares (early stopping
as a spectral filter) and min-norm regression on random ReLU features (double descent).
"""
from __future__ import annotations

import numpy as np

from dlnotes._check import as_float_array, integer, real_number, rng_from


def _xy(X, y):
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    if len(y) != len(X):
        raise ValueError(f"y must have {len(X)} entries like the rows of X, got {len(y)}")
    if len(y) == 0:
        raise ValueError("X must have at least one row")
    return X, y


def _lam(lam):
    return real_number(lam, "lam", low=0.0)


# --8<-- [start:ridge]
def ridge(X, y, lam):
    """Ridge regression (Hoerl & Kennard 1970): argmin ||y - Xw||^2 + lam ||w||^2.

    The closed form w = (X^T X + lam I)^{-1} X^T y; lam > 0 makes the matrix invertible
    even when there are more features than samples.
    """
    X, y = _xy(X, y)
    lam = _lam(lam)
    A = X.T @ X + lam * np.eye(X.shape[1])
    return np.linalg.solve(A, X.T @ y)          # solve, never inv
# --8<-- [end:ridge]


# --8<-- [start:soft-threshold]
def soft_threshold(z, t):
    """The proximal operator of t * |.|: shrink toward 0 by t, and set |z| <= t to exactly 0."""
    z = as_float_array(z, "z")
    t = real_number(t, "t", low=0.0)
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)
# --8<-- [end:soft-threshold]


# --8<-- [start:ista]
def lasso_ista(X, y, lam, steps=5000, tol=1e-10):
    """Lasso by ISTA (proximal gradient): a gradient step on the squared loss, then soft-threshold.

    Minimises ||y - Xw||^2 / (2n) + lam ||w||_1 with step 1/L, L = largest eigenvalue of X^T X / n.
    """
    X, y = _xy(X, y)
    lam, n = _lam(lam), len(y)
    steps = integer(steps, "steps", low=1)
    L = np.linalg.norm(X, 2) ** 2 / n               # Lipschitz constant of the gradient
    w = np.zeros(X.shape[1])
    if L == 0:
        return w
    for _ in range(steps):
        grad = X.T @ (X @ w - y) / n
        w_new = soft_threshold(w - grad / L, lam / L)
        if np.max(np.abs(w_new - w)) < tol:
            return w_new
        w = w_new
    return w
# --8<-- [end:ista]


# --8<-- [start:cd]
def lasso_cd(X, y, lam, sweeps=1000, tol=1e-10, w0=None):
    """Lasso by cyclic coordinate descent: each coordinate is a 1-D lasso, solved by soft-thresholding."""
    X, y = _xy(X, y)
    lam, n = _lam(lam), len(y)
    sweeps = integer(sweeps, "sweeps", low=1)
    w = np.zeros(X.shape[1]) if w0 is None else as_float_array(w0, "w0", ndim=1).copy()
    if len(w) != X.shape[1]:
        raise ValueError(f"w0 must have {X.shape[1]} entries, got {len(w)}")
    col_sq = (X**2).sum(axis=0) / n
    r = y - X @ w                                     # residual, kept up to date
    for _ in range(sweeps):
        biggest = 0.0
        for j in np.flatnonzero(col_sq):
            rho = X[:, j] @ r / n + col_sq[j] * w[j]      # correlation with the partial residual
            new = soft_threshold(rho, lam) / col_sq[j]
            r -= X[:, j] * (new - w[j])
            biggest = max(biggest, abs(new - w[j]))
            w[j] = new
        if biggest < tol:
            break
    return w
# --8<-- [end:cd]


def lasso_lambda_max(X, y):
    """Smallest lam at which the lasso solution is all zeros: max_j |X_j^T y| / n."""
    X, y = _xy(X, y)
    return float(np.max(np.abs(X.T @ y)) / len(y))


# --8<-- [start:early-stopping]
def gd_least_squares(X, y, lr, steps):
    """Gradient descent on ||y - Xw||^2 / (2n) from w = 0; returns the (steps + 1, d) path."""
    X, y = _xy(X, y)
    lr = real_number(lr, "lr", low=0.0, low_open=True)
    steps = integer(steps, "steps", low=0)
    w, path = np.zeros(X.shape[1]), [np.zeros(X.shape[1])]
    for _ in range(steps):
        w = w - lr * X.T @ (X @ w - y) / len(y)
        path.append(w)
    return np.array(path)


def gd_filter(s, lr, t):
    """Share of the least-squares solution that GD has fitted, per eigenvalue s of X^T X / n."""
    s = as_float_array(s, "s")
    return 1 - (1 - real_number(lr, "lr", low=0.0, low_open=True) * s) ** integer(t, "t", low=0)


def ridge_filter(s, lam):
    """The same share for ridge with penalty lam/2 ||w||^2 on the 1/(2n)-scaled loss: s / (s + lam)."""
    s = as_float_array(s, "s")
    lam = real_number(lam, "lam", low=0.0, low_open=True)
    return s / (s + lam)
# --8<-- [end:early-stopping]


# ---------------------------------------------------------------- polynomial regression

def poly_features(x, degree):
    """Legendre polynomials P_0 .. P_degree of x in [-1, 1] (well conditioned, unlike x^k)."""
    x = as_float_array(x, "x", ndim=1)
    degree = integer(degree, "degree", low=0)
    return np.polynomial.legendre.legvander(x, degree)


def poly_data(n, noise=0.3, seed=0):
    """n points x ~ U[-1, 1], y = sin(pi x) + noise * N(0, 1)."""
    n = integer(n, "n", low=1)
    noise = real_number(noise, "noise", low=0.0)
    rng = rng_from(seed)
    x = rng.uniform(-1, 1, n)
    return x, np.sin(np.pi * x) + noise * rng.standard_normal(n)


def poly_errors(degrees, n_train=20, noise=0.3, seed=0, n_test=1000):
    """Train and test MSE of least-squares polynomial fits of each degree (one data draw)."""
    degrees = [integer(d, "degrees[i]", low=0) for d in degrees]
    rng = rng_from(seed)
    x, y = poly_data(n_train, noise, rng)
    xt, yt = poly_data(integer(n_test, "n_test", low=1), noise, rng)
    train, test = [], []
    for d in degrees:
        w = np.linalg.lstsq(poly_features(x, d), y, rcond=None)[0]
        train.append(np.mean((poly_features(x, d) @ w - y) ** 2))
        test.append(np.mean((poly_features(xt, d) @ w - yt) ** 2))
    return np.array(train), np.array(test)


def poly_learning_curve(degree, sizes, noise=0.3, reps=50, seed=0, n_test=1000):
    """Median train and test MSE of a degree-`degree` fit against the training-set size."""
    sizes = [integer(n, "sizes[i]", low=1) for n in sizes]
    reps = integer(reps, "reps", low=1)
    rng = rng_from(seed)
    xt, yt = poly_data(integer(n_test, "n_test", low=1), noise, rng)
    train, test = np.empty((reps, len(sizes))), np.empty((reps, len(sizes)))
    for r in range(reps):
        for i, n in enumerate(sizes):
            x, y = poly_data(n, noise, rng)
            w = np.linalg.lstsq(poly_features(x, degree), y, rcond=None)[0]
            train[r, i] = np.mean((poly_features(x, degree) @ w - y) ** 2)
            test[r, i] = np.mean((poly_features(xt, degree) @ w - yt) ** 2)
    return np.median(train, axis=0), np.median(test, axis=0)


# ---------------------------------------------------------------- double descent

# --8<-- [start:double-descent]
def relu_features(X, W):
    """Random ReLU features max(0, X W) / sqrt(p) for a fixed random matrix W (d, p)."""
    X, W = as_float_array(X, "X", ndim=2), as_float_array(W, "W", ndim=2)
    if W.shape[0] != X.shape[1]:
        raise ValueError(f"W must have {X.shape[1]} rows (the columns of X), got {W.shape[0]}")
    return np.maximum(X @ W, 0.0) / np.sqrt(W.shape[1])


def min_norm_fit(F, y, lam=0.0):
    """lam = 0: the minimum-norm least-squares solution (pseudo-inverse); lam > 0: ridge."""
    F, y = _xy(F, y)
    if _lam(lam) == 0:
        return np.linalg.lstsq(F, y, rcond=None)[0]
    return ridge(F, y, lam)


def double_descent(n_features, n_train=40, noise=0.2, lam=0.0, reps=10, dim=5, seed=0):
    """Median test MSE of min-norm (or ridge) regression on p random ReLU features, per p.

    Target sin(2 x . beta) with x ~ N(0, I_dim); `noise` is the std of the label noise.
    The peak sits at p = n_train, where the feature matrix is square and badly conditioned.
    """
    ps = [integer(p, "n_features[i]", low=1) for p in n_features]
    n_train = integer(n_train, "n_train", low=1)
    noise, lam = real_number(noise, "noise", low=0.0), _lam(lam)
    dim, reps = integer(dim, "dim", low=1), integer(reps, "reps", low=1)
    rng = rng_from(seed)
    beta = rng.standard_normal(dim) / np.sqrt(dim)
    X, Xt = rng.standard_normal((n_train, dim)), rng.standard_normal((500, dim))
    y = np.sin(2 * X @ beta) + noise * rng.standard_normal(n_train)
    yt = np.sin(2 * Xt @ beta)                             # test on the clean target
    errors = np.empty((reps, len(ps)))
    for r in range(reps):
        W_all = rng.standard_normal((dim, max(ps))) / np.sqrt(dim)
        for i, p in enumerate(ps):
            W = W_all[:, :p]                                # nested feature sets
            w = min_norm_fit(relu_features(X, W), y, lam)
            errors[r, i] = np.mean((relu_features(Xt, W) @ w - yt) ** 2)
    return np.median(errors, axis=0)
# --8<-- [end:double-descent]


# ---------------------------------------------------------------- an MLP on digits

def flip_labels(y, rate, n_classes, seed=0):
    """Replace a share `rate` of the labels by a different class drawn uniformly (label noise)."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError("y must be a 1-D array of integer labels")
    rate = real_number(rate, "rate", low=0.0, high=1.0)
    n_classes = integer(n_classes, "n_classes", low=2)
    rng = rng_from(seed)
    flip = rng.random(len(y)) < rate
    out = y.copy()
    out[flip] = (y[flip] + rng.integers(1, n_classes, flip.sum())) % n_classes   # never the true class
    return out


# --8<-- [start:mlp-curves]
def mlp_curves(X, y, X_val, y_val, width=128, lr=0.5, steps=1500, weight_decay=0.0,
               every=10, seed=0):
    """Full-batch GD on a one-hidden-layer ReLU MLP (dlnotes.mlp); weight decay on the weights.

    Returns a dict of arrays: step, train_loss, val_loss, val_acc (every `every` steps).
    """
    from dlnotes.mlp import Dense, make_mlp, softmax_cross_entropy
    X, X_val = as_float_array(X, "X", ndim=2), as_float_array(X_val, "X_val", ndim=2)
    y, y_val = np.asarray(y), np.asarray(y_val)
    steps, every = integer(steps, "steps", low=1), integer(every, "every", low=1)
    lr = real_number(lr, "lr", low=0.0, low_open=True)
    wd = real_number(weight_decay, "weight_decay", low=0.0)
    n_classes = int(max(y.max(), y_val.max())) + 1
    model = make_mlp(X.shape[1], integer(width, "width", low=1), 1, n_classes, seed=seed)
    hist = {k: [] for k in ("step", "train_loss", "val_loss", "val_acc")}
    for t in range(1, steps + 1):
        loss, grad = softmax_cross_entropy(model.forward(X), y)
        model.backward(grad)
        for layer in model.layers_of(Dense):
            layer.grads["W"] = layer.grads["W"] + wd * layer.params["W"]   # SGD: decay == L2
        model.sgd_step(lr)
        if t % every == 0:
            out = model.forward(X_val, training=False)
            hist["step"].append(t)
            hist["train_loss"].append(softmax_cross_entropy(model.forward(X, training=False), y)[0])
            hist["val_loss"].append(softmax_cross_entropy(out, y_val)[0])
            hist["val_acc"].append(float(np.mean(out.argmax(axis=1) == y_val)))
    return {k: np.array(v) for k, v in hist.items()}
# --8<-- [end:mlp-curves]


def digits_split(n_train=200, label_noise=0.0, seed=0):
    """scikit-learn's 8x8 digits scaled to [0, 1]: a small training set (optionally with
    flipped labels) and the remaining 1597 images as a clean validation set."""
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    n_train = integer(n_train, "n_train", low=1, high=len(X) - 1)
    rng = rng_from(seed)
    idx = rng.permutation(len(X))
    tr, va = idx[:n_train], idx[n_train:]
    y_tr = flip_labels(y[tr], label_noise, 10, rng)
    return X[tr] / 16.0, y_tr, X[va] / 16.0, y[va]
