"""k-means with Lloyd's algorithm (reference solution)."""

import numpy as np


def _sq_distances(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)


def assign_clusters(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid for every row of ``X`` (ties: lowest index)."""
    return np.argmin(_sq_distances(X, centroids), axis=1)


def update_centroids(X: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Mean of each cluster's points; empty clusters keep their old centroid."""
    updated = centroids.astype(float).copy()
    for j in range(len(centroids)):
        members = X[labels == j]
        if len(members):
            updated[j] = members.mean(axis=0)
    return updated


def inertia(X: np.ndarray, centroids: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances from each point to its assigned centroid."""
    return float(((X - centroids[labels]) ** 2).sum())


def kmeans(
    X: np.ndarray, init_centroids: np.ndarray, max_iter: int = 300
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Lloyd's algorithm from ``init_centroids``: (centroids, labels, inertia, n_iter)."""
    centroids = init_centroids.astype(float).copy()
    labels = assign_clusters(X, centroids)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        centroids = update_centroids(X, labels, centroids)
        new_labels = assign_clusters(X, centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, labels, inertia(X, centroids, labels), n_iter


def kmeans_plus_plus(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """k-means++ seeding: ``k`` rows of ``X``."""
    rng = np.random.default_rng(seed)
    chosen = [int(rng.integers(len(X)))]
    closest = ((X - X[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, k):
        index = int(rng.choice(len(X), p=closest / closest.sum()))
        chosen.append(index)
        closest = np.minimum(closest, ((X - X[index]) ** 2).sum(axis=1))
    return X[chosen].copy()
