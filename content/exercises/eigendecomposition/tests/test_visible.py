"""Visible tests: a diagonal matrix and a 2x2 example."""

import numpy as np
from solution import is_positive_definite, sorted_eigh


def test_diagonal_matrix_sorted_descending():
    values, vectors = sorted_eigh(np.diag([1.0, 3.0, 2.0]))
    np.testing.assert_allclose(values, [3.0, 2.0, 1.0])
    np.testing.assert_allclose(np.abs(vectors[:, 0]), [0.0, 1.0, 0.0])


def test_positive_definite_2x2():
    assert is_positive_definite(np.array([[2.0, 1.0], [1.0, 2.0]]))
    assert not is_positive_definite(np.array([[1.0, 2.0], [2.0, 1.0]]))
