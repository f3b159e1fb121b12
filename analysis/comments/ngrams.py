"""Syllable 1–2-gram counts of a whole corpus, with the per-token work left to C (batch only: numpy).

Tokens are the letter and digit runs of folded (ASCII) text. Each chunk of documents is encoded, its
punctuation blanked with one ``bytes.translate`` and split in one ``bytes.split`` call; tokens become ids
through ``map(dict.get, …)`` and bigrams are pairs of ids packed in one int64, so Python only loops over
distinct tokens. Bigrams seen once in the history are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


class SyllableGrams:
    """Fitted vocabulary: ``terms`` = unigrams (in first-seen order) then bigrams ("a b")."""

    def __init__(self) -> None:
        self.ids: dict[bytes, int] = {_SENTINEL: 0}  # unigram id; column = id - 1
        self.bigram_codes = np.zeros(0, dtype=np.int64)  # sorted
        self.terms: list[str] = []

    def fit_transform(self, docs: Sequence[str], min_bigram: int = 2) -> sp.csr_matrix:
        parts = []
        for start, tokens in _chunks(docs):
            ids = self.ids
            for token in dict.fromkeys(tokens):
                if token not in ids:
                    ids[token] = len(ids)
            parts.append(self._pairs(start, tokens))
        codes = np.concatenate([p[2] for p in parts])
        unique, counts = np.unique(codes, return_counts=True)
        self.bigram_codes = unique[counts >= min_bigram]
        unigrams = [token.decode("ascii") for token in list(self.ids)[1:]]
        self.terms = unigrams + [
            f"{unigrams[(c >> 32) - 1]} {unigrams[(c & 0xFFFFFFFF) - 1]}" for c in self.bigram_codes.tolist()
        ]
        return self._matrix(parts, len(docs))

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        return self._matrix([self._pairs(start, tokens) for start, tokens in _chunks(docs)], len(docs))

    def _pairs(self, start: int, tokens: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(document of each known unigram, unigram ids, bigram codes, document of each bigram)."""
        ids = np.fromiter(map(self.ids.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
        doc = np.cumsum(ids == 0) - 1 + start
        known = ids > 0
        pair = known[:-1] & known[1:]
        codes = (ids[:-1][pair] << 32) | ids[1:][pair]
        return doc[known], ids[known], codes, doc[:-1][pair]

    def _matrix(self, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], n_docs: int) -> sp.csr_matrix:
        n_uni = len(self.ids) - 1
        rows, cols = [], []
        for doc, ids, codes, bigram_doc in parts:
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
