"""The lexicon hits of one comment (themes ``t:*`` and cues), accent-aware. Pure Python."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from analysis.comments import lexicon
from analysis.comments.match import Hit, PhraseIndex
from analysis.comments.normalise import _fold_word, clean, syllables

INDEX = PhraseIndex((f"t:{code}", words) for code, words in lexicon.THEMES.items())


@dataclass(frozen=True)
class Parsed:
    words: list[str]  # syllables of the clean text
    folded: list[str]
    hits: list[Hit]
    shown: list[str]  # the syllables as written (case kept), for display


def parse(text: str) -> Parsed:
    shown = syllables(unicodedata.normalize("NFC", text))
    words = [w.lower() for w in shown]
    if any(len(w) != len(s) for w, s in zip(words, shown, strict=True)):  # rare letters that change length
        words = syllables(clean(text))
        shown = words
    folded = [_fold_word(w) for w in words]
    return Parsed(words, folded, INDEX.find(words, folded), shown)
