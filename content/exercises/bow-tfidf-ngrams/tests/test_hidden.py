"""Hidden tests: agreement with scikit-learn's CountVectorizer and TfidfVectorizer."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from solution import count_matrix, idf, ngrams, tfidf_matrix, tokenize

DOCS = [
    "The quick brown fox jumps over the lazy dog.",
    "Never jump over the lazy dog quickly; the dog bites!",
    "A fox, a dog and I: three friends in 2024.",
    "Brown dogs and brown foxes are quick, quick, quick.",
    "x y z",
    "The end.",
]


@pytest.mark.points(1)
def test_tokenize_drops_single_characters():
    assert tokenize("A fox, a dog and I: 2024's x1") == ["fox", "dog", "and", "2024", "x1"]


@pytest.mark.points(1)
def test_ngrams_edge_cases():
    assert ngrams(["a", "b"], 3) == []
    assert ngrams(["a", "b", "c"], 1) == ["a", "b", "c"]
    assert ngrams(["a", "b", "c"], 3) == ["a b c"]


@pytest.mark.points(3)
@pytest.mark.task(1)
def test_unigram_counts_match_count_vectorizer():
    vectorizer = CountVectorizer()
    expected = vectorizer.fit_transform(DOCS).toarray()
    vocabulary, counts = count_matrix(DOCS)
    assert vocabulary == list(vectorizer.get_feature_names_out())
    np.testing.assert_array_equal(counts, expected)


@pytest.mark.points(2)
@pytest.mark.task(1)
def test_ngram_range_counts_match_count_vectorizer():
    for ngram_range in [(1, 2), (2, 3)]:
        vectorizer = CountVectorizer(ngram_range=ngram_range)
        expected = vectorizer.fit_transform(DOCS).toarray()
        vocabulary, counts = count_matrix(DOCS, ngram_range)
        assert vocabulary == list(vectorizer.get_feature_names_out())
        np.testing.assert_array_equal(counts, expected)


@pytest.mark.points(2)
@pytest.mark.task(2)
def test_idf_matches_sklearn():
    vectorizer = TfidfVectorizer().fit(DOCS)
    _, counts = count_matrix(DOCS)
    np.testing.assert_allclose(idf(counts), vectorizer.idf_, rtol=1e-12)


@pytest.mark.points(3)
@pytest.mark.task(2)
def test_tfidf_matches_sklearn():
    for ngram_range in [(1, 1), (1, 2)]:
        vectorizer = TfidfVectorizer(ngram_range=ngram_range)
        expected = vectorizer.fit_transform(DOCS).toarray()
        vocabulary, weights = tfidf_matrix(DOCS, ngram_range)
        assert vocabulary == list(vectorizer.get_feature_names_out())
        np.testing.assert_allclose(weights, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.points(1)
@pytest.mark.task(2)
def test_tfidf_rows_unit_norm_or_zero():
    _, weights = tfidf_matrix(DOCS)
    norms = np.linalg.norm(weights, axis=1)
    np.testing.assert_allclose(norms[[0, 1, 2, 3, 5]], 1.0, rtol=1e-12)
    assert norms[4] == 0.0  # "x y z" has no token of two characters
