"""The demo's follow-up: cases for the feedback of the demo's last weeks, handled as a unit's staff would
(most on time, a few late, some still open), so that the cases pages and indicator 8 have something to show on
a first ``hailong serve --demo``. Alerts need no seeding: tap "Không hài lòng" four times at the kiosk and the
counter's alert opens within seconds."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from api.db import Store, Tx
from api.followup import cases, queries
from api.followup.calendar import add_working_days, is_working_day
from api.settings import Settings

DAYS = 30
DAY_MS = 86_400_000
RESPONSES = (
    "Đơn vị đã liên hệ lại công dân qua điện thoại, xin lỗi và hướng dẫn bổ sung hồ sơ.",
    "Đã rút kinh nghiệm với cán bộ tiếp nhận; bố trí thêm người vào giờ cao điểm.",
    "Đã làm việc với công chức liên quan; kết quả đã thông báo cho công dân.",
)
DISMISSALS = (
    "Phản ánh trùng với hồ sơ đã được giải quyết.",
    "Nội dung không thuộc thẩm quyền của đơn vị; đã hướng dẫn công dân gửi đúng nơi.",
)
ACTOR = "demo-manager"
SOURCES = "SELECT id, source_kind, source_id FROM cases"


def _working_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _at(day: date, tz: str, rng: random.Random) -> int:
    moment = datetime.combine(day, time(8, 0), ZoneInfo(tz)) + timedelta(minutes=rng.randrange(8 * 60))
    return int(moment.timestamp() * 1000)


def _outcome(case: dict[str, Any], today: date, rng: random.Random) -> tuple[str, date | None]:
    """What the unit did: (state, the day it was handled)."""
    opened, deadline = date.fromisoformat(case["opened_on"]), date.fromisoformat(case["deadline"])
    in_time = _working_days(opened + timedelta(days=1), min(deadline, today))
    roll = rng.random()
    if deadline < today:
        late = _working_days(deadline + timedelta(days=1), min(add_working_days(deadline, 5), today))
        if roll < 0.07 and late:
            return "answered", rng.choice(late)
        if roll < 0.12:
            return "open", None
    elif roll < 0.5 or not in_time:
        return ("in_progress" if roll < 0.25 else "open"), None
    if not in_time:
        return "open", None
    return ("dismissed" if rng.random() < 0.07 else "answered"), rng.choice(in_time)


async def fill(store: Store, settings: Settings, seed: int = 7) -> tuple[int, int]:
    """Open and handle the cases of the demo's last ``DAYS`` days; (cases, handled by their deadline)."""
    newest = await store.fetch_one("SELECT max(created_at) AS t FROM ratings")
    if not newest or newest["t"] is None:
        return 0, 0
    hi = int(newest["t"])
    ratings, responses = await store.read(lambda tx: queries.history(tx, hi - DAYS * DAY_MS))
    planned = cases.from_ratings(ratings, settings.case_working_days, hi)
    planned += cases.from_responses(responses, settings.case_working_days, hi)
    user = await store.fetch_one("SELECT id FROM users WHERE username = :u", {"u": ACTOR})
    rng = random.Random(seed)
    tz = {int(r["case_unit"]): str(r["timezone"]) for r in ratings} | {
        int(r["unit_id"]): str(r["timezone"]) for r in responses
    }
    today = date.fromisoformat(cases.local_day(hi, settings.timezone))
    on_time = 0
    for case in planned:
        case["now"] = case["opened_at"]  # the history starts when the feedback came, not today
        state, day = _outcome(case, today, rng)
        on_time += day is not None and day.isoformat() <= case["deadline"]
        case["outcome"] = (state, day, _at(day, tz[case["unit_id"]], rng) if day else None)

    async def write(tx: Tx) -> None:
        actor = (None if user is None else int(user["id"]), ACTOR)
        await queries.insert_cases(tx, planned)
        ids = {(r["source_kind"], int(r["source_id"])): int(r["id"]) for r in await tx.fetch_all(SOURCES)}
        for case in planned:
            await _handle(tx, ids[(case["source_kind"], case["source_id"])], case, actor, rng)

    await store.write(write)
    return len(planned), on_time


async def _handle(
    tx: Tx, case_id: int, case: dict[str, Any], actor: tuple[int | None, str], rng: random.Random
) -> None:
    state, day, at = case["outcome"]
    if state == "open":
        return
    start = int(case["opened_at"]) + DAY_MS // 4
    await queries.add_event(tx, case_id, start, *actor, "transition", "open", "in_progress")
    values: dict[str, Any] = {"state": state, "updated_at": at or start}
    if state == "answered":
        values |= {"response": rng.choice(RESPONSES), "handled_at": at, "handled_on": day.isoformat()}
    elif state == "dismissed":
        values |= {"dismissal_reason": rng.choice(DISMISSALS), "handled_at": at, "handled_on": day.isoformat()}
    await queries.update_case(tx, case_id, "open", values)
    if state != "in_progress":
        text = values.get("response") or values.get("dismissal_reason")
        await queries.add_event(tx, case_id, at, *actor, "transition", "in_progress", state, note=text)


async def demo_hint(store: Store, settings: Settings) -> list[str]:
    """For ``hailong serve --demo`` (``api.serve.DEMO_HINTS``): on a database without cases, the demo's."""
    if await store.fetch_one("SELECT 1 AS x FROM cases LIMIT 1") is not None:
        return []
    made, on_time = await fill(store, settings)
    return [
        f"  Follow-up:            {made} cases from the demo's last {DAYS} days ({on_time} handled in time),"
        f" {settings.base_url}/dashboard/cases; tap 'Không hài lòng' 4 times at a kiosk for an alert"
    ]
