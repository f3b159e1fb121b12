"""Themes and comments on the dashboard, from the newest analysis run that covers the scope.

The figures come from ``hailong analyze`` (the dissatisfaction model and the themes are batch work: numpy
and scikit-learn never load in the API process); this module only counts its stored, redacted results for
the viewer's scope and period: the shares from the run's counts per unit and month (``comment_months``); the words and
examples from each theme's most dissatisfied comments (read whole for a small scope, else by an index walk
from the top score down). A theme's share is among the dissatisfied comments, as in the report.
Comments that name a person are counted for everyone but shown only to roles that may read names
(admin, province, manager); a ``viewer`` sees how many were left out. A comment comes from a counter rating or
from a receipt-QR questionnaire response (its ``source``); both are searched, shown and marked alike.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

from api.accounts.audit import audit
from api.comments import queries
from api.comments.schemas import Comment, CommentPage, MonthCount, Theme, ThemeView, WrongThemeIn
from api.db import Row, Store, Tx, now_ms
from api.errors import Invalid, NotFound
from api.instruments.loader import counter_instrument
from api.types import from_ms
from api.viewer import Viewer, subtree, visible_unit

EXAMPLES = 3
WORDS = 5
SAMPLE = 100  # a theme's most dissatisfied comments, read for its words and examples
SMALL_SCOPE = 20_000  # dissatisfied comments up to which a scope's are read whole


def fold_text(text: str) -> str:
    """How search compares: diacritics folded, lower case (pure Python, safe in the API process)."""
    from analysis.comments.normalise import fold

    return fold(text)


def may_read_names(viewer: Viewer) -> bool:
    return viewer.role != "viewer"


def month_span(first: date, last: date) -> list[str]:
    if last < first:
        raise Invalid("'to' is before 'from'.", code="bad-period")
    out, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


async def _scope(tx: Tx, viewer: Viewer, unit_code: str) -> tuple[Row, frozenset[int]]:
    unit = await visible_unit(tx, viewer, unit_code)
    return unit, await subtree(tx, int(unit["id"]))


def _share(n: int, of: int) -> float | None:
    return round(n / of, 4) if of else None


def _terms(row: Row) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in str(row["theme_terms"]).split(";"):
        code, _, words = part.partition(":")
        if code:
            out[code] = [w for w in words.split(",") if w and w != "chips"]
    return out


async def themes(store: Store, viewer: Viewer, unit_code: str, first: date, last: date) -> ThemeView:
    months = month_span(first, last)
    reasons = counter_instrument(3).reasons
    names = may_read_names(viewer)

    async def run(tx: Tx) -> ThemeView:
        unit, ids = await _scope(tx, viewer, unit_code)
        found = await queries.latest_run(tx, ids)
        if found is None:
            return ThemeView(unit_code, months[0], months[-1], None, None, 0, 0, [], 0)
        scope: frozenset[int] | None = None if unit["parent_id"] is None else ids  # the root: every unit
        run_id = int(found["id"])
        counted: dict[tuple[str, str], int] = {}
        for row in await queries.month_counts(tx, run_id, scope, months[0], months[-1]):
            counted[(str(row["month"]), str(row["measure"]))] = int(row["n"] or 0)

        def count(month: str, key: str) -> int:
            return counted.get((month, key), 0)

        unhappy = sum(count(m, "unhappy") for m in months)
        small = None
        if unhappy <= SMALL_SCOPE:  # one read of the scope's dissatisfied comments serves every theme
            rows = await queries.comments(tx, run_id, scope, months[0], months[-1], dissatisfied=True)
            small = sorted(rows, key=lambda r: (-float(r["p_dissatisfied"]), str(r["source"]), int(r["item_id"])))
        out: list[Theme] = []
        for reason in reasons:
            total = sum(count(m, reason.code) for m in months)
            if small is not None:
                members = [r for r in small if reason.code in str(r["themes"]).split(";")][:SAMPLE]
            else:
                members = await queries.worst(tx, run_id, scope, months[0], months[-1], reason.code, SAMPLE)
            words = Counter(w for r in members for w in _terms(r).get(reason.code, []))
            shown = [r for r in members if names or not r["mentions_person"]]
            examples = list(dict.fromkeys(str(r["redacted_text"]) for r in shown))[:EXAMPLES]
            monthly = [
                MonthCount(
                    m, count(m, reason.code), count(m, "unhappy"), _share(count(m, reason.code), count(m, "unhappy"))
                )
                for m in months
            ]
            out.append(
                Theme(
                    reason.code,
                    "fixed",
                    reason.vi,
                    reason.en,
                    total,
                    _share(total, unhappy),
                    monthly,
                    [w for w, _ in words.most_common(WORDS)],
                    examples,
                )
            )
        for stored in await queries.emergent(tx, run_id, str(unit["code"])):
            for topic in json.loads(str(stored["data"])):
                period = str(topic.get("period", ""))
                in_span = period in months or any(m.startswith(period) for m in months) if period else False
                if topic.get("kind") != "emergent" or not in_span:
                    continue
                label = f"{topic['theme']} ({period})"
                examples = [e for e in str(topic.get("examples", "")).split(" | ") if e][:EXAMPLES]
                out.append(
                    Theme(
                        str(topic["theme"]),
                        "emergent",
                        label,
                        label,
                        int(topic["n"]),
                        float(topic["share"]),
                        [],
                        [w for w in str(topic.get("top_terms", "")).split("; ") if w],
                        examples if names else [],
                    )
                )
        total = sum(count(m, "comments") for m in months)
        hidden = 0 if names else sum(count(m, "naming") for m in months)
        return ThemeView(unit_code, months[0], months[-1], run_id, from_ms(found["as_of"]), unhappy, total, out, hidden)

    return await store.read(run)


SOURCES = ("counter", "questionnaire")
_CURSOR = re.compile(r"^(\d{1,18})-([cq])(\d{1,18})$")


def cursor_of(row: Row) -> str:
    """Where the next page starts: after this comment ("1767225600000-q42": given_at, source, id)."""
    return f"{int(row['given_at'])}-{str(row['source'])[0]}{int(row['item_id'])}"


def parse_cursor(text: str) -> tuple[int, str, int]:
    found = _CURSOR.match(text)
    if found is None:
        raise Invalid("'before' is the next_before of a previous page.", code="bad-cursor")
    return int(found[1]), "counter" if found[2] == "c" else "questionnaire", int(found[3])


def _comment(row: Row) -> Comment:
    themes = [c for c in str(row["themes"]).split(";") if c]
    return Comment(
        source="questionnaire" if row["response_id"] is not None else "counter",
        id=int(row["item_id"]),
        rating_id=None if row["rating_id"] is None else int(row["rating_id"]),
        response_id=None if row["response_id"] is None else int(row["response_id"]),
        unit=str(row["unit"]),
        month=str(row["month"]),
        level=None if row["level"] is None else int(row["level"]),
        scale=int(row["scale"]),
        p_dissatisfied=float(row["p_dissatisfied"]),
        dissatisfied=bool(row["dissatisfied"]),
        themes=themes,
        words=_terms(row),
        mentions_person=bool(row["mentions_person"]),
        text=str(row["redacted_text"]),
    )


async def search(
    store: Store,
    viewer: Viewer,
    unit_code: str,
    first: date,
    last: date,
    *,
    theme: str | None = None,
    q: str | None = None,
    dissatisfied: bool | None = None,
    before: str | None = None,
    limit: int = 50,
) -> CommentPage:
    months = month_span(first, last)
    after = parse_cursor(before) if before else None

    async def run(tx: Tx) -> list[Row]:
        _, ids = await _scope(tx, viewer, unit_code)
        found = await queries.latest_run(tx, ids)
        if found is None:
            return []
        return await queries.comments(
            tx,
            int(found["id"]),
            ids,
            months[0],
            months[-1],
            theme=theme,
            folded=fold_text(q) if q else None,
            dissatisfied=dissatisfied,
            names=may_read_names(viewer),
            before=after,
            limit=limit + 1,
        )

    rows = await store.read(run)
    items = [_comment(r) for r in rows[:limit]]
    return CommentPage(items, cursor_of(rows[limit - 1]) if len(rows) > limit else None)


async def mark_wrong(store: Store, viewer: Viewer, item_id: int, data: WrongThemeIn) -> None:
    """The next analysis run withholds this theme from the comment and learns from it as a counter-example.
    ``item_id`` is the rating's (``data.source`` counter) or the questionnaire response's (questionnaire)."""
    codes = {r.code for r in counter_instrument(3).reasons}
    if data.theme not in codes:
        raise Invalid(f"{data.theme!r} is not a theme; themes are {', '.join(sorted(codes))}.", code="unknown-theme")
    if data.source not in SOURCES:
        raise Invalid(f"{data.source!r} is not a source; sources are {', '.join(SOURCES)}.", code="unknown-source")
    counter = data.source == "counter"

    async def run(tx: Tx) -> None:
        unit_id = await (queries.rating_unit if counter else queries.response_unit)(tx, item_id)
        if unit_id is None:
            what = "rating" if counter else "questionnaire response"
            raise NotFound(f"There is no {what} {item_id} with a comment.", code="unknown-comment")
        viewer.check_manages(unit_id)
        if counter:
            await queries.mark_wrong(tx, item_id, data.theme, viewer.name, now_ms())
        else:
            await queries.mark_response_wrong(tx, item_id, data.theme, viewer.name, now_ms())
        key = "rating" if counter else "response"
        await audit(tx, viewer, "theme-marked-wrong", {key: item_id, "theme": data.theme})

    await store.write(run)
