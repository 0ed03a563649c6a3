"""Tests for dlnotes.mlp: every backward pass against finite differences."""
import numpy as np
import pytest

from dlnotes.mlp import (ACTIVATIONS, MLP, Activation, BatchNorm, Dense, Residual, activation,
                         make_mlp, mse_loss, softmax_cross_entropy, train)

RNG = np.random.default_rng(0)


def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to the array x (changed in place)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        up = f()
        x[idx] = old - eps
        down = f()
        x[idx] = old
        g[idx] = (up - down) / (2 * eps)
    return g


def check_layer(layer, x, training=True):
    """Loss = sum(w * layer(x)); compare the input and parameter gradients with finite differences."""
    w = RNG.normal(size=layer.forward(x.copy(), training).shape)

    def loss():
        if isinstance(layer, BatchNorm):             # keep the running stats out of the check
            saved = layer.running_mean.copy(), layer.running_var.copy()
            out = np.sum(w * layer.forward(x, training))
            layer.running_mean, layer.running_var = saved
            return out
        return np.sum(w * layer.forward(x, training))

    loss()
    grad_x = layer.backward(w)
    grads = {k: v.copy() for k, v in layer.grads.items()}
    assert np.allclose(grad_x, numeric_grad(loss, x), rtol=1e-5, atol=1e-7)
    for name, value in layer.params.items():
        assert np.allclose(grads[name], numeric_grad(loss, value), rtol=1e-5, atol=1e-7), name
    for sub in getattr(layer, "layers", []):
        for name, value in sub.params.items():
            loss()
            layer.backward(w)
            analytic = sub.grads[name].copy()
            assert np.allclose(analytic, numeric_grad(loss, value), rtol=1e-5, atol=1e-7), name


def test_dense_backward():
    check_layer(Dense(5, 3, seed=1), RNG.normal(size=(4, 5)))


@pytest.mark.parametrize("kind", ACTIVATIONS)
def test_activation_backward(kind):
    check_layer(Activation(kind, slope=0.1), RNG.normal(size=(6, 3)) * 2)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_backward_in_both_modes(training):
    bn = BatchNorm(3)
    bn.params["gamma"][:] = [0.5, 2.0, -1.0]
    bn.params["beta"][:] = [0.1, 0.0, 3.0]
    bn.running_mean[:], bn.running_var[:] = [1.0, -1.0, 0.0], [2.0, 0.5, 1.0]
    check_layer(bn, RNG.normal(size=(7, 3)) * 3 + 1, training)


def test_residual_backward():
    check_layer(Residual([Dense(4, 4, seed=2), BatchNorm(4), Activation("tanh")]), RNG.normal(size=(5, 4)))


def test_softmax_cross_entropy_gradient_and_value():
    logits, labels = RNG.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
    loss, grad = softmax_cross_entropy(logits, labels)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert loss == pytest.approx(-np.log(p[np.arange(5), labels]).mean())
    assert np.allclose(grad, numeric_grad(lambda: softmax_cross_entropy(logits, labels)[0], logits), atol=1e-8)
    # stays finite where the naive formula overflows
    big, _ = softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))
    assert big == pytest.approx(1000.0)


def test_cross_entropy_matches_sklearn_log_loss():
    from sklearn.metrics import log_loss
    logits, labels = RNG.normal(size=(20, 3)), RNG.integers(0, 3, 20)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert softmax_cross_entropy(logits, labels)[0] == pytest.approx(log_loss(labels, p, labels=[0, 1, 2]))


def test_mse_gradient_and_value():
    pred, target = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))
    loss, grad = mse_loss(pred, target)
    assert loss == pytest.approx(np.mean((pred - target) ** 2))
    assert np.allclose(grad, numeric_grad(lambda: mse_loss(pred, target)[0], pred), atol=1e-8)


@pytest.mark.parametrize("options", [dict(), dict(batchnorm=True), dict(residual=True, activation="gelu"),
                                     dict(batchnorm=True, residual=True, activation="sigmoid")])
def test_whole_network_backward(options):
    model = make_mlp(3, 4, 3, 2, seed=0, **options)
    x, y = RNG.normal(size=(6, 3)), np.array([0, 1, 1, 0, 1, 0])
    loss = lambda: softmax_cross_entropy(model.forward(x), y)[0]  # noqa: E731
    for bn in model.layers_of(BatchNorm):
        bn.momentum = 0.0                     # running stats do not change during the check
    loss()
    model.backward(softmax_cross_entropy(model.forward(x), y)[1])
    for layer in model.layers_of(Dense):
        analytic = layer.grads["W"].copy()
        assert np.allclose(analytic, numeric_grad(loss, layer.params["W"]), rtol=1e-5, atol=1e-8)


