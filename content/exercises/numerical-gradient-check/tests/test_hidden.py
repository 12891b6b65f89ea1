"""Hidden tests: gradients of matrix functions and logistic loss against torch autograd."""

import numpy as np
import pytest
import torch
from solution import gradient_check, logistic_loss, logistic_loss_grad, numerical_gradient, relative_error


def data(seed=1003, n=30, d=5):
    gen = np.random.default_rng(seed)
    X = gen.normal(size=(n, d))
    y = (gen.random(n) < 0.5).astype(float)
    w = gen.normal(size=d)
    return w, X, y


def torch_grad(fn, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    fn(t).backward()
    return t.grad.numpy()


@pytest.mark.points(2)
def test_numerical_gradient_of_quadratic_form():
    gen = np.random.default_rng(0)
    A = gen.normal(size=(6, 6))
    x = gen.normal(size=6)
    grad = numerical_gradient(lambda v: float(v @ A @ v), x)
    assert relative_error(grad, (A + A.T) @ x) < 1e-8


@pytest.mark.points(2)
def test_numerical_gradient_matrix_shaped_input():
    gen = np.random.default_rng(1)
    W = gen.normal(size=(3, 4))
    x = gen.normal(size=4)
    grad = numerical_gradient(lambda M: float(np.sum(np.tanh(M @ x))), W)
    assert grad.shape == (3, 4)
    expected = torch_grad(lambda M: torch.tanh(M @ torch.tensor(x)).sum(), W)
    assert relative_error(grad, expected) < 1e-7


@pytest.mark.points(1)
def test_numerical_gradient_leaves_input_unchanged():
    x = np.array([0.5, 1.5, -2.0])
    before = x.copy()
    numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.points(1)
def test_central_difference_accuracy():
    x = np.array([0.3])
    grad = numerical_gradient(lambda v: float(np.exp(v[0]) * 1e3), x, eps=1e-4)
    # a forward difference is off by ~eps/2 * f''(x) = 0.067 here; a central one by ~1e-6
    assert grad[0] == pytest.approx(1e3 * np.exp(0.3), abs=1e-4)


@pytest.mark.points(2)
def test_logistic_loss_matches_torch():
    w, X, y = data()
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(X @ w), torch.tensor(y)
    ).item()
    assert logistic_loss(w, X, y) == pytest.approx(expected, rel=1e-10)


@pytest.mark.points(1)
def test_logistic_loss_stable_for_large_logits():
    w, X, y = data(seed=5)
    loss = logistic_loss(w * 1e4, X, y)
    assert np.isfinite(loss)


@pytest.mark.points(3)
def test_logistic_grad_matches_autograd():
    w, X, y = data(seed=9)
    expected = torch_grad(
        lambda t: torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(X) @ t, torch.tensor(y)),
        w,
    )
    assert relative_error(logistic_loss_grad(w, X, y), expected) < 1e-10


@pytest.mark.points(2)
def test_gradient_check_accepts_right_and_rejects_wrong():
    w, X, y = data(seed=4)

    def loss(v):
        return logistic_loss(v, X, y)

    def right(v):
        return logistic_loss_grad(v, X, y)

    def wrong(v):
        return X.T @ (1 / (1 + np.exp(-X @ v)) - y)  # forgot to divide by n

    assert gradient_check(loss, right, w)
    assert not gradient_check(loss, wrong, w)
