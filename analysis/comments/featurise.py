"""Features of one comment for the dissatisfaction model, and its lexicon hits. Pure Python.

``model_features`` = folded syllable 1–2-grams and character n-grams (``normalise.features``) plus cue
features from the lexicon: ``q:neg`` complaint words, ``q:pos`` praise, ``q:negpos`` negated praise
("không nhiệt tình", "not helpful"), ``q:sugg`` suggestions, ``q:after:*`` cues in the clause after a
contrast word ("hài lòng nhưng phải chờ 2 tiếng"), ``k:*`` the folded syllables of that clause and
``t:*`` theme words. The cues let a linear model see what a positive tap hides.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.comments import lexicon
from analysis.comments.match import Hit, PhraseIndex
from analysis.comments.normalise import _fold_word, _syllable_features, clean, syllables

INDEX = PhraseIndex(
    [
        *((f"t:{code}", words) for code, words in lexicon.THEMES.items()),
        ("neg", lexicon.NEGATIVE),
        ("pos", lexicon.POSITIVE),
        ("not", lexicon.NEGATORS),
        ("but", lexicon.CONTRAST),
        ("sugg", lexicon.SUGGEST),
    ]
)


@dataclass(frozen=True)
class Parsed:
    words: list[str]  # syllables of the clean text
    folded: list[str]
    hits: list[Hit]


def parse(text: str) -> Parsed:
    words = syllables(clean(text))
    folded = [_fold_word(w) for w in words]
    return Parsed(words, folded, INDEX.find(words, folded))


def cue_features(parsed: Parsed) -> list[str]:
    out: list[str] = []
    negator_ends = {h.end for h in parsed.hits if h.key == "not"}
    contrast = max((h.end for h in parsed.hits if h.key == "but"), default=-1)
    for hit in parsed.hits:
        kind = hit.key
        if kind in ("pos", "neg"):
            negated = any(hit.start - gap in negator_ends for gap in (0, 1, 2))
            kind = ("negpos" if kind == "pos" else "negneg") if negated else kind
        elif kind in ("not", "but"):
            continue
        out.append("q:" + kind)
        if contrast >= 0 and hit.start >= contrast:
            out.append("q:after:" + kind)
    if contrast >= 0:
        out.extend("k:" + w for w in parsed.folded[contrast:])
    return out


def model_features(text: str) -> list[str]:
    parsed = parse(text)
    folded = parsed.folded
    out: list[str] = []
    for word in folded:
        out.extend(_syllable_features(word))
    out.extend(f"b:{a} {b}" for a, b in zip(folded, folded[1:], strict=False))
    out.extend(cue_features(parsed))
    return out
