"""Maximum-likelihood estimators (reference solution)."""

import numpy as np
from scipy.special import gammaln


def gaussian_mle(x: np.ndarray) -> tuple[float, float]:
    """MLE of the mean and variance of a Gaussian sample."""
    mu = float(np.mean(x))
    return mu, float(np.mean((x - mu) ** 2))


def gaussian_log_likelihood(x: np.ndarray, mu: float, var: float) -> float:
    """Sum of the Gaussian log-densities of ``x``."""
    n = len(x)
    return float(-0.5 * n * np.log(2 * np.pi * var) - np.sum((x - mu) ** 2) / (2 * var))


def bernoulli_mle(x: np.ndarray) -> float:
    """MLE of p for 0/1 samples."""
    return float(np.mean(x))


def poisson_mle(x: np.ndarray) -> float:
    """MLE of the Poisson rate."""
    return float(np.mean(x))


def poisson_log_likelihood(x: np.ndarray, lam: float) -> float:
    """Sum of the Poisson log-probabilities of counts ``x``."""
    return float(np.sum(x * np.log(lam) - lam - gammaln(x + 1)))


def exponential_mle(x: np.ndarray) -> float:
    """MLE of the exponential rate."""
    return float(1.0 / np.mean(x))
