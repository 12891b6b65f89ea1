"""Hidden tests: agreement with scikit-learn's neighbours estimators."""

import time

import numpy as np
import pytest
from sklearn.datasets import load_wine, make_classification
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor, NearestNeighbors
from sklearn.preprocessing import StandardScaler
from solution import k_nearest, knn_predict, knn_predict_proba, knn_regress


def classification(n=600, classes=3, seed=1009):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_classes=classes, random_state=seed
    )
    return X[:400], y[:400], X[400:]


@pytest.mark.points(2)
def test_k_nearest_matches_sklearn():
    X, _, Q = classification()
    expected = NearestNeighbors(n_neighbors=7).fit(X).kneighbors(Q, return_distance=False)
    np.testing.assert_array_equal(k_nearest(X, Q, 7), expected)


@pytest.mark.points(3)
def test_predict_matches_sklearn_for_several_k():
    X, y, Q = classification()
    for k in (1, 4, 5, 10):
        expected = KNeighborsClassifier(n_neighbors=k).fit(X, y).predict(Q)
        np.testing.assert_array_equal(knn_predict(X, y, Q, k), expected)


@pytest.mark.points(1)
def test_tie_goes_to_smallest_label():
    X = np.array([[0.0], [1.0], [-1.1], [2.2]])
    y = np.array([7, 3, 7, 3])
    np.testing.assert_array_equal(knn_predict(X, y, np.array([[0.0]]), k=4), [3])


@pytest.mark.points(2)
def test_predict_proba_matches_sklearn_on_wine():
    data = load_wine()
    X = StandardScaler().fit_transform(data.data)
    train, query = np.arange(len(X)) % 4 != 0, np.arange(len(X)) % 4 == 0
    model = KNeighborsClassifier(n_neighbors=6).fit(X[train], data.target[train])
    got = knn_predict_proba(X[train], data.target[train], X[query], 6)
    np.testing.assert_allclose(got, model.predict_proba(X[query]))


@pytest.mark.points(1)
def test_string_labels():
    X, y, Q = classification(classes=2)
    names = np.array(["ham", "spam"])[y]
    expected = KNeighborsClassifier(n_neighbors=5).fit(X, names).predict(Q)
    np.testing.assert_array_equal(knn_predict(X, names, Q, 5), expected)


@pytest.mark.points(2)
def test_regression_matches_sklearn():
    gen = np.random.default_rng(3)
    X = gen.normal(size=(300, 3))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    Q = gen.normal(size=(50, 3))
    expected = KNeighborsRegressor(n_neighbors=8).fit(X, y).predict(Q)
    np.testing.assert_allclose(knn_regress(X, y, Q, 8), expected, rtol=1e-12)


@pytest.mark.points(1)
def test_vectorised_speed():
    gen = np.random.default_rng(4)
    X, Q = gen.normal(size=(2000, 16)), gen.normal(size=(1000, 16))
    y = gen.integers(0, 5, 2000)
    started = time.perf_counter()
    assert knn_predict(X, y, Q, 5).shape == (1000,)
    assert time.perf_counter() - started < 2.0
