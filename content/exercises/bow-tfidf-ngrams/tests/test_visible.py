"""Visible tests: n-grams and counts on two short documents."""

import numpy as np
from solution import count_matrix, ngrams


def test_bigrams():
    assert ngrams(["the", "cat", "sat"], 2) == ["the cat", "cat sat"]


def test_counts_small():
    vocabulary, counts = count_matrix(["the cat", "the the dog"])
    assert vocabulary == ["cat", "dog", "the"]
    np.testing.assert_array_equal(counts, [[1, 0, 1], [0, 1, 2]])
