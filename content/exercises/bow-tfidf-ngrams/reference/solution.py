"""Bag-of-words, n-grams and TF-IDF (reference solution)."""

import re
from collections import Counter

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def tokenize(doc: str) -> list[str]:
    """Lower-cased tokens of two or more word characters."""
    return _TOKEN.findall(doc.lower())


def ngrams(tokens: list[str], n: int) -> list[str]:
    """Contiguous n-grams joined by spaces."""
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def _terms(doc: str, ngram_range: tuple[int, int]) -> list[str]:
    tokens = tokenize(doc)
    low, high = ngram_range
    return [term for n in range(low, high + 1) for term in ngrams(tokens, n)]


def count_matrix(docs: list[str], ngram_range: tuple[int, int] = (1, 1)) -> tuple[list[str], np.ndarray]:
    """Sorted vocabulary and the (n_docs, n_terms) count matrix."""
    per_doc = [Counter(_terms(doc, ngram_range)) for doc in docs]
    vocabulary = sorted(set().union(*per_doc))
    index = {term: j for j, term in enumerate(vocabulary)}
    counts = np.zeros((len(docs), len(vocabulary)), dtype=np.int64)
    for i, counter in enumerate(per_doc):
        for term, count in counter.items():
            counts[i, index[term]] = count
    return vocabulary, counts


def idf(counts: np.ndarray) -> np.ndarray:
    """Smoothed inverse document frequency of each column of ``counts``."""
    n_docs = counts.shape[0]
    df = (counts > 0).sum(axis=0)
    return np.log((1 + n_docs) / (1 + df)) + 1


def tfidf_matrix(docs: list[str], ngram_range: tuple[int, int] = (1, 1)) -> tuple[list[str], np.ndarray]:
    """Sorted vocabulary and L2-normalised TF-IDF rows."""
    vocabulary, counts = count_matrix(docs, ngram_range)
    weights = counts * idf(counts)
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    return vocabulary, np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)
