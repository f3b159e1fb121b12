"""Syllable 1–2-gram counts of a whole corpus, with the per-token work left to C (batch only: numpy).

Tokens are the letter and digit runs of folded (ASCII) text. Each chunk of documents is encoded, its
punctuation blanked with one ``bytes.translate`` and split in one ``bytes.split`` call; tokens become ids
through ``map(dict.get, …)`` and bigrams are pairs of ids packed in one int64, so Python only loops over
distinct tokens. Bigrams seen once in the history are dropped.

Negation scope: each unigram among the ``window`` tokens after a negator ("không", "chưa", "thiếu" …, given
folded) is also counted in a second matrix with the unigram columns, so "thiếu nhiệt tình" is not read as
the praise "nhiệt tình" (the scope stops at the end of the comment, not at punctuation).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat

import numpy as np
import scipy.sparse as sp

_SENTINEL = b"\x1f"  # separates documents: kept by the table, not white space for bytes.split
_TABLE = bytes(c if chr(c).isalnum() or c == 0x1F else 0x20 for c in range(128)) + b" " * 128
_CHUNK = 50_000


def _chunks(docs: Sequence[str]) -> Iterator[tuple[int, list[bytes]]]:
    for start in range(0, len(docs), _CHUNK):
        joined = "\x1f " + " \x1f ".join(d.replace("\x1f", " ") for d in docs[start : start + _CHUNK])
        yield start, joined.encode("ascii", "ignore").translate(_TABLE).split()


Parts = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class SyllableGrams:
    """Fitted vocabulary: ``terms`` = unigrams (in first-seen order) then bigrams ("a b").

    ``fit_transform`` and ``transform`` give two matrices: the 1–2-gram counts, and the counts of the
    unigrams in a negation scope (columns = the unigram columns)."""

    def __init__(self, negators: Iterable[str] = (), window: int = 3) -> None:
        self.ids: dict[bytes, int] = {_SENTINEL: 0}  # unigram id; column = id - 1
        self.bigram_codes = np.zeros(0, dtype=np.int64)  # sorted
        self.terms: list[str] = []
        self.negators = [w.encode("ascii") for w in negators]
        self.window = window
        self.negator_ids = np.zeros(0, dtype=np.int64)

    def fit_transform(self, docs: Sequence[str], min_bigram: int = 2) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        parts = []
        for start, tokens in _chunks(docs):
            ids = self.ids
            for token in dict.fromkeys(tokens):
                if token not in ids:
                    ids[token] = len(ids)
            self.negator_ids = np.array(sorted(ids[w] for w in self.negators if w in ids), dtype=np.int64)
            parts.append(self._pairs(start, tokens))
        codes = np.concatenate([p[2] for p in parts])
        unique, counts = np.unique(codes, return_counts=True)
        self.bigram_codes = unique[counts >= min_bigram]
        unigrams = [token.decode("ascii") for token in list(self.ids)[1:]]
        self.terms = unigrams + [
            f"{unigrams[(c >> 32) - 1]} {unigrams[(c & 0xFFFFFFFF) - 1]}" for c in self.bigram_codes.tolist()
        ]
        return self._matrix(parts, len(docs)), self._negated(parts, len(docs))

    def transform(self, docs: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        parts = [self._pairs(start, tokens) for start, tokens in _chunks(docs)]
        return self._matrix(parts, len(docs)), self._negated(parts, len(docs))

    def _pairs(self, start: int, tokens: list[bytes]) -> Parts:
        """(document of each known unigram, unigram ids, bigram codes, document of each bigram, and the
        document and id of each known unigram in a negation scope)."""
        ids = np.fromiter(map(self.ids.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
        doc = np.cumsum(ids == 0) - 1 + start
        known = ids > 0
        pair = known[:-1] & known[1:]
        codes = (ids[:-1][pair] << 32) | ids[1:][pair]
        negator = np.isin(ids, self.negator_ids) if len(self.negator_ids) else np.zeros(len(ids), dtype=bool)
        scope = np.zeros(len(ids), dtype=bool)
        for step in range(1, self.window + 1):  # a sentinel (id 0) between two tokens ends the scope
            scope[step:] |= negator[:-step] & (doc[step:] == doc[:-step])
        scope &= known
        return doc[known], ids[known], codes, doc[:-1][pair], doc[scope], ids[scope]

    def _negated(self, parts: list[Parts], n_docs: int) -> sp.csr_matrix:
        row = np.concatenate([p[4] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        col = np.concatenate([p[5] for p in parts]) - 1 if parts else np.zeros(0, dtype=np.int64)
        matrix = sp.csr_matrix((np.ones(len(row), dtype=np.float32), (row, col)), shape=(n_docs, len(self.ids) - 1))
        matrix.sum_duplicates()
        return matrix

    def _matrix(self, parts: list[Parts], n_docs: int) -> sp.csr_matrix:
        n_uni = len(self.ids) - 1
        rows, cols = [], []
        for doc, ids, codes, bigram_doc, _, _ in parts:
            rows.append(doc)
            cols.append(ids - 1)
            where = np.searchsorted(self.bigram_codes, codes)
            where = np.minimum(where, max(0, len(self.bigram_codes) - 1))
            hit = self.bigram_codes[where] == codes if len(self.bigram_codes) else np.zeros(len(codes), bool)
            rows.append(bigram_doc[hit])
            cols.append(n_uni + where[hit])
        row, col = np.concatenate(rows), np.concatenate(cols)
        shape = (n_docs, n_uni + len(self.bigram_codes))
        matrix = sp.csr_matrix((np.ones(len(row), dtype=np.float32), (row, col)), shape=shape)
        matrix.sum_duplicates()
        return matrix
