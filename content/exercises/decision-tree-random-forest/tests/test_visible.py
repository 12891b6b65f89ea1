"""Visible tests: impurities of tiny label sets."""

import numpy as np
import pytest
from solution import entropy, gini


def test_gini_of_pure_and_balanced_nodes():
    assert gini(np.array([1, 1, 1])) == pytest.approx(0.0)
    assert gini(np.array([0, 1, 0, 1])) == pytest.approx(0.5)


def test_entropy_of_fair_coin_is_one_bit():
    assert entropy(np.array([0, 1])) == pytest.approx(1.0)
