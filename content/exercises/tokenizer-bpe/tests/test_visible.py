"""Visible tests: the tokenizer on one sentence and the first BPE merge."""

from solution import bpe_merge_step, word_tokenize


def test_tokenize_sentence():
    assert word_tokenize("Hello, world!") == ["hello", ",", "world", "!"]


def test_first_merge_on_tiny_corpus():
    pair, words = bpe_merge_step({("a", "b", "c"): 2, ("a", "b"): 1})
    assert pair == ("a", "b")
    assert words == {("ab", "c"): 2, ("ab",): 1}
