"""Hidden tests: random symmetric matrices checked against the eigen equations."""

import numpy as np
import pytest
from solution import condition_number, is_positive_definite, power_iteration, reconstruct, sorted_eigh


def random_symmetric(n, seed=1002):
    M = np.random.default_rng(seed).normal(size=(n, n))
    return (M + M.T) / 2


def spd_with_gap(n=8, seed=1002):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    values = np.array([10.0, 4.0, 3.0, 2.5, 2.0, 1.0, 0.5, 0.1][:n])
    return (Q * values) @ Q.T, values


def assert_same_up_to_sign(a, b, atol):
    sign = np.sign(np.sum(a * b, axis=0))
    sign[sign == 0] = 1
    np.testing.assert_allclose(a * sign, b, atol=atol)


@pytest.mark.points(2)
def test_eigh_descending_matches_numpy():
    A = random_symmetric(6)
    values, vectors = sorted_eigh(A)
    expected_values, expected_vectors = np.linalg.eigh(A)
    np.testing.assert_allclose(values, expected_values[::-1], rtol=1e-8)
    assert_same_up_to_sign(vectors, expected_vectors[:, ::-1], atol=1e-8)


@pytest.mark.points(2)
def test_eigen_equation_and_orthonormality():
    A = random_symmetric(7, seed=7)
    values, vectors = sorted_eigh(A)
    np.testing.assert_allclose(A @ vectors, vectors * values, atol=1e-8)
    np.testing.assert_allclose(vectors.T @ vectors, np.eye(7), atol=1e-8)


@pytest.mark.points(2)
def test_reconstruct_round_trip():
    A = random_symmetric(5, seed=3)
    np.testing.assert_allclose(reconstruct(*sorted_eigh(A)), A, rtol=1e-8, atol=1e-10)
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(4, 4)))
    w = np.array([4.0, -1.0, 0.5, 2.0])
    np.testing.assert_allclose(reconstruct(w, Q), Q @ np.diag(w) @ Q.T, atol=1e-10)


@pytest.mark.points(3)
def test_power_iteration_finds_dominant_pair():
    A, values = spd_with_gap()
    lam, v = power_iteration(A)
    assert lam == pytest.approx(values[0], rel=1e-6)
    assert np.linalg.norm(v) == pytest.approx(1.0, rel=1e-9)
    np.testing.assert_allclose(A @ v, lam * v, atol=1e-6)


@pytest.mark.points(1)
def test_power_iteration_is_seeded():
    A, _ = spd_with_gap(seed=11)
    _, v1 = power_iteration(A, seed=5)
    _, v2 = power_iteration(A, seed=5)
    np.testing.assert_array_equal(v1, v2)


@pytest.mark.points(1)
def test_positive_definite_on_gram_matrices():
    X = np.random.default_rng(2).normal(size=(10, 4))
    assert is_positive_definite(X.T @ X)
    assert not is_positive_definite(X @ X.T)  # rank 4 in 10 dimensions


@pytest.mark.points(2)
def test_condition_number():
    A, values = spd_with_gap()
    assert condition_number(A) == pytest.approx(values[0] / values[-1], rel=1e-8)
    assert condition_number(np.diag([2.0, -4.0])) == pytest.approx(2.0)
    assert condition_number(np.diag([1.0, 0.0])) == float("inf")
