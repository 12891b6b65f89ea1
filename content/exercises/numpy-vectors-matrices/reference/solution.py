"""Vector and matrix operations with NumPy (reference solution)."""

import numpy as np


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of the angle between vectors ``a`` and ``b``."""
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def normalize_rows(X: np.ndarray) -> np.ndarray:
    """Each row of ``X`` scaled to unit L2 norm; zero rows stay zero."""
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X, dtype=float), where=norms > 0)


def pairwise_sq_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between every row of ``X`` and every row of ``Y``: shape (n, m)."""
    sq = (X**2).sum(axis=1)[:, None] - 2.0 * X @ Y.T + (Y**2).sum(axis=1)[None, :]
    return np.maximum(sq, 0.0)


def project_onto(v: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Orthogonal projection of ``v`` onto the line spanned by ``u``."""
    return (np.dot(v, u) / np.dot(u, u)) * u


def gram_matrix(X: np.ndarray) -> np.ndarray:
    """All pairwise dot products of the rows of ``X``: X @ X.T."""
    return X @ X.T
