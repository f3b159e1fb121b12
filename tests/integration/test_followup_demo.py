"""The demo's follow-up (api/followup/demo.py): cases for the last weeks of the small demo's feedback, handled
as a unit would, each with the calendar's deadline and a history in order."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date
from pathlib import Path

from api.db import open_store
from api.followup import demo, service
from api.followup.calendar import add_working_days
from api.settings import load_settings


async def test_the_demo_gets_cases_with_deadlines_handling_and_indicator_8(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    src, dst = sqlite3.connect(demo_db), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    url = f"sqlite:///{db}"
    settings = load_settings({"db_url": url}, environ={})
    store = open_store(url)
    await store.open()
    try:
        from api.db.migrate import migrate

        await migrate(store)  # the session's demo file may predate this branch's migrations
        lines = await demo.demo_hint(store, settings)
        assert lines and "cases" in lines[0]
        assert await demo.demo_hint(store, settings) == []  # once
        newest = (await store.fetch_one("SELECT max(created_at) AS t FROM ratings"))["t"]  # type: ignore[index]
        lo = newest - demo.DAYS * demo.DAY_MS
        wanted = await store.fetch_one(
            "SELECT count(*) AS n FROM ratings WHERE created_at >= :lo AND level = 1"
            " AND (dossier_id IS NOT NULL OR comment IS NOT NULL)",
            {"lo": lo},
        )
        rows = await store.fetch_all("SELECT * FROM cases WHERE source_kind = 'rating'")
        assert wanted is not None and len(rows) == wanted["n"] > 20
        for row in rows:
            opened = date.fromisoformat(row["opened_on"])
            assert row["deadline"] == add_working_days(opened, settings.case_working_days).isoformat()
        states = {r["state"] for r in await store.fetch_all("SELECT state FROM cases")}
        assert {"answered", "open"} <= states
        events: dict[int, list[int]] = defaultdict(list)
        for e in await store.fetch_all("SELECT case_id, at FROM case_events ORDER BY id"):
            events[int(e["case_id"])].append(int(e["at"]))
        assert all(times == sorted(times) for times in events.values())
        first, last = date(2026, 9, 1), date(2026, 10, 31)
        found = await service.handling(store, None, first, last)
        assert found.due > 0 and found.points is not None and found.on_time > found.late
    finally:
        await store.close()
