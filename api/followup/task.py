"""The follow-up task: a background job of each API process (api/background.py) that reads what was stored
since its marks (ratings, questionnaire responses, analysis runs) every ``followup_poll_seconds`` and opens,
moves on and closes alerts and opens cases. Nothing is added to the rating write path: the task reads on a
read connection, plans in Python, and writes its plan as one job of its own (only when there is something to
write).

Two API workers may run it at once: alerts are one per cause and scope while open (a unique key, upserted)
and cases one per source (a unique pair, ``ON CONFLICT DO NOTHING``), so whichever writes second changes
nothing. Each pass also reads the last ``RESCAN_MS`` again, because on PostgreSQL a rating with a lower id can
commit after one with a higher id; a breach older than a window is never opened (it has recovered already),
so reading again is harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from analysis.stats.window import Windows
from api.background import Periodic
from api.db import Store, Tx, now_ms
from api.db.errors import unavailable_reason
from api.followup import alerts, cases, queries
from api.settings import Settings

log = logging.getLogger("hailong.followup")
RESCAN_MS = 60_000
BATCH = 1000  # ratings (and responses) read and judged per pass: a pass runs on the API's event loop
MARKS = ("ratings", "responses", "runs")


@dataclass
class Plan:
    upserts: list[dict[str, Any]] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)
    close_before: int | None = None  # counter alerts close only if not extended meanwhile
    run_closes: list[int] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """Something to write (the marks alone are not)."""
        return bool(self.upserts or self.closes or self.run_closes or self.cases)


@dataclass(frozen=True)
class Pass:
    alerts: int
    closed: int
    cases: int


class FollowUp:
    def __init__(self, store: Store, settings: Settings, clock: Callable[[], int] = now_ms) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self.marks: dict[str, int] | None = None
        self.last_pass = float("-inf")
        self.windows: Windows | None = None
        self.unavailable = False

    async def load_marks(self) -> dict[str, int]:
        """The stored marks; on the very first start, the newest ids: follow-up begins with what arrives from
        then on, not with years of history (a restored or copied database keeps its marks)."""
        stored = await self.store.read(queries.marks)
        missing = [name for name in MARKS if name not in stored]
        if missing:
            newest = await self.store.read(queries.newest_ids)
            first = {name: newest[name] for name in missing}
            now = self.clock()
            await self.store.write(lambda tx: queries.set_marks(tx, first, now))
            stored = await self.store.read(queries.marks)
        return stored

    async def run_once(self) -> Pass:
        """One pass: read, plan, and write only if there is something to change (the marks go with it;
        otherwise they move on in memory: reading a few rows again after a restart is harmless)."""
        self.last_pass = time.monotonic()
        if self.marks is None:
            self.marks = await self.load_marks()
        marks, now = dict(self.marks), self.clock()
        plan = await self.store.read(lambda tx: self._plan(tx, marks, now))
        opened = await self.store.write(lambda tx: self._apply(tx, plan, now)) if plan else 0
        for name, value in plan.marks.items():
            self.marks[name] = max(self.marks.get(name, 0), value)
        return Pass(len(plan.upserts), len(plan.closes) + len(plan.run_closes), opened)

    async def _plan(self, tx: Tx, marks: dict[str, int], now: int) -> Plan:
        plan = Plan(marks=dict(marks))
        # SQLite commits in id order (one writer); on PostgreSQL the last moments are read again
        since = now - RESCAN_MS if tx.dialect == "postgresql" else None
        ratings = await queries.new_ratings(tx, marks["ratings"], since, BATCH)
        windows = await self._windows(tx, now)
        plan.upserts += alerts.counter_alerts(windows, ratings, now, self.settings)
        windows.trim(now - 2 * windows.width)
        extended = {a["open_key"] for a in plan.upserts}
        plan.closes = await alerts.recovered_counters(tx, now, self.settings, extended)
        plan.close_before = now - windows.width
        days = self.settings.case_working_days
        candidates = [r for r in ratings if cases.opens_case(r)]
        plan.cases += cases.from_ratings(await queries.with_places(tx, candidates), days, now)
        newest = (await queries.newest_ids(tx))["responses"]
        responses = await queries.new_responses(tx, marks["responses"], newest, since, BATCH)
        plan.cases += cases.from_responses(responses, days, now)
        # most responses report nothing and are not returned: the mark moves past them unless the batch was full
        plan.marks["responses"] = max(marks["responses"], newest if len(responses) < BATCH else 0)
        # one run a pass: what a run closes is judged against the alerts the runs before it left open
        for run in await queries.next_run(tx, marks["runs"]):
            wanted, stale = await alerts.run_alerts(tx, run)
            plan.upserts += wanted
            plan.run_closes += stale
            plan.marks["runs"] = int(run["id"])
        if ratings:
            plan.marks["ratings"] = max(marks["ratings"], max(int(r["id"]) for r in ratings))
        if len(responses) >= BATCH:
            plan.marks["responses"] = max(marks["responses"], max(int(r["id"]) for r in responses) - 1)
        return plan

    async def _windows(self, tx: Tx, now: int) -> Windows:
        """The counters' windows, filled from the store on the first pass (the last two windows' ratings),
        then fed by each pass's new ratings (api/followup/alerts.counter_alerts)."""
        if self.windows is None:
            windows = alerts.new_windows(self.settings)
            for r in await queries.window(tx, None, now - 2 * windows.width, now):
                windows.add(int(r["counter_id"]), int(r["id"]), int(r["created_at"]), int(r["level"]) == 1)
            self.windows = windows
        return self.windows

    async def _apply(self, tx: Tx, plan: Plan, now: int) -> int:
        for row in plan.upserts:
            await queries.upsert_alert(tx, row)
        await queries.close_alerts(tx, plan.closes, now, plan.close_before)
        await queries.close_alerts(tx, plan.run_closes, now)
        opened = await queries.insert_cases(tx, plan.cases)
        if plan.marks:
            await queries.set_marks(tx, plan.marks, now)
        return opened

    def due(self) -> bool:
        """Whether ``followup_poll_seconds`` have passed since the last pass (the job ticks every second)."""
        return time.monotonic() - self.last_pass >= self.settings.followup_poll_seconds - 0.05


_followers: WeakKeyDictionary[Store, FollowUp] = WeakKeyDictionary()  # one per running store (its marks)


async def follow_up(store: Store, settings: Settings) -> None:
    """The background job (api/background.py): a pass every ``followup_poll_seconds``; 0 turns it off."""
    if settings.followup_poll_seconds <= 0:
        return
    follower = _followers.get(store)
    if follower is None:
        follower = _followers[store] = FollowUp(store, settings)
    if not follower.due():
        return
    try:
        await follower.run_once()
    except Exception as exc:
        reason = unavailable_reason(exc)
        if reason is None:
            raise  # a bug: api/background.py logs it with its traceback
        if not follower.unavailable:  # the store cannot take work: one line when it begins, one when it ends
            log.warning("follow-up: the store cannot be read or written (%s); trying again", reason)
        follower.unavailable = True
        return
    if follower.unavailable:
        log.warning("follow-up: the store works again")
        follower.unavailable = False


FOLLOWUP_JOB = Periodic("followup", 1.0, follow_up)