def test_activation_values():
    z = np.array([-2.0, 0.5])
    assert np.allclose(activation(z, "relu")[0], [0, 0.5])
    assert np.allclose(activation(z, "leaky_relu", 0.1)[0], [-0.2, 0.5])
    assert np.allclose(activation(z, "sigmoid")[0], 1 / (1 + np.exp(-z)))
    assert np.allclose(activation(z, "tanh")[0], np.tanh(z))
    from scipy.special import erf   # the tanh approximation of GELU is within 1e-3 of the exact one
    zz = np.linspace(-5, 5, 101)
    assert np.allclose(activation(zz, "gelu")[0], 0.5 * zz * (1 + erf(zz / np.sqrt(2))), atol=1e-3)
    assert activation(np.array([0.0]), "sigmoid")[1][0] == 0.25
    assert activation(np.array([-800.0]), "sigmoid")[0][0] == 0.0      # no overflow warning


def test_batchnorm_train_vs_eval():
    bn = BatchNorm(2, momentum=0.1)
    x = RNG.normal(5.0, 3.0, size=(200, 2))
    y = bn.forward(x, training=True)
    assert np.allclose(y.mean(0), 0, atol=1e-10) and np.allclose(y.std(0), 1, atol=1e-3)
    assert np.allclose(bn.running_mean, 0.1 * x.mean(0))
    assert np.allclose(bn.running_var, 0.9 + 0.1 * x.var(0, ddof=1))
    for _ in range(200):
        bn.forward(x, training=True)
    assert np.allclose(bn.running_mean, x.mean(0)) and np.allclose(bn.running_var, x.var(0, ddof=1))
    # eval: one sample's output does not depend on the others
    one = bn.forward(x[:1], training=False)
    assert np.allclose(one, bn.forward(x, training=False)[:1])
    with pytest.raises(ValueError, match="at least 2 rows"):
        bn.forward(x[:1], training=True)


def test_training_reduces_the_loss_on_digits():
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    model = make_mlp(64, 32, 2, 10, seed=0)
    losses = train(model, X / 16, y, lr=0.1, steps=300, batch_size=64, seed=0)
    assert np.mean(losses[-20:]) < np.mean(losses[:20]) / 4
    acc = (model.forward(X / 16, training=False).argmax(1) == y).mean()
    assert acc > 0.85


def test_diverging_training_raises_a_clear_error():
    X = RNG.normal(size=(64, 2))
    with pytest.raises(ValueError, match="training diverged"):
        train(make_mlp(2, 16, 3, 1, seed=0), X, X[:, :1] * 100, loss="mse", lr=10.0, steps=50)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: Dense(0, 3), ValueError, "n_in must be in"),
    (lambda: Dense(2, 3, init="lecun"), ValueError, "init must be one of"),
    (lambda: Dense(2, 3, init=-1.0), ValueError, "init must be in"),
    (lambda: Activation("swish"), ValueError, "kind must be one of"),
    (lambda: Activation("leaky_relu", slope=2), ValueError, "slope must be in"),
    (lambda: activation(np.ones(2), "swish"), ValueError, "kind must be one of"),
    (lambda: activation("z", "relu"), TypeError, "z must be a numeric array"),
    (lambda: activation([np.inf], "relu"), ValueError, "z contains NaN"),
    (lambda: BatchNorm(3, momentum=1.5), ValueError, "momentum must be in"),
    (lambda: BatchNorm(3, eps=0), ValueError, "eps must be in"),
    (lambda: Residual([Dense(3, 2, seed=0)]).forward(np.ones((2, 3))), ValueError, "residual branch must keep"),
    (lambda: softmax_cross_entropy(np.ones(3), [0]), ValueError, "logits must have 2"),
    (lambda: softmax_cross_entropy(np.ones((2, 3)), [0, 3]), ValueError, r"labels must be integers in \[0, 2\]"),
    (lambda: softmax_cross_entropy(np.ones((2, 3)), [0.5, 1]), ValueError, "labels must be integers"),
    (lambda: softmax_cross_entropy(np.ones((2, 3)), [0]), ValueError, "labels must be a 1-D array of 2"),
    (lambda: softmax_cross_entropy([[np.nan, 1]], [0]), ValueError, "logits contains NaN"),
    (lambda: mse_loss(np.ones(3), np.ones(2)), ValueError, "target must have the shape"),
    (lambda: mse_loss("a", np.ones(2)), TypeError, "pred must be a numeric array"),
    (lambda: make_mlp(3, 4, 0, 2), ValueError, "depth must be in"),
    (lambda: make_mlp(3, 4, 2, 2, activation="elu"), ValueError, "activation must be one of"),
    (lambda: MLP([Dense(2, 2, seed=0)]).forward(np.ones(2)), ValueError, "x must have 2"),
    (lambda: MLP([]).sgd_step(-1), ValueError, "lr must be in"),
    (lambda: train("net", np.ones((2, 2)), [0, 1]), TypeError, "model must be an MLP"),
    (lambda: train(make_mlp(2, 2, 1, 2), np.ones((2, 2)), [0]), ValueError, "y must have 2 rows"),
    (lambda: train(make_mlp(2, 2, 1, 2), np.ones((2, 2)), [0, 1], loss="hinge"), ValueError, "loss must be one of"),
    (lambda: train(make_mlp(2, 2, 1, 2), np.ones((2, 2)), [0, 1], batch_size=0), ValueError, "batch_size must be"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
