"""Hidden tests: Lloyd's algorithm against scikit-learn's KMeans from the same initial centroids."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from solution import assign_clusters, inertia, kmeans, kmeans_plus_plus, update_centroids


def blobs(seed=1010):
    X, _ = make_blobs(n_samples=500, centers=4, cluster_std=1.8, n_features=3, random_state=seed)
    return X


@pytest.mark.points(1)
def test_assign_tie_goes_to_lowest_index():
    labels = assign_clusters(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0], [-1.0, 0.0]]))
    np.testing.assert_array_equal(labels, [0])


@pytest.mark.points(1)
def test_empty_cluster_keeps_its_centroid():
    X = blobs()[:20]
    old = np.array([[0.0, 0.0, 0.0], [1e6, 1e6, 1e6]])
    new = update_centroids(X, np.zeros(20, dtype=int), old)
    np.testing.assert_allclose(new[0], X.mean(axis=0))
    np.testing.assert_array_equal(new[1], old[1])


@pytest.mark.points(1)
def test_inertia():
    X = blobs()
    centroids = X[:4]
    labels = assign_clusters(X, centroids)
    expected = sum(float(np.sum((x - centroids[j]) ** 2)) for x, j in zip(X, labels, strict=True))
    assert inertia(X, centroids, labels) == pytest.approx(expected, rel=1e-10)


@pytest.mark.points(4)
def test_kmeans_matches_sklearn_from_same_init():
    for seed in (1, 2, 3):
        X = blobs(seed)
        init = X[np.random.default_rng(seed).choice(len(X), 4, replace=False)]
        init_copy = init.copy()
        centroids, labels, value, n_iter = kmeans(X, init)
        expected = KMeans(n_clusters=4, init=init, n_init=1, algorithm="lloyd", tol=0).fit(X)
        np.testing.assert_array_equal(init, init_copy)
        np.testing.assert_array_equal(labels, expected.labels_)
        np.testing.assert_allclose(centroids, expected.cluster_centers_, atol=1e-6)
        assert value == pytest.approx(expected.inertia_, rel=1e-6)
        assert 1 <= n_iter <= 300


@pytest.mark.points(1)
def test_kmeans_never_increases_inertia():
    X = blobs(7)
    init = X[:4]
    _, _, final, _ = kmeans(X, init)
    assert final <= inertia(X, init, assign_clusters(X, init)) + 1e-9


@pytest.mark.points(2)
def test_kmeans_plus_plus_properties():
    X = blobs(5)
    seeds = kmeans_plus_plus(X, 4, seed=0)
    assert seeds.shape == (4, 3)
    rows = {tuple(row) for row in X}
    assert all(tuple(s) in rows for s in seeds)
    assert len({tuple(s) for s in seeds}) == 4
    np.testing.assert_array_equal(seeds, kmeans_plus_plus(X, 4, seed=0))


@pytest.mark.points(2)
def test_kmeans_plus_plus_spreads_out():
    X, truth = make_blobs(n_samples=400, centers=4, cluster_std=0.3, random_state=0)
    hits = 0
    for seed in range(20):
        seeds = kmeans_plus_plus(X, 4, seed=seed)
        owners = {int(truth[np.where((s == X).all(axis=1))[0][0]]) for s in seeds}
        hits += len(owners) == 4
    assert hits >= 15  # far-apart tight blobs: D^2 sampling nearly always covers all four
