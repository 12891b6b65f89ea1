"""Linear and ridge regression: fill in each function."""

import numpy as np
from sklearn.linear_model import LinearRegression


def fit_least_squares(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Ordinary least squares: (coef, intercept)."""
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    return coef, 0.0  # forgot the intercept column


def fit_ridge(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """Ridge regression with an unpenalised intercept: (coef, intercept)."""
    raise NotImplementedError


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination."""
    raise NotImplementedError


def fit_gradient_descent(
    X: np.ndarray, y: np.ndarray, lr: float = 0.1, n_iter: int = 2000
) -> tuple[np.ndarray, float]:
    """Full-batch gradient descent on the mean squared error from zeros: (coef, intercept)."""
    raise NotImplementedError


def fit_sklearn(X: np.ndarray, y: np.ndarray) -> LinearRegression:
    """A fitted scikit-learn LinearRegression."""
    raise NotImplementedError
