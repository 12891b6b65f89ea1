"""Finite-difference gradient checking: fill in each function."""

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of scalar ``f`` at ``x`` (any shape); ``x`` is left unchanged."""
    grad = np.zeros_like(x, dtype=float)
    fx = f(x)
    for i in range(x.size):
        step = np.zeros_like(x, dtype=float)
        step.flat[i] = eps
        grad.flat[i] = (f(x + step) - fx) / eps  # forward difference: O(eps) error
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / max(||a|| + ||b||, 1e-12)."""
    raise NotImplementedError


def gradient_check(
    f: Callable[[np.ndarray], float],
    grad_f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    eps: float = 1e-6,
    tol: float = 1e-6,
) -> bool:
    """True when ``grad_f(x)`` agrees with the numerical gradient within ``tol`` relative error."""
    raise NotImplementedError


def logistic_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of sigmoid(X @ w) against labels ``y``."""
    raise NotImplementedError


def logistic_loss_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Analytic gradient of ``logistic_loss`` with respect to ``w``."""
    raise NotImplementedError
