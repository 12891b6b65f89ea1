"""k-means with Lloyd's algorithm: fill in each function."""

import numpy as np


def assign_clusters(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid for every row of ``X`` (ties: lowest index)."""
    raise NotImplementedError


def update_centroids(X: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Mean of each cluster's points; empty clusters keep their old centroid."""
    raise NotImplementedError


def inertia(X: np.ndarray, centroids: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances from each point to its assigned centroid."""
    raise NotImplementedError


def kmeans(
    X: np.ndarray, init_centroids: np.ndarray, max_iter: int = 300
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Lloyd's algorithm from ``init_centroids``: (centroids, labels, inertia, n_iter)."""
    raise NotImplementedError


def kmeans_plus_plus(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """k-means++ seeding: ``k`` rows of ``X``."""
    return X[:k].copy()  # the first k rows: not k-means++
