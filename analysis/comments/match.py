"""Accent-aware phrase matching for the lexicon (rules in ``lexicon.py``). Pure Python."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.comments.normalise import _fold_word, clean, syllables

_PHRASE_WORD = re.compile(r"#|\w+")


@dataclass(frozen=True)
class Entry:
    key: str  # the theme code or cue kind the entry belongs to
    text: str  # as written in the lexicon, without the strict mark
    words: tuple[str, ...]  # its syllables, as written
    folded: tuple[str, ...]
    strict: bool


@dataclass(frozen=True)
class Hit:
    key: str
    entry: str
    start: int  # syllable positions in the text
    end: int


def _syllable_matches(word: str, folded_word: str, want: str, want_folded: str, strict: bool) -> bool:
    if want == "#":
        return word.isdigit()
    if word == want:
        return True
    if strict or want == want_folded:  # an unaccented entry matches only itself
        return False
    return word == folded_word and folded_word == want_folded  # the text syllable was typed unaccented


class PhraseIndex:
    """Finds lexicon entries in a text; longest match first at each position, no overlaps per key."""

    def __init__(self, lexicon: Iterable[tuple[str, Iterable[str]]]) -> None:
        # a trie over folded syllables; a node's entries (phrases ending there) are under the key ""
        self.trie: dict[str, Any] = {}
        for key, phrases in lexicon:
            for phrase in phrases:
                strict = phrase.startswith("=")
                text = clean(phrase.lstrip("="))
                words = tuple(_PHRASE_WORD.findall(text))
                folded = tuple(_fold_word(w) for w in words)
                node = self.trie
                for syllable in folded:
                    node = node.setdefault(syllable, {})
                node.setdefault("", []).append(Entry(key, text, words, folded, strict))

    def find(self, words: Sequence[str], folded: Sequence[str]) -> list[Hit]:
        """``words``: syllables of the ``clean`` text; ``folded``: the same syllables folded."""
        hits: list[Hit] = []
        taken: dict[str, int] = {}
        size = len(words)
        for i in range(size):
            node = self.trie.get("#" if words[i].isdigit() else folded[i])
            found: list[tuple[int, list[Entry]]] = []
            end = i + 1
            while node is not None:
                if "" in node:
                    found.append((end, node[""]))
                if end >= size:
                    break
                node = node.get(folded[end])
                end += 1
            for stop, entries in reversed(found):  # longest first
                for entry in entries:
                    if taken.get(entry.key, 0) > i:
                        continue
                    for j in range(stop - i):
                        if not _syllable_matches(
                            words[i + j], folded[i + j], entry.words[j], entry.folded[j], entry.strict
                        ):
                            break
                    else:
                        hits.append(Hit(entry.key, entry.text, i, stop))
                        taken[entry.key] = stop
        return hits

    def find_text(self, text: str) -> list[Hit]:
        words = syllables(clean(text))
        return self.find(words, [_fold_word(w) for w in words])
