"""Visible tests: an exactly linear toy problem."""

import numpy as np
import pytest
from solution import fit_least_squares, r2_score


def test_recovers_exact_line():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    coef, intercept = fit_least_squares(X, 2.0 * X[:, 0] + 1.0)
    np.testing.assert_allclose(coef, [2.0], atol=1e-10)
    assert intercept == pytest.approx(1.0)


def test_r2_of_perfect_prediction_is_one():
    y = np.array([1.0, 2.0, 4.0])
    assert r2_score(y, y) == pytest.approx(1.0)
