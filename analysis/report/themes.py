"""The comment part of a run (batch only: numpy and scikit-learn through analysis.comments.pipeline).

The dissatisfaction model is trained on the period's own rated comments and scores every one of them;
each comment is redacted before anything of it is written. Two sources, one model:

- counter ratings with a comment: the level as the 1–5 rating (counter-3 "Không hài lòng" → 1, "Hài lòng"
  → 4, "Rất hài lòng" → 5; counter-5 as it is), with the reason chips tapped;
- receipt-QR questionnaire responses with a comment ("Ý kiến khác"): the questionnaire has no overall
  item, so the respondent's overall satisfaction is the mean of their answers on its 1–5 SIPAS scale
  items (1 Rất không hài lòng … 5 Rất hài lòng; not applicable and blank left out), rounded half up
  (``overall_rating``): a mean below 2.5 is the dissatisfied class, as 1–2 is for one item. A response
  without any scale answer is scored but not learned from.

``comments.csv`` holds every comment, scored, themed and redacted; ``themes.csv`` the theme shares among
dissatisfied comments for the analysed unit by month and by year, and for each unit directly under it by
year (fixed themes on the counter instrument's reason codes, and emergent NMF topics, never named).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

COMMENT_COLUMNS = (
    "id",
    "unit_code",
    "period",
    "level",
    "scale",
    "p_dissatisfied",
    "dissatisfied",
    "themes",
    "theme_terms",
    "mentions_person",
    "redacted_text",
    "source",  # counter (id = the rating's) or questionnaire (id = the response's)
)
THEME_COLUMNS = ("theme", "kind", "scope_kind", "scope_code", "period", "n", "share", "top_terms", "examples")
SEED = 7


@dataclass
class CommentOutputs:
    comments: list[dict[str, Any]] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    model: Any = None  # the dissatisfaction model trained on the period (kept with the run: model.pkl)


def rating_of(level: int, scale: int) -> int:
    """A counter rating's level on the 1–5 scale the model learns from."""
    return {1: 1, 2: 4, 3: 5}[level] if scale == 3 else level


def overall_rating(values: Sequence[int]) -> int | None:
    """A questionnaire response's overall satisfaction on the 1–5 scale: the mean of its answers on the
    scale items, rounded half up (2.5 → 3); ``None`` without any answer."""
    valid = [v for v in values if 1 <= v <= 5]
    if not valid:
        return None
    return math.floor(sum(valid) / len(valid) + 0.5)


def analyse_comments(
    rows: Sequence[dict[str, Any]],
    unit_codes: dict[int, str],
    months: Sequence[str],
    root: str,
    top_unit: dict[str, str],
    officer_names: Sequence[str],
    seed: int = SEED,
    survey_rows: Sequence[dict[str, Any]] = (),
) -> CommentOutputs:
    """``rows``: counter ratings: id, unit_id, m (month number), level, scale, comment, reasons, wrong (themes
    marked as wrong on the dashboard: withheld from that comment and learnt from as counter-examples).
    ``survey_rows``: questionnaire responses: id, unit_id, m, comment, values (the 1–5 scale answers), wrong
    (as for ratings).
    ``top_unit`` maps each unit to the unit directly under ``root`` that holds it (``root`` for the root)."""
    from analysis.comments.pipeline import AnalysisError, analyse_keeping_model, theme_rows

    everything: list[dict[str, Any]] = [
        {**r, "source": "counter", "rating": rating_of(int(r["level"]), int(r["scale"]))} for r in rows
    ]
    for r in survey_rows:
        overall = overall_rating(r["values"])
        everything.append({**r, "source": "questionnaire", "rating": overall, "level": overall, "scale": 5})
    if not everything:
        return CommentOutputs(summary={"comments": 0, "skipped": "no comments in the period"})
    rated = [r for r in everything if r["rating"] is not None]
    try:
        results, model = analyse_keeping_model(
            [str(r["comment"]) for r in everything],
            [str(r["comment"]) for r in rated],
            [int(r["rating"]) for r in rated],
            [list(r.get("reasons", ())) for r in rated],
            officer_names,
            seed=seed,
            history_wrong=[list(r.get("wrong", ())) for r in rated],
            withheld=[list(r.get("wrong", ())) for r in everything],  # themes a manager marked as wrong for it
        )
    except AnalysisError as exc:  # one class only, say: nothing to learn from in this period
        return CommentOutputs(summary={"comments": len(everything), "skipped": str(exc)})
    out = CommentOutputs(model=model)
    for row, result in zip(everything, results, strict=True):
        out.comments.append(
            {
                "id": row["id"],
                "unit_code": unit_codes.get(int(row["unit_id"]), ""),
                "period": months[int(row["m"])],
                "level": row["level"],
                "scale": row["scale"],
                "p_dissatisfied": round(result.p_dissatisfied, 4),
                "dissatisfied": int(result.dissatisfied),
                "themes": ";".join(result.themes),
                "theme_terms": ";".join(f"{code}:{','.join(words)}" for code, words in result.theme_terms.items()),
                "mentions_person": int(result.mentions_person),
                "redacted_text": result.redacted_text,
                "source": row["source"],
            }
        )
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for comment, result in zip(out.comments, results, strict=True):
        month = str(comment["period"])
        year = month[:4]
        groups[("unit", root, month)].append(result)
        groups[("unit", root, year)].append(result)
        child = top_unit.get(str(comment["unit_code"]), root)
        if child != root:
            groups[("unit", child, year)].append(result)
    for (kind, code, period), members in sorted(groups.items()):
        out.themes.extend(theme_rows(members, scope_kind=kind, scope_code=code, period=period, seed=seed))
    out.summary = {
        "comments": len(everything),
        "by_source": {"counter": len(rows), "questionnaire": len(survey_rows)},
        "learned_from": len(rated),
        "dissatisfied": sum(int(c["dissatisfied"]) for c in out.comments),
        "mentions_person": sum(int(c["mentions_person"]) for c in out.comments),
        "model": "trained on this period's rated comments, counter and questionnaire (1–2 dissatisfied),"
        " calibrated; threshold from them",
        "seed": seed,
    }
    return out
