"""PCA via SVD: fill in each function."""

import numpy as np


def pca_fit(X: np.ndarray, n_components: int) -> dict[str, np.ndarray]:
    """Mean, components, explained variance and explained variance ratio of the top components."""
    raise NotImplementedError


def pca_transform(X: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Coordinates of ``X`` along ``components``."""
    raise NotImplementedError


def pca_inverse_transform(Z: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Map projected coordinates back to the original space."""
    return Z @ components  # forgot to add the mean back


def n_components_for_variance(X: np.ndarray, threshold: float) -> int:
    """Smallest number of components explaining at least ``threshold`` of the variance."""
    raise NotImplementedError
