"""k-nearest neighbours: fill in each function."""

import numpy as np


def k_nearest(X_train: np.ndarray, X_query: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` nearest training rows for each query, nearest first."""
    raise NotImplementedError


def knn_predict(X_train: np.ndarray, y_train: np.ndarray, X_query: np.ndarray, k: int = 5) -> np.ndarray:
    """Majority label of the ``k`` nearest neighbours (ties: smallest label)."""
    raise NotImplementedError


def knn_predict_proba(
    X_train: np.ndarray, y_train: np.ndarray, X_query: np.ndarray, k: int = 5
) -> np.ndarray:
    """Vote fractions per class (classes in sorted order)."""
    raise NotImplementedError


def knn_regress(X_train: np.ndarray, y_train: np.ndarray, X_query: np.ndarray, k: int = 5) -> np.ndarray:
    """Mean target of the ``k`` nearest neighbours."""
    raise NotImplementedError
