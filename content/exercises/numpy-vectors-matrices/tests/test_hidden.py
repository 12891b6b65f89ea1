"""Hidden tests: random data against SciPy/NumPy references, edge cases and scale."""

import time

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from solution import cosine_similarity, gram_matrix, normalize_rows, pairwise_sq_distances, project_onto

RNG_SEED = 1001


def rng():
    return np.random.default_rng(RNG_SEED)


@pytest.mark.points(2)
def test_cosine_random_matches_scipy():
    a, b = rng().normal(size=(2, 50))
    expected = 1.0 - cdist(a[None], b[None], metric="cosine")[0, 0]
    got = cosine_similarity(a, b)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-9)


@pytest.mark.points(2)
def test_normalize_rows_unit_norm_and_zero_row():
    X = rng().normal(size=(20, 7))
    X[3] = 0.0
    before = X.copy()
    with np.errstate(all="raise"):
        out = normalize_rows(X)
    norms = np.linalg.norm(out, axis=1)
    np.testing.assert_allclose(np.delete(norms, 3), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(out[3], 0.0)
    np.testing.assert_array_equal(X, before)


@pytest.mark.points(3)
def test_pairwise_matches_cdist():
    gen = rng()
    X, Y = gen.normal(size=(40, 16)), gen.normal(size=(25, 16))
    got = pairwise_sq_distances(X, Y)
    assert got.shape == (40, 25)
    np.testing.assert_allclose(got, cdist(X, Y, "sqeuclidean"), rtol=1e-9, atol=1e-9)


@pytest.mark.points(1)
def test_pairwise_self_distance_never_negative():
    X = rng().normal(loc=1e3, size=(30, 8))
    d = pairwise_sq_distances(X, X)
    assert (d >= 0).all()


@pytest.mark.points(2)
def test_pairwise_is_vectorised():
    gen = rng()
    X, Y = gen.normal(size=(2000, 64)), gen.normal(size=(1000, 64))
    started = time.perf_counter()
    d = pairwise_sq_distances(X, Y)
    assert d.shape == (2000, 1000)
    assert time.perf_counter() - started < 1.5


@pytest.mark.points(2)
def test_projection_residual_is_orthogonal():
    v, u = rng().normal(size=(2, 12))
    p = project_onto(v, u)
    assert np.dot(v - p, u) == pytest.approx(0.0, abs=1e-10)
    direction = np.sign(np.dot(v, u)) * u / np.linalg.norm(u)
    np.testing.assert_allclose(p / np.linalg.norm(p), direction, rtol=1e-9)


@pytest.mark.points(1)
def test_gram_matrix():
    X = rng().normal(size=(9, 4))
    G = gram_matrix(X)
    np.testing.assert_allclose(G, [[np.dot(a, b) for b in X] for a in X], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(G, G.T)
