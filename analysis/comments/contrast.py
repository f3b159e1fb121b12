"""The clause after a contrast word ("hài lòng *nhưng phải chờ 2 tiếng*"), for the dissatisfaction model.

Contrast words (``lexicon.CONTRAST``) are looked for in the folded corpus in one scan; each comment found
is then read as written, because folding merges words: "những" (plural) and "nhưng" (but) both fold to
"nhung", "mới tới" (just came) and "mỗi tội" (only, the pity is) to "moi toi". A contrast word written with
its diacritics, or one that has none (English "but"), is a contrast; a word with other diacritics is not.
A contrast word typed without its diacritics is ambiguous: ``Contrast.fit_tails`` learns from the history's own
comments written with diacritics how often each folded spelling, followed by a given word, was the
contrast word and how often another word ("nhung cau" was "những câu" each time); the spelling counts as
a contrast unless the history says otherwise for that next word. Nothing is fixed in advance.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

from analysis.comments import lexicon
from analysis.comments.normalise import FOLD, clean, folded_corpus

WRITTEN = frozenset(clean(w) for w in lexicon.CONTRAST)
FOLDED = re.compile(r"\b(?:" + "|".join(sorted({w.translate(FOLD) for w in WRITTEN}, key=len, reverse=True)) + r")\b")
_NEXT = re.compile(r"\W*(\w*)")


def _matches(cleaned: str) -> Iterator[tuple[int, str, str, str]]:
    """(end, folded spelling, spelling as written, folded next word) of each contrast candidate."""
    folded = cleaned.translate(FOLD)
    if len(folded) != len(cleaned):  # combining marks left after NFC: read the folded text
        cleaned = folded
    for match in FOLDED.finditer(folded):
        following = _NEXT.match(folded, match.end())
        yield match.end(), match.group(), cleaned[match.start() : match.end()], following.group(1) if following else ""


class Contrast:
    def __init__(self) -> None:
        self.votes: dict[str, tuple[int, int]] = {}  # "folded-spelling next-word" → (contrast, other word)

    def fit_tails(self, folded: Sequence[str], texts: Sequence[str]) -> list[str]:
        """Learn the votes from these comments, then give their ``tails`` (one reading of each comment)."""
        found = [(doc, clean(texts[doc])) for doc in _candidates(folded)]
        matches = [list(_matches(cleaned)) for _, cleaned in found]
        votes: dict[str, list[int]] = {}
        for words in matches:
            for _, spelling, written, following in words:
                if written != spelling:  # written with diacritics: tells which word it is
                    votes.setdefault(f"{spelling} {following}", [0, 0])[0 if written in WRITTEN else 1] += 1
        self.votes = {key: (v[0], v[1]) for key, v in votes.items() if v[1] > v[0]}  # only the exceptions
        return self._tails(len(folded), found, matches)

    def is_contrast(self, spelling: str, written: str, following: str) -> bool:
        if written in WRITTEN:
            return True
        if written != spelling:
            return False  # other diacritics: another word
        return f"{spelling} {following}" not in self.votes

    def tails(self, folded: Sequence[str], texts: Sequence[str]) -> list[str]:
        """Per comment, the folded text after its last contrast word ("" if none)."""
        found = [(doc, clean(texts[doc])) for doc in _candidates(folded)]
        return self._tails(len(folded), found, [list(_matches(cleaned)) for _, cleaned in found])

    def _tails(self, n: int, found: list[tuple[int, str]], matches: list[list[tuple[int, str, str, str]]]) -> list[str]:
        tails = [""] * n
        cut: dict[int, str] = {}
        for (doc, cleaned), words in zip(found, matches, strict=True):
            ends = [end for end, *word in words if self.is_contrast(*word)]
            if ends:
                cut[doc] = cleaned[ends[-1] :]
        if cut:
            for doc, tail in zip(cut, folded_corpus(list(cut.values())), strict=True):
                tails[doc] = tail
        return tails


def _candidates(folded: Sequence[str]) -> list[int]:
    """The comments with a contrast word in their folded form, found in one scan of the corpus."""
    joined = "\x1f".join(folded)
    starts = np.cumsum([0, *(len(t) + 1 for t in folded)])
    ends = [match.end() for match in FOLDED.finditer(joined)]
    return sorted(set((np.searchsorted(starts, ends, side="right") - 1).tolist())) if ends else []
