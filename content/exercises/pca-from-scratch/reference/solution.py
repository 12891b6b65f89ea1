"""PCA via SVD (reference solution)."""

import numpy as np


def _explained(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = X.mean(axis=0)
    _, singular, vt = np.linalg.svd(X - mean, full_matrices=False)
    return mean, vt, singular**2 / (X.shape[0] - 1)


def pca_fit(X: np.ndarray, n_components: int) -> dict[str, np.ndarray]:
    """Mean, components, explained variance and explained variance ratio of the top components."""
    mean, vt, variance = _explained(X)
    return {
        "mean": mean,
        "components": vt[:n_components],
        "explained_variance": variance[:n_components],
        "explained_variance_ratio": variance[:n_components] / variance.sum(),
    }


def pca_transform(X: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Coordinates of ``X`` along ``components``."""
    return (X - mean) @ components.T


def pca_inverse_transform(Z: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Map projected coordinates back to the original space."""
    return Z @ components + mean


def n_components_for_variance(X: np.ndarray, threshold: float) -> int:
    """Smallest number of components explaining at least ``threshold`` of the variance."""
    _, _, variance = _explained(X)
    cumulative = np.cumsum(variance) / variance.sum()
    return int(np.searchsorted(cumulative, threshold) + 1)
