"""A word tokenizer, a vocabulary and BPE merges (reference solution)."""

import re
from collections import Counter
from itertools import pairwise

_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def word_tokenize(text: str) -> list[str]:
    """Lower-cased words (internal apostrophes kept) and single punctuation characters."""
    return _TOKEN.findall(text.lower())


class Vocabulary:
    """Token <-> id mapping with <pad> = 0 and <unk> = 1."""

    PAD, UNK = "<pad>", "<unk>"

    def __init__(self, tokens: list[str]) -> None:
        self.itos = tokens
        self.stoi = {token: i for i, token in enumerate(tokens)}

    @classmethod
    def build(cls, texts: list[list[str]], min_freq: int = 1, max_size: int | None = None) -> "Vocabulary":
        """Specials first, then tokens by descending frequency (ties alphabetical)."""
        counts = Counter(token for text in texts for token in text)
        ranked = sorted((t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t))
        tokens = [cls.PAD, cls.UNK, *ranked]
        return cls(tokens[:max_size] if max_size is not None else tokens)

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: list[str]) -> list[int]:
        """Ids of ``tokens``; unknown tokens map to 1."""
        return [self.stoi.get(token, 1) for token in tokens]

    def decode(self, ids: list[int]) -> list[str]:
        """Tokens of ``ids``."""
        return [self.itos[i] for i in ids]

    def pad_batch(self, sequences: list[list[int]], length: int | None = None) -> list[list[int]]:
        """Right-pad with 0 (and truncate) to ``length``, default the longest sequence."""
        target = length if length is not None else max((len(s) for s in sequences), default=0)
        return [list(s[:target]) + [0] * (target - len(s[:target])) for s in sequences]


def _merge(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def bpe_merge_step(
    words: dict[tuple[str, ...], int],
) -> tuple[tuple[str, str], dict[tuple[str, ...], int]]:
    """Merge the most frequent adjacent pair everywhere: (pair, new words)."""
    pairs: Counter[tuple[str, str]] = Counter()
    for symbols, freq in words.items():
        for pair in pairwise(symbols):
            pairs[pair] += freq
    if not pairs:
        raise ValueError("no adjacent pair left to merge")
    best = min(pairs, key=lambda pair: (-pairs[pair], pair))
    merged: dict[tuple[str, ...], int] = {}
    for symbols, freq in words.items():
        new = _merge(symbols, best)
        merged[new] = merged.get(new, 0) + freq
    return best, merged


def learn_bpe(corpus: dict[str, int], n_merges: int) -> list[tuple[str, str]]:
    """Up to ``n_merges`` BPE merges learned from ``{word: frequency}``, in order."""
    words = {(*word, "</w>"): freq for word, freq in corpus.items()}
    merges = []
    for _ in range(n_merges):
        if not any(len(symbols) > 1 for symbols in words):
            break
        pair, words = bpe_merge_step(words)
        merges.append(pair)
    return merges
