"""Visible tests: small hand-checkable cases."""

import numpy as np
import pytest
from solution import cosine_similarity, normalize_rows, pairwise_sq_distances, project_onto


def test_cosine_of_orthogonal_and_parallel_vectors():
    assert cosine_similarity(np.array([1.0, 0.0]), np.array([0.0, 3.0])) == pytest.approx(0.0)
    assert cosine_similarity(np.array([1.0, 2.0]), np.array([2.0, 4.0])) == pytest.approx(1.0)


def test_normalize_rows_small():
    out = normalize_rows(np.array([[3.0, 4.0], [0.0, 2.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 1.0]])


def test_pairwise_small():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    Y = np.array([[1.0, 0.0]])
    np.testing.assert_allclose(pairwise_sq_distances(X, Y), [[1.0], [1.0]], atol=1e-12)


def test_project_onto_axis():
    np.testing.assert_allclose(project_onto(np.array([2.0, 5.0]), np.array([3.0, 0.0])), [2.0, 0.0])
