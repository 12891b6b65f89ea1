"""Optimizer steps matching torch.optim (reference solution)."""

import numpy as np


def sgd_momentum_step(
    param: np.ndarray,
    grad: np.ndarray,
    velocity: np.ndarray,
    lr: float,
    momentum: float = 0.9,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """One SGD step with momentum: (new_param, new_velocity)."""
    g = grad + weight_decay * param
    new_velocity = momentum * velocity + g
    direction = g + momentum * new_velocity if nesterov else new_velocity
    return param - lr * direction, new_velocity


def _adam_moments(
    grad: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, betas: tuple[float, float], eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    beta1, beta2 = betas
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad**2
    m_hat = new_m / (1 - beta1**t)
    v_hat = new_v / (1 - beta2**t)
    return m_hat / (np.sqrt(v_hat) + eps), new_m, new_v


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam step (t is 1-based): (new_param, new_m, new_v)."""
    step, new_m, new_v = _adam_moments(grad + weight_decay * param, m, v, t, betas, eps)
    return param - lr * step, new_m, new_v


def adamw_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One AdamW step with decoupled weight decay: (new_param, new_m, new_v)."""
    step, new_m, new_v = _adam_moments(grad, m, v, t, betas, eps)
    return param * (1 - lr * weight_decay) - lr * step, new_m, new_v
