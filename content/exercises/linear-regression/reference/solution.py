"""Linear and ridge regression (reference solution)."""

import numpy as np
from sklearn.linear_model import LinearRegression


def fit_least_squares(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Ordinary least squares: (coef, intercept)."""
    design = np.hstack([X, np.ones((X.shape[0], 1))])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    return solution[:-1], float(solution[-1])


def fit_ridge(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """Ridge regression with an unpenalised intercept: (coef, intercept)."""
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    return coef, float(y_mean - x_mean @ coef)


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination."""
    residual = np.sum((y_true - y_pred) ** 2)
    total = np.sum((y_true - np.mean(y_true)) ** 2)
    return float(1.0 - residual / total)


def fit_gradient_descent(
    X: np.ndarray, y: np.ndarray, lr: float = 0.1, n_iter: int = 2000
) -> tuple[np.ndarray, float]:
    """Full-batch gradient descent on the mean squared error from zeros: (coef, intercept)."""
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(n_iter):
        residual = X @ w + b - y
        w -= lr * 2.0 / n * (X.T @ residual)
        b -= lr * 2.0 / n * residual.sum()
    return w, float(b)


def fit_sklearn(X: np.ndarray, y: np.ndarray) -> LinearRegression:
    """A fitted scikit-learn LinearRegression."""
    return LinearRegression().fit(X, y)
