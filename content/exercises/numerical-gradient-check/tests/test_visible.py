"""Visible tests: a one-dimensional polynomial and the relative error."""

import numpy as np
import pytest
from solution import numerical_gradient, relative_error


def test_gradient_of_cubic():
    grad = numerical_gradient(lambda x: float(np.sum(x**3)), np.array([1.0, -2.0]))
    np.testing.assert_allclose(grad, [3.0, 12.0], rtol=1e-7)


def test_relative_error_of_identical_arrays_is_zero():
    assert relative_error(np.ones(3), np.ones(3)) == pytest.approx(0.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == pytest.approx(0.0)
