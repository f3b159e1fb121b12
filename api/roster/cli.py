"""The demo's duty roster: a week of morning and afternoon shifts, so the roster has something to show."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from api.db import Store, Tx, now_ms
from api.roster import queries
from api.types import to_ms

SHIFTS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))  # the usual office hours
DAYS = 7


async def plan_demo_week(tx: Tx, today: date) -> int:
    """Morning and afternoon shifts on the working days of the week from ``today``, for every counter whose
    unit has enough officers; no officer at two counters at once. Returns the number planned."""
    counters = await tx.fetch_all(
        "SELECT c.id, c.unit_id, u.timezone FROM counters c JOIN units u ON u.id = c.unit_id"
        " WHERE c.active = 1 ORDER BY c.unit_id, c.id"
    )
    officers: dict[int, list[int]] = defaultdict(list)
    for row in await tx.fetch_all("SELECT id, unit_id FROM officers WHERE active = 1 ORDER BY id"):
        officers[int(row["unit_id"])].append(int(row["id"]))
    by_unit: dict[int, list[Any]] = defaultdict(list)
    for c in counters:
        by_unit[int(c["unit_id"])].append(c)
    planned, now = 0, now_ms()
    for unit_id, unit_counters in by_unit.items():
        staff = officers.get(unit_id, [])
        if len(staff) < len(unit_counters):
            continue
        zone = ZoneInfo(str(unit_counters[0]["timezone"]))
        for offset in range(DAYS):
            day = today + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for s, (start, end) in enumerate(SHIFTS):
                for i, counter in enumerate(unit_counters):
                    officer = staff[(i + s + offset) % len(staff)]
                    values = {
                        "counter_id": counter["id"],
                        "officer_id": officer,
                        "starts_at": to_ms(datetime.combine(day, start, zone)),
                        "ends_at": to_ms(datetime.combine(day, end, zone)),
                        "created_by": "demo",
                        "now": now,
                    }
                    await queries.insert(tx, values)
                    planned += 1
    await queries.apply(tx, now)
    return planned


async def demo_hint(store: Store, settings: Any) -> list[str]:
    """For ``hailong serve --demo`` (``api.serve.DEMO_HINTS``): plan a week of shifts once."""
    if await store.fetch_one("SELECT 1 AS x FROM duty_shifts LIMIT 1") is not None:
        return []
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    planned = await store.write(lambda tx: plan_demo_week(tx, today))
    return [f"  Duty roster:          {planned} shifts planned for this week (GET /api/v1/roster?unit=…)"]
