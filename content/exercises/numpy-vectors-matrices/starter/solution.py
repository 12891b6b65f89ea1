"""Vector and matrix operations with NumPy: fill in each function."""

import numpy as np


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of the angle between vectors ``a`` and ``b``."""
    raise NotImplementedError


def normalize_rows(X: np.ndarray) -> np.ndarray:
    """Each row of ``X`` scaled to unit L2 norm; zero rows stay zero."""
    raise NotImplementedError


def pairwise_sq_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between every row of ``X`` and every row of ``Y``: shape (n, m)."""
    raise NotImplementedError


def project_onto(v: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Orthogonal projection of ``v`` onto the line spanned by ``u``."""
    raise NotImplementedError


def gram_matrix(X: np.ndarray) -> np.ndarray:
    """All pairwise dot products of the rows of ``X``: X @ X.T."""
    raise NotImplementedError
