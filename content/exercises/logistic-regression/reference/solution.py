"""Logistic regression (reference solution)."""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


def predict_proba(coef: np.ndarray, intercept: float, X: np.ndarray) -> np.ndarray:
    """P(y = 1) for each row of ``X``."""
    return _sigmoid(X @ coef + intercept)


def log_loss(y_true: np.ndarray, p: np.ndarray, eps: float = 1e-15) -> float:
    """Mean binary log loss with probabilities clipped to [eps, 1 - eps]."""
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def fit_logistic_gd(
    X: np.ndarray, y: np.ndarray, lr: float = 0.5, n_iter: int = 500
) -> tuple[np.ndarray, float]:
    """Full-batch gradient descent on the mean log loss from zeros: (coef, intercept)."""
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(n_iter):
        error = _sigmoid(X @ w + b) - y
        w -= lr * (X.T @ error) / n
        b -= lr * error.mean()
    return w, float(b)


def train_classifier(X_train: np.ndarray, y_train: np.ndarray) -> Pipeline:
    """A fitted StandardScaler + LogisticRegression pipeline."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_train, y_train)
