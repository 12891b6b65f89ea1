"""Visible tests: points on a diagonal line."""

import numpy as np
import pytest
from solution import pca_fit


def test_line_has_one_component():
    t = np.linspace(-1, 1, 11)
    X = np.column_stack([t, t]) + 3.0
    fit = pca_fit(X, 1)
    np.testing.assert_allclose(fit["mean"], [3.0, 3.0])
    np.testing.assert_allclose(np.abs(fit["components"][0]), [2**-0.5, 2**-0.5])
    assert fit["explained_variance_ratio"][0] == pytest.approx(1.0)
