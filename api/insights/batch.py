"""``hailong analyze``: read the store's aggregates, compute every figure, write the files, store the run."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from analysis.report.facts import Facts
from analysis.report.files import write_csv, write_json
from analysis.report.run import Results, analyse
from analysis.report.settings import Settings
from api.db import Store, Tx, now_ms
from api.insights.gather import gather

FILES = ("indices", "officers", "trends", "flags", "themes")  # comments.csv stays in the files only
STORE_CHUNK = 1000
COMMENT_COLUMNS = (
    "run_id", "source", "rating_id", "response_id", "given_at", "unit_id", "month", "level", "scale",
    "p_dissatisfied", "dissatisfied", "themes", "theme_terms", "mentions_person", "redacted_text", "folded",
)  # fmt: skip


@dataclass(frozen=True)
class Timing:
    gather: float
    compute: float  # the numbers: indices, officers, trends, flags, indicator 8
    comments: float  # the comment analysis (redaction, the dissatisfaction model, themes)
    write: float
    store: float


async def run_analysis(
    store: Store,
    out: Path,
    first: date,
    last: date,
    unit_code: str | None,
    progress: Callable[[str], None],
    settings: Settings | None = None,
) -> tuple[Results, Timing, int]:
    """Returns the results, the time of each part and the stored run's id."""
    settings = settings or Settings()
    started = now_ms()
    t0 = time.perf_counter()
    facts = await gather(store, first, last, unit_code, settings, progress)
    t1 = time.perf_counter()
    progress("analyze: computing indices, officers, trends and flags")
    results = analyse(facts, settings)
    results.summary["feedback_handling"] = await feedback_part(store, facts)
    tc = time.perf_counter()
    progress("analyze: comments: redaction, the dissatisfaction model, themes")
    await comment_part(store, facts, results, settings)
    t2 = time.perf_counter()
    progress(f"analyze: writing {out}")
    write_files(out, results)
    t3 = time.perf_counter()
    progress("analyze: storing the run for the dashboard")
    run_id = await store_run(store, results, started, facts.root, first, last, settings)
    return results, Timing(t1 - t0, tc - t1, t2 - tc, t3 - t2, time.perf_counter() - t3), run_id


async def comment_part(store: Store, facts: Facts, results: Results, settings: Settings | None = None) -> None:
    """The period's comments, analysed (analysis/report/themes.py) into ``results``, and the themes that
    spiked in the last month (analysis/report/spikes.py)."""
    from analysis.report.spikes import theme_spikes
    from analysis.report.themes import analyse_comments
    from api.insights import queries
    from api.insights.periods import months
    from api.instruments.loader import counter_instrument

    unit_rows = await store.read(queries.units)
    ids_by_code = {str(u["code"]): int(u["id"]) for u in unit_rows}
    in_scope = [ids_by_code[u.code] for u in facts.units]
    ids = None if len(in_scope) == len(unit_rows) else in_scope
    m = months(date.fromisoformat(facts.first), date.fromisoformat(facts.last), facts.tz)
    rows = await store.read(lambda tx: queries.comments(tx, m, ids))
    items = facts.instrument.get("items", [])  # the receipt questionnaire's comments are learned from too
    text_items = [str(i["code"]) for i in items if i.get("kind") == "text"]
    scale_items = [str(i["code"]) for i in items if i.get("kind") == "scale"]
    instrument = str(facts.instrument.get("code", ""))
    survey = await store.read(lambda tx: queries.survey_comments(tx, m, ids, instrument, text_items, scale_items))
    names = await store.read(lambda tx: queries.officer_names(tx, ids))
    parent = {u.code: u.parent for u in facts.units}
    top: dict[str, str] = {}
    for unit in facts.units:
        code = unit.code
        while parent.get(code) not in (None, facts.root) and code != facts.root:
            code = str(parent[code])
        top[unit.code] = code
    codes = {v: k for k, v in ids_by_code.items()}
    found = analyse_comments(rows, codes, list(m.labels), facts.root, top, names, survey_rows=survey)
    results.comments, results.themes, results.model = found.comments, found.themes, found.model
    results.theme_names = {r.code: {"vi": r.vi, "en": r.en} for r in counter_instrument(3).reasons}
    results.summary["comments"] = found.summary
    min_points = (settings or Settings()).spc_min_points
    results.summary["theme_spikes"] = theme_spikes(found.comments, facts.months, facts.root, top, min_points)


async def feedback_part(store: Store, facts: Facts) -> dict[str, Any]:
    """Circular 01 indicator 8 over the follow-up cases of the analysed units due in the period, as of its
    last day (analysis.stats.official.feedback_handling)."""
    from api.followup.service import handling
    from api.insights import queries

    codes = {u.code for u in facts.units}
    unit_rows = await store.read(queries.units)
    ids = frozenset(int(u["id"]) for u in unit_rows if u["code"] in codes)
    scope = None if len(ids) == len(unit_rows) else ids
    found = await handling(store, scope, date.fromisoformat(facts.first), date.fromisoformat(facts.last))
    return {
        "indicator": "Circular 01/2018/TT-VPCP indicator 8",
        "as_of": facts.last,
        "on_time": found.on_time,
        "late": found.late,
        "pending": found.pending,
        "points": found.points,
        "label": found.label,
    }


