"""Vietnamese-aware text normalisation for comments. Pure Python (the API may import it).

- ``clean``: Unicode NFC, lower case, runs of white space collapsed.
- ``fold``: ``clean`` then every diacritic removed and đ → d, so "chờ lâu quá" and "cho lau qua" meet.
  Folding is idempotent and gives the same result for NFC and NFD input.
- ``folded_corpus``: ``fold`` for a whole corpus in C-level passes (the model's input).
- ``syllables``: the word-character runs of a text (Vietnamese syllables, English words, numbers).
- ``features``: the text features of the dissatisfaction model, one comment at a time: folded syllable
  1–2-grams (``w:`` / ``b:``) and character 2–4-grams inside each folded syllable (``c:``), so unaccented
  and accented spellings share nearly every feature. (``model.Vectoriser`` computes the same n-grams for a
  whole corpus with sparse products.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

_SPACE = re.compile(r"\s+")
_LONG_NUMBER = re.compile(r"\d{5,}")  # phone and ID numbers: one token, not thousands of rare ones
_WORD = re.compile(r"\w+")
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {cp: None for cp in range(0x300, 0x370)}  # combining marks
    for cp in range(0xC0, 0x1F00):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c))
        if base and base != chr(cp) and base.isascii():
            table[cp] = base.lower()
    table.update({ord("đ"): "d", ord("Đ"): "d"})
    return table


FOLD = _fold_table()  # str.translate table: folds lower-case NFC or NFD text in one C-level pass


def clean(text: str) -> str:
    """NFC, lower case, single spaces, stripped."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.translate(_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """``clean`` with diacritics removed (đ → d). ASCII text only goes through ``clean``."""
    text = clean(text)
    return text if text.isascii() else text.translate(FOLD)


def folded_corpus(texts: Sequence[str]) -> list[str]:
    """The texts lower-cased and folded like ``normalise.fold``, in C-level passes over the joined corpus:
    NFD, đ → d, then only ASCII kept (this drops the combining marks, and also emoji and non-Latin letters,
    which the model does not use), and every long number as one token."""
    joined = unicodedata.normalize("NFD", "\x1f".join(t.replace("\x1f", " ") for t in texts).lower())
    joined = joined.replace("đ", "d").replace("ð", "d").encode("ascii", "ignore").decode("ascii")
    return _LONG_NUMBER.sub("0", joined).split("\x1f")


def has_diacritics(text: str) -> bool:
    return not text.isascii() and fold(text) != clean(text)


def syllables(text: str) -> list[str]:
    """Word-character runs of ``text`` as given (call on ``clean`` or ``fold`` output)."""
    return _WORD.findall(text)


@lru_cache(maxsize=200_000)
def _syllable_features(syllable: str) -> tuple[str, ...]:
    padded = f"<{syllable}>"
    size = len(padded)
    grams = [padded[i : i + n] for n in (2, 3, 4) if size >= n for i in range(size - n + 1)]
    return ("w:" + syllable, *("c:" + g for g in grams))


def features(folded: str) -> list[str]:
    """Model features of an already folded text: syllable 1–2-grams and in-syllable character n-grams."""
    words = _WORD.findall(folded)
    out: list[str] = []
    for word in words:
        out.extend(_syllable_features(word))
    out.extend(f"b:{a} {b}" for a, b in pairwise(words))
    return out
