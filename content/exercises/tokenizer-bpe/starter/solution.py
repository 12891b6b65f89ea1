"""A word tokenizer, a vocabulary and BPE merges: fill in each piece."""


def word_tokenize(text: str) -> list[str]:
    """Lower-cased words (internal apostrophes kept) and single punctuation characters."""
    return text.split()  # punctuation stays glued to words, case is kept


class Vocabulary:
    """Token <-> id mapping with <pad> = 0 and <unk> = 1."""

    PAD, UNK = "<pad>", "<unk>"

    def __init__(self, tokens: list[str]) -> None:
        self.itos = tokens
        self.stoi = {token: i for i, token in enumerate(tokens)}

    @classmethod
    def build(cls, texts: list[list[str]], min_freq: int = 1, max_size: int | None = None) -> "Vocabulary":
        """Specials first, then tokens by descending frequency (ties alphabetical)."""
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: list[str]) -> list[int]:
        """Ids of ``tokens``; unknown tokens map to 1."""
        raise NotImplementedError

    def decode(self, ids: list[int]) -> list[str]:
        """Tokens of ``ids``."""
        raise NotImplementedError

    def pad_batch(self, sequences: list[list[int]], length: int | None = None) -> list[list[int]]:
        """Right-pad with 0 (and truncate) to ``length``, default the longest sequence."""
        raise NotImplementedError


def bpe_merge_step(
    words: dict[tuple[str, ...], int],
) -> tuple[tuple[str, str], dict[tuple[str, ...], int]]:
    """Merge the most frequent adjacent pair everywhere: (pair, new words)."""
    raise NotImplementedError


def learn_bpe(corpus: dict[str, int], n_merges: int) -> list[tuple[str, str]]:
    """Up to ``n_merges`` BPE merges learned from ``{word: frequency}``, in order."""
    raise NotImplementedError


