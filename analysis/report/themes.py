"""The comment part of a run (batch only: numpy and scikit-learn through analysis.comments.pipeline).

The dissatisfaction model is trained on the period's own rated comments (a counter rating's level as the
1–5 rating: counter-3 "Không hài lòng" → 1, "Hài lòng" → 4, "Rất hài lòng" → 5) and scores every one of
them; each comment is redacted before anything of it is written. ``comments.csv`` holds every comment,
scored, themed and redacted; ``themes.csv`` the theme shares among dissatisfied comments for the analysed
unit by month and by year, and for each unit directly under it by year (fixed themes on the counter
instrument's reason codes, and emergent NMF topics, never named).
"""

from __future__ import annotations

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


def analyse_comments(
    rows: Sequence[dict[str, Any]],
    unit_codes: dict[int, str],
    months: Sequence[str],
    root: str,
    top_unit: dict[str, str],
    officer_names: Sequence[str],
    seed: int = SEED,
) -> CommentOutputs:
    """``rows``: id, unit_id, m (month number), level, scale, comment, reasons, wrong (themes marked as wrong
    on the dashboard: withheld from that comment and learnt from as counter-examples). ``top_unit`` maps each unit to
    the unit directly under ``root`` that holds it (``root`` itself for the root)."""
    from analysis.comments.pipeline import AnalysisError, analyse_keeping_model, theme_rows

    if not rows:
        return CommentOutputs(summary={"comments": 0, "skipped": "no comments in the period"})
    texts = [str(r["comment"]) for r in rows]
    ratings = [rating_of(int(r["level"]), int(r["scale"])) for r in rows]
    reasons = [list(r["reasons"]) for r in rows]
    wrong = [list(r.get("wrong", ())) for r in rows]  # themes a manager marked as wrong for the comment
    try:
        results, model = analyse_keeping_model(
            texts, texts, ratings, reasons, officer_names, seed=seed, history_wrong=wrong, withheld=wrong
        )
    except AnalysisError as exc:  # one class only, say: nothing to learn from in this period
        return CommentOutputs(summary={"comments": len(rows), "skipped": str(exc)})
    out = CommentOutputs(model=model)
    for row, result in zip(rows, results, strict=True):
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
        "comments": len(rows),
        "dissatisfied": sum(int(c["dissatisfied"]) for c in out.comments),
        "mentions_person": sum(int(c["mentions_person"]) for c in out.comments),
        "model": "trained on this period's rated comments (1–2 dissatisfied), calibrated; threshold from them",
        "seed": seed,
    }
    return out
