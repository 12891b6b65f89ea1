"""Visible tests: values you can compute by hand."""

import numpy as np
from solution import relu, sigmoid, softmax


def test_sigmoid_at_zero():
    np.testing.assert_allclose(sigmoid(np.array([0.0])), [0.5])


def test_relu_small():
    np.testing.assert_allclose(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


def test_softmax_uniform():
    np.testing.assert_allclose(softmax(np.array([1.0, 1.0, 1.0, 1.0])), [0.25] * 4)
