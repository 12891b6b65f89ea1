"""Eigen-decomposition of symmetric matrices (reference solution)."""

import numpy as np


def sorted_eigh(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of symmetric ``A`` in descending order and unit eigenvectors as columns."""
    values, vectors = np.linalg.eigh(A)
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order]


def reconstruct(eigenvalues: np.ndarray, eigenvectors: np.ndarray) -> np.ndarray:
    """Rebuild the matrix Q diag(w) Q^T."""
    return (eigenvectors * eigenvalues) @ eigenvectors.T


def power_iteration(
    A: np.ndarray, n_iter: int = 1000, tol: float = 1e-12, seed: int = 0
) -> tuple[float, np.ndarray]:
    """Dominant eigenvalue (Rayleigh quotient) and unit eigenvector of ``A``."""
    v = np.random.default_rng(seed).normal(size=A.shape[0])
    v /= np.linalg.norm(v)
    for _ in range(n_iter):
        w = A @ v
        w /= np.linalg.norm(w)
        if w @ v < 0:
            w = -w
        done = np.linalg.norm(w - v) < tol
        v = w
        if done:
            break
    return float(v @ A @ v), v


def is_positive_definite(A: np.ndarray) -> bool:
    """True when every eigenvalue of symmetric ``A`` exceeds 1e-10."""
    return bool(np.all(np.linalg.eigvalsh(A) > 1e-10))


def condition_number(A: np.ndarray) -> float:
    """|lambda|_max / |lambda|_min of symmetric ``A``; inf when singular."""
    magnitudes = np.abs(np.linalg.eigvalsh(A))
    smallest = magnitudes.min()
    if smallest == 0:
        return float("inf")
    return float(magnitudes.max() / smallest)
