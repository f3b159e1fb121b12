"""The aggregation queries give the same answer as plain Python over the raw rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from analysis.report.settings import Settings
from api.db import open_store
from api.db.migrate import migrate
from api.demo import fill_demo
from api.insights.batch import run_analysis
from api.insights.gather import gather
from api.insights.periods import months
from api.insights.queries import Packed

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _month(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, TZ).strftime("%Y-%m")


async def test_aggregates_match_the_raw_rows(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)
    await store.open()
    try:
        await migrate(store)
        await fill_demo(store, scale="small", seed=3, first=date(2026, 9, 20))
        facts = await gather(store, date(2026, 9, 25), date(2026, 10, 31), None, Settings(), lambda _: None)
        m = months(date(2026, 9, 25), date(2026, 10, 31), "Asia/Ho_Chi_Minh")
        raw = await store.fetch_all(
            "SELECT c.code AS counter, o.code AS officer, r.source, r.created_at, r.level, r.scale"
            " FROM ratings r JOIN counters c ON c.id = r.counter_id LEFT JOIN officers o ON o.id = r.officer_id"
            " WHERE r.created_at >= :lo AND r.created_at < :hi",
            {"lo": m.lo, "hi": m.hi},
        )
        dossiers = await store.fetch_all(
            "SELECT returned_at, due_at FROM dossiers WHERE returned_at >= :lo AND returned_at < :hi",
            {"lo": m.lo, "hi": m.hi},
        )
        results, _, run_id = await run_analysis(
            store, tmp_path / "out", date(2026, 9, 25), date(2026, 10, 31), None, lambda _: None
        )
        stored = await store.fetch_all("SELECT file, data FROM analysis_results WHERE run_id = :r", {"r": run_id})
    finally:
        await store.close()
    assert facts.months == ["2026-09", "2026-10"]
    counted: Counter[str] = Counter()
    for r in stored:
        counted[r["file"]] += len(json.loads(r["data"]))
    assert counted == {
        f: len(getattr(results, f)) for f in ("indices", "officers", "trends", "flags", "themes") if getattr(results, f)
    }
    assert counted["themes"] > 0  # the comment analysis ran and its theme rows were stored
    assert (tmp_path / "out" / "report.html").stat().st_size > 1000
    expected: Counter[tuple[str, str, str, str, str]] = Counter()
    satisfied: Counter[tuple[str, str, str, str, str]] = Counter()
    for r in raw:
        key = (r["counter"], r["officer"], r["source"], _month(r["created_at"]), "")
        expected[key] += 1
        satisfied[key] += r["level"] >= r["scale"] - 1
    got = Counter({(r["counter"], r["officer"], r["source"], r["m"], ""): r["n"] for r in facts.ratings})
    assert got == expected and len(raw) > 500
    assert {(r["counter"], r["officer"], r["source"], r["m"], ""): r["x"] for r in facts.ratings} == dict(satisfied)

    def day(ms: int) -> int:
        return datetime.fromtimestamp(ms / 1000, TZ).date().toordinal()

    late = sum(1 for d in dossiers if day(d["returned_at"]) > day(d["due_at"]))
    early = sum(1 for d in dossiers if day(d["returned_at"]) < day(d["due_at"]))
    assert sum(r["n"] for r in facts.dossiers if r["margin"] < 0) == late > 0
    assert sum(r["n"] for r in facts.dossiers if r["margin"] > 0) == early > 0
    assert sum(r["n"] for r in facts.dossiers) == len(dossiers)
    # burst candidates: every planted burst rating is a close pair, and each candidate has a neighbour
    assert len(facts.close_pairs) >= 10
    assert all(r["device"] for r in facts.close_pairs)


def test_month_boundaries_are_local_midnights() -> None:
    m = months(date(2026, 9, 15), date(2026, 12, 31), "Asia/Ho_Chi_Minh")
    assert m.labels == ("2026-09", "2026-10", "2026-11", "2026-12")
    assert m.starts[1] == int(datetime(2026, 10, 1, tzinfo=TZ).timestamp() * 1000)
    assert m.lo == int(datetime(2026, 9, 15, tzinfo=TZ).timestamp() * 1000)
    assert m.hi == int(datetime(2027, 1, 1, tzinfo=TZ).timestamp() * 1000)
    assert m.offset == 7 * 3_600_000


@given(st.lists(st.integers(0, 2**12 - 1), min_size=5, max_size=5))
def test_packed_keys_round_trip(values: list[int]) -> None:
    packed = Packed(tuple((f"f{i}", str(v), 12) for i, v in enumerate(values)))
    key = sqlite3.connect(":memory:").execute(f"SELECT {packed.sql()}").fetchone()[0]
    assert packed.unpack(key) == {f"f{i}": v for i, v in enumerate(values)}


def test_a_one_month_period_groups_by_an_expression_not_a_column_number() -> None:
    """SQLite reads a bare integer in GROUP BY as a column number: a one-month period once failed there."""
    m = months(date(2026, 5, 1), date(2026, 5, 31), "Asia/Ho_Chi_Minh")
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE t (a INTEGER, at INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(1, m.lo), (1, m.lo + 5), (2, m.lo)])
        rows = conn.execute(f"SELECT a, {m.case('at')} AS m, count(*) FROM t GROUP BY a, {m.case('at')}").fetchall()
    assert sorted(rows) == [(1, 0, 2), (2, 0, 1)]
