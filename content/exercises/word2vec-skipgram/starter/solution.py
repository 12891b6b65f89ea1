"""Skip-gram with negative sampling: fill in each function."""

import numpy as np


def skipgram_pairs(token_ids: list[int], window: int) -> list[tuple[int, int]]:
    """(center, context) pairs for every position and every neighbour within ``window``."""
    raise NotImplementedError


def negative_sampling_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """Unigram counts raised to ``power``, normalised to sum to 1."""
    return counts / counts.sum()  # forgot the 0.75 power


def sgns_loss(W_in: np.ndarray, W_out: np.ndarray, center: int, context: int, negatives: list[int]) -> float:
    """Negative-sampling loss of one (center, context) pair with its negatives."""
    raise NotImplementedError


def sgns_step(
    W_in: np.ndarray, W_out: np.ndarray, center: int, context: int, negatives: list[int], lr: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """One SGD step on the negative-sampling loss: (new W_in, new W_out, loss before the step)."""
    raise NotImplementedError
