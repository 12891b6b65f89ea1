"""Hidden tests: tokenizer edge cases, vocabulary rules and BPE merges."""

import pytest
from solution import Vocabulary, bpe_merge_step, learn_bpe, word_tokenize

TEXTS = [
    "The cat sat on the mat.",
    "The dog didn't sit; the dog ran!",
    "A cat, a dog and a bird.",
]


@pytest.mark.points(2)
def test_tokenize_apostrophes_numbers_and_punctuation():
    assert word_tokenize("Don't stop -- it's 2024's BEST year...") == [
        "don't", "stop", "-", "-", "it's", "2024's", "best", "year", ".", ".", ".",
    ]  # fmt: skip
    assert word_tokenize("   ") == []


@pytest.mark.points(2)
def test_vocabulary_order_and_specials():
    vocab = Vocabulary.build([word_tokenize(t) for t in TEXTS])
    assert vocab.itos[:2] == ["<pad>", "<unk>"]
    assert vocab.itos[2:6] == ["the", "a", "dog", "."]
    assert vocab.itos[6:9] == ["cat", "!", ","]  # ties alphabetical: "!" < "," < ";"
    assert len(vocab) == 2 + len({tok for t in TEXTS for tok in word_tokenize(t)})


@pytest.mark.points(1)
def test_vocabulary_min_freq_and_max_size():
    tokenized = [word_tokenize(t) for t in TEXTS]
    assert Vocabulary.build(tokenized, min_freq=2).itos == ["<pad>", "<unk>", "the", "a", "dog", ".", "cat"]
    assert Vocabulary.build(tokenized, max_size=4).itos == ["<pad>", "<unk>", "the", "a"]


@pytest.mark.points(2)
def test_encode_decode_and_unknowns():
    vocab = Vocabulary.build([word_tokenize(t) for t in TEXTS], min_freq=2)
    ids = vocab.encode(word_tokenize("The zebra sat on a cat."))
    assert ids == [2, 1, 1, 1, 3, 6, 5]
    assert vocab.decode([2, 4, 5]) == ["the", "dog", "."]


@pytest.mark.points(1)
def test_pad_batch():
    vocab = Vocabulary.build([["a"]])
    assert vocab.pad_batch([[5, 6, 7], [8], []]) == [[5, 6, 7], [8, 0, 0], [0, 0, 0]]
    assert vocab.pad_batch([[5, 6, 7], [8]], length=2) == [[5, 6], [8, 0]]


@pytest.mark.points(2)
def test_merge_step_counts_frequencies_and_breaks_ties():
    words = {("x", "y"): 3, ("b", "c"): 2, ("a", "b"): 1, ("c", "d"): 3}
    pair, _ = bpe_merge_step(words)
    assert pair == ("c", "d")  # 3 vs 3: ("c", "d") < ("x", "y")


@pytest.mark.points(1)
def test_merge_step_does_not_overlap():
    pair, words = bpe_merge_step({("a", "a", "a"): 1})
    assert pair == ("a", "a")
    assert words == {("aa", "a"): 1}


@pytest.mark.points(3)
def test_learn_bpe_classic_example():
    corpus = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
    assert learn_bpe(corpus, 8) == [
        ("e", "s"),
        ("es", "t"),
        ("est", "</w>"),
        ("l", "o"),
        ("lo", "w"),
        ("e", "w"),
        ("ew", "est</w>"),
        ("n", "ewest</w>"),
    ]


@pytest.mark.points(1)
def test_learn_bpe_stops_when_nothing_is_left():
    assert learn_bpe({"ab": 1}, 10) == [("a", "b"), ("ab", "</w>")]
