"""Skip-gram with negative sampling (reference solution)."""

import numpy as np


def skipgram_pairs(token_ids: list[int], window: int) -> list[tuple[int, int]]:
    """(center, context) pairs for every position and every neighbour within ``window``."""
    pairs = []
    for i, center in enumerate(token_ids):
        for j in range(max(0, i - window), min(len(token_ids), i + window + 1)):
            if j != i:
                pairs.append((center, token_ids[j]))
    return pairs


def negative_sampling_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """Unigram counts raised to ``power``, normalised to sum to 1."""
    weights = np.asarray(counts, dtype=float) ** power
    return weights / weights.sum()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))


def sgns_loss(W_in: np.ndarray, W_out: np.ndarray, center: int, context: int, negatives: list[int]) -> float:
    """Negative-sampling loss of one (center, context) pair with its negatives."""
    v = W_in[center]
    positive = np.logaddexp(0.0, -(W_out[context] @ v))
    negative = np.logaddexp(0.0, W_out[negatives] @ v).sum()
    return float(positive + negative)


def sgns_step(
    W_in: np.ndarray, W_out: np.ndarray, center: int, context: int, negatives: list[int], lr: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """One SGD step on the negative-sampling loss: (new W_in, new W_out, loss before the step)."""
    loss = sgns_loss(W_in, W_out, center, context, negatives)
    v = W_in[center]
    rows = np.array([context, *negatives])
    # coefficient of each output row: sigma(u.v) - label, label 1 for the context and 0 for negatives
    coefficients = _sigmoid(W_out[rows] @ v) - np.array([1.0] + [0.0] * len(negatives))
    grad_v = coefficients @ W_out[rows]
    new_out = W_out.copy()
    np.add.at(new_out, rows, -lr * coefficients[:, None] * v[None, :])
    new_in = W_in.copy()
    new_in[center] -= lr * grad_v
    return new_in, new_out, loss