def write_files(out: Path, results: Results) -> None:
    from analysis.report import flags, indices, officers, trends
    from analysis.report.html import write_report
    from analysis.report.themes import COMMENT_COLUMNS, THEME_COLUMNS

    out.mkdir(parents=True, exist_ok=True)
    if results.model is not None:  # the run's own model, kept with it (never shipped in the package)
        from analysis.comments.stored import save

        card = save(results.model, out)
        results.summary.setdefault("comments", {})["model_card"] = card
    write_csv(out / "indices.csv", indices.COLUMNS, results.indices)
    write_csv(out / "officers.csv", officers.COLUMNS, results.officers)
    write_csv(out / "trends.csv", trends.COLUMNS, results.trends)
    write_csv(out / "flags.csv", flags.COLUMNS, results.flags)
    write_csv(out / "themes.csv", THEME_COLUMNS, results.themes)
    write_csv(out / "comments.csv", COMMENT_COLUMNS, results.comments)
    write_json(out / "summary.json", results.summary)
    write_report(out / "report.html", results)


def _result_rows(run_id: int, results: Results) -> list[dict[str, Any]]:
    """One row per file and scope (unit, counter, officer, device …): its CSV rows as a JSON array."""
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for file in FILES:
        for row in getattr(results, file):
            if file == "officers":
                scope = ("officer", str(row["officer_code"]))
            else:
                scope = (str(row["scope_kind"]), str(row["scope_code"]))
            grouped.setdefault((file, *scope), []).append(row)
    return [
        {
            "run_id": run_id,
            "file": file,
            "scope_kind": kind,
            "scope_code": code,
            "data": json.dumps(rows, ensure_ascii=False, separators=(",", ":")),
        }
        for (file, kind, code), rows in grouped.items()
    ]


async def store_run(
    store: Store, results: Results, started: int, unit: str, first: date, last: date, settings: Settings
) -> int:
    async def head(tx: Tx) -> int:
        sql = """INSERT INTO analysis_runs (started_at, as_of, unit_code, period_from, period_to, settings, summary)
                 VALUES (:s, :a, :u, :f, :t, :settings, :summary) RETURNING id"""
        value = await tx.fetch_val(
            sql,
            {
                "s": started,
                "a": now_ms(),
                "u": unit,
                "f": first.isoformat(),
                "t": last.isoformat(),
                "settings": json.dumps(settings.as_dict()),
                "summary": json.dumps(results.summary, ensure_ascii=False),
            },
        )
        return int(value)

    run_id = await store.write(head)
    rows = _result_rows(run_id, results)
    sql = """INSERT INTO analysis_results (run_id, file, scope_kind, scope_code, data)
             VALUES (:run_id, :file, :scope_kind, :scope_code, :data)"""
    await insert_chunks(store, sql, rows)
    await store_comments(store, run_id, results.comments)
    return run_id


async def insert_chunks(store: Store, sql: str, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), STORE_CHUNK):
        chunk = rows[i : i + STORE_CHUNK]
        await store.write(lambda tx, c=chunk: tx.execute_many(sql, c))  # type: ignore[misc]


async def _given_at(store: Store, comments: list[dict[str, Any]]) -> dict[tuple[str, int], int]:
    """(source, id) → when each comment was given: its rating's created_at, its response's submitted_at."""
    found: dict[tuple[str, int], int] = {}
    for source, sql in (
        ("counter", "SELECT id, created_at AS at FROM ratings WHERE id IN ({ids})"),
        ("questionnaire", "SELECT id, submitted_at AS at FROM responses WHERE id IN ({ids})"),
    ):
        ids = sorted({int(c["id"]) for c in comments if c["source"] == source})
        for i in range(0, len(ids), STORE_CHUNK):
            listed = ", ".join(str(n) for n in ids[i : i + STORE_CHUNK])  # numbers
            for row in await store.fetch_all(sql.format(ids=listed)):
                found[(source, int(row["id"]))] = int(row["at"])
    return found


async def store_comments(store: Store, run_id: int, comments: list[dict[str, Any]]) -> None:
    """Each analysed comment, redacted, for the dashboard's themes and search (``comment_results``): a counter
    rating's (``id`` is the rating's) and a questionnaire response's (``id`` is the response's; its unit is the
    dossier's, its level the response's overall satisfaction, NULL without a scale answer); and the counts
    per unit and month of both (``comment_months``)."""
    from analysis.comments.normalise import fold
    from api.insights.queries import units as unit_rows

    units = {str(u["code"]): int(u["id"]) for u in await store.read(unit_rows)}
    given = await _given_at(store, comments)
    rows = [
        c
        | {
            "run_id": run_id,
            "rating_id": c["id"] if c["source"] == "counter" else None,
            "response_id": c["id"] if c["source"] == "questionnaire" else None,
            "given_at": given[(c["source"], int(c["id"]))],
            "unit_id": units[str(c["unit_code"])],
            "month": c["period"],
            "folded": fold(str(c["redacted_text"])),
        }
        for c in comments
    ]
    # A bulk load per chunk (COPY on PostgreSQL): small transactions, so that the API's writes on the same
    # SQLite file wait for none of them long.
    for i in range(0, len(rows), STORE_CHUNK):
        records = [tuple(r[c] for c in COMMENT_COLUMNS) for r in rows[i : i + STORE_CHUNK]]
        await store.insert_rows("comment_results", COMMENT_COLUMNS, records)
    counts: Counter[tuple[int, str, str]] = Counter()
    for c in rows:
        key = (int(c["unit_id"]), str(c["period"]))
        counts[(*key, "comments")] += 1
        counts[(*key, "naming")] += int(c["mentions_person"])
        if int(c["dissatisfied"]):
            counts[(*key, "unhappy")] += 1
            for code in str(c["themes"]).split(";"):
                if code:
                    counts[(*key, code)] += 1
    months = [
        {"run_id": run_id, "unit_id": u, "month": m, "measure": k, "n": n} for (u, m, k), n in counts.items() if n
    ]
    await insert_chunks(
        store,
        "INSERT INTO comment_months (run_id, unit_id, month, measure, n)"
        " VALUES (:run_id, :unit_id, :month, :measure, :n)",
        months,
    )
