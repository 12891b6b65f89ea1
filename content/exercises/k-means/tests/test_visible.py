"""Visible tests: two obvious clusters."""

import numpy as np
from solution import assign_clusters, update_centroids

X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]])


def test_assign_two_clusters():
    labels = assign_clusters(X, np.array([[0.0, 0.5], [9.0, 9.0]]))
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])


def test_update_to_means():
    centroids = update_centroids(X, np.array([0, 0, 1, 1]), np.zeros((2, 2)))
    np.testing.assert_allclose(centroids, [[0.0, 0.5], [10.0, 10.5]])
