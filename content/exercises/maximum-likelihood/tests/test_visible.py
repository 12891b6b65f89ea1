"""Visible tests: tiny samples you can check by hand."""

import numpy as np
import pytest
from solution import bernoulli_mle, gaussian_mle


def test_gaussian_mle_small():
    mu, var = gaussian_mle(np.array([1.0, 2.0, 3.0, 6.0]))
    assert mu == pytest.approx(3.0)
    assert var == pytest.approx(3.5)


def test_bernoulli_mle_small():
    assert bernoulli_mle(np.array([1, 0, 1, 1])) == pytest.approx(0.75)
