"""Activation functions, correct and overflow-free (reference solution)."""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent."""
    return np.tanh(np.asarray(x, dtype=float))


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit."""
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def leaky_relu(x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """ReLU with slope ``slope`` for negative inputs."""
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, x, slope * x)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Log of the softmax along ``axis``, computed stably."""
    x = np.asarray(x, dtype=float)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
