"""Finite-difference gradient checking (reference solution)."""

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of scalar ``f`` at ``x`` (any shape); ``x`` is left unchanged."""
    x = np.array(x, dtype=float)  # work on a copy so the caller's array never changes
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = f(x)
        flat[i] = original - eps
        minus = f(x)
        flat[i] = original
        grad.flat[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / max(||a|| + ||b||, 1e-12)."""
    denominator = max(float(np.linalg.norm(a) + np.linalg.norm(b)), 1e-12)
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / denominator)


def gradient_check(
    f: Callable[[np.ndarray], float],
    grad_f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    eps: float = 1e-6,
    tol: float = 1e-6,
) -> bool:
    """True when ``grad_f(x)`` agrees with the numerical gradient within ``tol`` relative error."""
    return relative_error(grad_f(x), numerical_gradient(f, x, eps)) < tol


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


def logistic_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of sigmoid(X @ w) against labels ``y``."""
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def logistic_loss_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Analytic gradient of ``logistic_loss`` with respect to ``w``."""
    return X.T @ (_sigmoid(X @ w) - y) / X.shape[0]
