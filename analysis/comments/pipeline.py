"""Comment analysis as a library call (batch only: imports numpy and scikit-learn).

    from analysis.comments.pipeline import analyse, theme_rows

    results = analyse(texts, history_texts, history_ratings, history_reasons=None, officer_names=(), seed=0)
    results, model = analyse_keeping_model(...)  # the same, and the trained model
    rows = theme_rows(results, scope_kind="unit", scope_code="U01", period="2026-11", seed=0)

``analyse`` redacts each comment, then scores it with a model trained on the history (rating 1–5; 1–2 is
the dissatisfied class; ``history_reasons`` lists the reason codes tapped with each history comment),
redacted too, and finds its themes (lexicon ∪ chips); ``explain=False`` skips the ``top_terms``. It
raises ``AnalysisError`` (a ValueError with a one-line message) for an empty history or one with one
class, or a single comment of one. Every ``CommentResult`` field is safe to show: the text and all terms
come from the redacted comment, and the model's vocabulary from the redacted history.

``theme_rows`` gives the rows of themes.csv, ``theme,kind,scope_kind,scope_code,period,n,share,
top_terms,examples``: one ``fixed`` row per reason code (n = dissatisfied comments with the theme, share
= n / dissatisfied comments, top terms = the most frequent matched words, up to three redacted examples)
and one ``emergent`` row per NMF topic (theme ``emergent-1`` …, top terms, examples).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace

from analysis.comments.model import Model
from analysis.comments.parallel import chunked
from analysis.comments.redact import officer_keys, redact
from analysis.comments.themes import CODES, ChipThemes, emergent, lexicon_themes

THEME_COLUMNS = ("theme", "kind", "scope_kind", "scope_code", "period", "n", "share", "top_terms", "examples")


class AnalysisError(ValueError):
    pass


@dataclass
class CommentResult:
    p_dissatisfied: float
    dissatisfied: bool
    themes: list[str]  # reason codes, in CODES order
    theme_terms: dict[str, list[str]]  # code → matched words ("chips" when only the chip model found it)
    mentions_person: bool
    redacted_text: str
    top_terms: list[str] = field(default_factory=list)  # what pushed the score up


def check_history(ratings: Sequence[int]) -> None:
    if not ratings:
        raise AnalysisError("the history has no comments with a rating: nothing to learn from")
    low = sum(1 for r in ratings if r <= 2)
    if low == 0:
        raise AnalysisError("the history has no dissatisfied comments (rating 1–2): need both classes to learn")
    if low == len(ratings):
        raise AnalysisError("the history has only dissatisfied comments (rating 1–2): need both classes to learn")
    if min(low, len(ratings) - low) < 2:  # each fold's training part must hold both classes
        kind = "dissatisfied comment (rating 1–2)" if low == 1 else "comment that is not dissatisfied"
        raise AnalysisError(f"the history has only one {kind}: need at least two of each class to learn")


def analyse(
    texts: Sequence[str],
    history_texts: Sequence[str],
    history_ratings: Sequence[int],
    history_reasons: Sequence[Sequence[str]] | None = None,
    officer_names: Iterable[str] = (),
    seed: int = 0,
    explain: bool = True,
    history_wrong: Sequence[Collection[str]] | None = None,
    withheld: Sequence[Collection[str]] | None = None,
) -> list[CommentResult]:
    return analyse_keeping_model(
        texts, history_texts, history_ratings, history_reasons, officer_names, seed, explain, history_wrong, withheld
    )[0]


def analyse_keeping_model(
    texts: Sequence[str],
    history_texts: Sequence[str],
    history_ratings: Sequence[int],
    history_reasons: Sequence[Sequence[str]] | None = None,
    officer_names: Iterable[str] = (),
    seed: int = 0,
    explain: bool = True,
    history_wrong: Sequence[Collection[str]] | None = None,
    withheld: Sequence[Collection[str]] | None = None,
) -> tuple[list[CommentResult], Model]:
    """``analyse``, and the model it trained (to keep with a run: ``stored.save``). ``history_wrong``: per
    history comment, the themes marked as wrong for it (counter-examples for the chip models); ``withheld``:
    per comment of ``texts``, themes marked as wrong that it must not get."""
    check_history(history_ratings)
    keys = officer_keys(officer_names)
    distinct = list(dict.fromkeys(texts))  # each distinct comment is analysed once

    def prepare(part: Sequence[str]) -> list[tuple[str, bool, dict[str, list[str]]]]:
        out = []
        for text in part:
            redacted = redact(text, keys=keys)
            out.append((redacted.text, redacted.mentions_person, lexicon_themes(redacted.text)))
        return out

    def redact_only(part: Sequence[str]) -> list[str]:
        return [redact(text, keys=keys).text for text in part]

    prepared = [row for part in chunked(prepare, distinct) for row in part]  # forks while the heap is small
    # The model learns from the history redacted too: its vocabulary, kept with a run, holds no names,
    # numbers or addresses, and it learns from text as it will score it.
    redacted = {text: row[0] for text, row in zip(distinct, prepared, strict=True)}
    missing = [text for text in dict.fromkeys(history_texts) if text not in redacted]
    redacted.update(zip(missing, [t for part in chunked(redact_only, missing) for t in part], strict=True))
    model = Model(seed=seed)
    fit = model.train([redacted[text] for text in history_texts], history_ratings)
    chips = ChipThemes(seed).fit(model.history_x, history_reasons, history_wrong) if history_reasons else None
    del model.history_x
    clean_texts = [text for text, _, _ in prepared]
    probs, x, counts = model.score(clean_texts)
    pushed = model.explain(counts) if explain else [[] for _ in clean_texts]
    empty = [not any(ch.isalnum() for ch in text) for text in clean_texts]
    probs[empty] = 0.0  # no words: nothing to score, never flagged
    flagged = probs >= fit.threshold
    chip_hits = chips.predict(x) if chips and chips.models else {}
    results = []
    for i, (text, mentions, terms) in enumerate(prepared):
        if flagged[i]:
            for code, hit in chip_hits.items():
                if hit[i] and code not in terms:
                    terms[code] = ["chips"]
        themes = [c for c in CODES if c in terms]
        results.append(
            CommentResult(
                p_dissatisfied=float(probs[i]),
                dissatisfied=bool(flagged[i]),
                themes=themes,
                theme_terms={c: terms[c] for c in themes},
                mentions_person=mentions,
                redacted_text=text,
                top_terms=pushed[i],
            )
        )
    position = {text: i for i, text in enumerate(distinct)}
    out = [results[position[text]] for text in texts]
    if withheld:
        out = [_without(r, set(w)) if w else r for r, w in zip(out, withheld, strict=True)]
    return out, model


def _without(result: CommentResult, themes: set[str]) -> CommentResult:
    kept = [c for c in result.themes if c not in themes]
    return replace(result, themes=kept, theme_terms={c: result.theme_terms[c] for c in kept})


def theme_rows(
    results: Sequence[CommentResult], scope_kind: str = "all", scope_code: str = "", period: str = "", seed: int = 0
) -> list[dict[str, object]]:
    unhappy = [r for r in results if r.dissatisfied]
    total = len(unhappy)
    scope = {"scope_kind": scope_kind, "scope_code": scope_code, "period": period}
    rows: list[dict[str, object]] = []
    for code in CODES:
        members = [r for r in unhappy if code in r.themes]
        words = Counter(w for r in members for w in r.theme_terms.get(code, ()) if w != "chips")
        rows.append(
            {
                "theme": code,
                "kind": "fixed",
                **scope,
                "n": len(members),
                "share": round(len(members) / total, 4) if total else 0.0,
                "top_terms": "; ".join(w for w, _ in words.most_common(5)),
                "examples": " | ".join(_examples(members)),
            }
        )
    for number, topic in enumerate(emergent([r.redacted_text for r in unhappy], seed), start=1):
        rows.append(
            {
                "theme": f"emergent-{number}",
                "kind": "emergent",
                **scope,
                "n": topic.n,
                "share": round(topic.n / total, 4) if total else 0.0,
                "top_terms": "; ".join(topic.terms),
                "examples": " | ".join(unhappy[i].redacted_text for i in topic.examples),
            }
        )
    return rows


def _examples(members: Sequence[CommentResult], count: int = 3) -> list[str]:
    """The most dissatisfied distinct comments (ties by text, so the choice is stable)."""
    ranked = sorted(members, key=lambda r: (-r.p_dissatisfied, r.redacted_text))
    seen: list[str] = []
    for r in ranked:
        if r.redacted_text not in seen:
            seen.append(r.redacted_text)
        if len(seen) == count:
            break
    return seen
