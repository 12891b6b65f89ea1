"""Visible tests: pairs from a short sentence and the loss at zero embeddings."""

import numpy as np
import pytest
from solution import sgns_loss, skipgram_pairs


def test_pairs_window_one():
    assert skipgram_pairs([10, 11, 12], 1) == [(10, 11), (11, 10), (11, 12), (12, 11)]


def test_loss_of_zero_embeddings():
    W = np.zeros((4, 3))
    assert sgns_loss(W, W, 0, 1, [2, 3]) == pytest.approx(3 * np.log(2))
