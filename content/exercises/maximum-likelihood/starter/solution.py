"""Maximum-likelihood estimators: fill in each function."""

import numpy as np


def gaussian_mle(x: np.ndarray) -> tuple[float, float]:
    """MLE of the mean and variance of a Gaussian sample."""
    return float(np.mean(x)), float(np.var(x, ddof=1))  # the unbiased variance is not the MLE


def gaussian_log_likelihood(x: np.ndarray, mu: float, var: float) -> float:
    """Sum of the Gaussian log-densities of ``x``."""
    raise NotImplementedError


def bernoulli_mle(x: np.ndarray) -> float:
    """MLE of p for 0/1 samples."""
    raise NotImplementedError


def poisson_mle(x: np.ndarray) -> float:
    """MLE of the Poisson rate."""
    raise NotImplementedError


def poisson_log_likelihood(x: np.ndarray, lam: float) -> float:
    """Sum of the Poisson log-probabilities of counts ``x``."""
    raise NotImplementedError


def exponential_mle(x: np.ndarray) -> float:
    """MLE of the exponential rate."""
    raise NotImplementedError
