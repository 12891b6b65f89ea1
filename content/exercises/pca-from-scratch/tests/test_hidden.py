"""Hidden tests: digits data against scikit-learn's PCA, signs aligned."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.decomposition import PCA
from solution import n_components_for_variance, pca_fit, pca_inverse_transform, pca_transform


def digits():
    return load_digits().data[:600]


def align(components, reference):
    signs = np.sign(np.sum(components * reference, axis=1))
    return components * signs[:, None], signs


@pytest.mark.points(3)
def test_components_match_sklearn_up_to_sign():
    X = digits()
    fit = pca_fit(X, 10)
    expected = PCA(n_components=10, svd_solver="full").fit(X)
    assert fit["components"].shape == (10, 64)
    aligned, _ = align(fit["components"], expected.components_)
    np.testing.assert_allclose(aligned, expected.components_, atol=1e-6)
    np.testing.assert_allclose(fit["mean"], expected.mean_, atol=1e-10)


@pytest.mark.points(2)
def test_explained_variance_and_ratio():
    X = digits()
    fit = pca_fit(X, 12)
    expected = PCA(n_components=12, svd_solver="full").fit(X)
    np.testing.assert_allclose(fit["explained_variance"], expected.explained_variance_, rtol=1e-6)
    np.testing.assert_allclose(fit["explained_variance_ratio"], expected.explained_variance_ratio_, rtol=1e-6)


@pytest.mark.points(2)
def test_transform_matches_sklearn_up_to_sign():
    X = digits()
    fit = pca_fit(X, 5)
    expected = PCA(n_components=5, svd_solver="full").fit(X)
    _, signs = align(fit["components"], expected.components_)
    Z = pca_transform(X[:50], fit["mean"], fit["components"])
    np.testing.assert_allclose(Z * signs, expected.transform(X[:50]), atol=1e-6)


@pytest.mark.points(2)
def test_full_rank_round_trip_and_partial_reconstruction():
    X = load_iris().data
    full = pca_fit(X, 4)
    back = pca_inverse_transform(
        pca_transform(X, full["mean"], full["components"]), full["mean"], full["components"]
    )
    np.testing.assert_allclose(back, X, atol=1e-10)
    two = pca_fit(X, 2)
    approx = pca_inverse_transform(
        pca_transform(X, two["mean"], two["components"]), two["mean"], two["components"]
    )
    expected = PCA(n_components=2, svd_solver="full").fit(X)
    np.testing.assert_allclose(approx, expected.inverse_transform(expected.transform(X)), atol=1e-8)


@pytest.mark.points(1)
def test_components_are_orthonormal():
    fit = pca_fit(digits(), 8)
    np.testing.assert_allclose(fit["components"] @ fit["components"].T, np.eye(8), atol=1e-10)


@pytest.mark.points(2)
def test_components_for_variance_matches_sklearn():
    X = digits()
    for threshold in (0.5, 0.8, 0.95):
        expected = PCA(n_components=threshold, svd_solver="full").fit(X).n_components_
        assert n_components_for_variance(X, threshold) == expected
