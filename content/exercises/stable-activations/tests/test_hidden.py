"""Hidden tests: torch references, extreme inputs, no floating-point warnings."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from solution import leaky_relu, log_softmax, relu, sigmoid, sigmoid_grad, softmax, tanh

EXTREME = np.array([-1000.0, -745.0, -50.0, -1e-3, 0.0, 1e-3, 50.0, 710.0, 1000.0])


def random_input(shape=(7, 5)):
    return np.random.default_rng(1012).normal(scale=5.0, size=shape)


def check(ours, theirs, x, **kwargs):
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        got = ours(x, **kwargs)
    expected = theirs(torch.tensor(x, dtype=torch.float64)).numpy()
    assert got.shape == x.shape
    assert np.isfinite(got).all() or np.isneginf(expected).any()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


@pytest.mark.points(2)
def test_sigmoid_extremes_and_random():
    check(sigmoid, torch.sigmoid, EXTREME)
    check(sigmoid, torch.sigmoid, random_input())


@pytest.mark.points(1)
def test_sigmoid_grad():
    x = np.concatenate([EXTREME, random_input().ravel()])
    t = torch.tensor(x, requires_grad=True)
    torch.sigmoid(t).sum().backward()
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        np.testing.assert_allclose(sigmoid_grad(x), t.grad.numpy(), rtol=1e-10, atol=1e-300)


@pytest.mark.points(1)
def test_tanh():
    check(tanh, torch.tanh, EXTREME)
    check(tanh, torch.tanh, random_input((3, 4, 2)))


@pytest.mark.points(1)
def test_relu_and_leaky_relu():
    check(relu, torch.relu, random_input())
    check(leaky_relu, lambda t: F.leaky_relu(t, 0.2), random_input(), slope=0.2)
    check(leaky_relu, F.leaky_relu, EXTREME)


@pytest.mark.points(3)
def test_softmax_extreme_logits():
    x = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0], [710.0, 709.0, 0.0]])
    check(softmax, lambda t: torch.softmax(t, -1), x)


@pytest.mark.points(2)
def test_softmax_axis_argument():
    x = random_input((4, 6, 3)) * 100
    check(softmax, lambda t: torch.softmax(t, 0), x, axis=0)
    check(softmax, lambda t: torch.softmax(t, 1), x, axis=1)
    np.testing.assert_allclose(softmax(x, axis=1).sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.points(3)
def test_log_softmax_extreme_logits():
    x = np.array([[1000.0, 0.0, -1000.0], [0.5, -800.0, 3.0]])
    check(log_softmax, lambda t: torch.log_softmax(t, -1), x)
    check(log_softmax, lambda t: torch.log_softmax(t, 0), random_input() * 200, axis=0)


@pytest.mark.points(1)
def test_inputs_not_modified():
    x = random_input()
    before = x.copy()
    for fn in (sigmoid, tanh, relu, leaky_relu, softmax, log_softmax):
        fn(x)
    np.testing.assert_array_equal(x, before)
