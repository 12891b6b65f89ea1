"""Bag-of-words, n-grams and TF-IDF: fill in each function."""

import numpy as np


def tokenize(doc: str) -> list[str]:
    """Lower-cased tokens of two or more word characters."""
    return doc.lower().split()  # keeps punctuation and one-letter words


def ngrams(tokens: list[str], n: int) -> list[str]:
    """Contiguous n-grams joined by spaces."""
    raise NotImplementedError


def count_matrix(docs: list[str], ngram_range: tuple[int, int] = (1, 1)) -> tuple[list[str], np.ndarray]:
    """Sorted vocabulary and the (n_docs, n_terms) count matrix."""
    raise NotImplementedError


def idf(counts: np.ndarray) -> np.ndarray:
    """Smoothed inverse document frequency of each column of ``counts``."""
    raise NotImplementedError


def tfidf_matrix(docs: list[str], ngram_range: tuple[int, int] = (1, 1)) -> tuple[list[str], np.ndarray]:
    """Sorted vocabulary and L2-normalised TF-IDF rows."""
    raise NotImplementedError
