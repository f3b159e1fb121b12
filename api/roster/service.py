"""The duty roster: managers plan shifts per counter; the API process keeps counter duty in step with it.

Ratings take the officer on duty from ``counter_duty`` when they are stored (api.ratings); this domain only
changes who is there, from a background job (``ROSTER_JOB``) that runs every 30 seconds and right after a
shift is added or removed. A duty set by hand after a shift began wins until the next shift starts. To take
an officer off mid-shift, shorten or remove the shift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.accounts.audit import audit
from api.background import Periodic
from api.counters.service import require as require_counter
from api.db import Row, Store, Tx, now_ms
from api.errors import Invalid, NotFound
from api.officers.service import serving_officer
from api.roster import queries
from api.roster.schemas import CounterDuty, Roster, ShiftIn, ShiftOut
from api.settings import Settings
from api.types import aware, from_ms, to_ms
from api.viewer import Viewer

MAX_SHIFT = timedelta(hours=16)
MAX_SPAN_DAYS = 62  # one roster page reads at most two months of shifts


def shift_out(row: Row) -> ShiftOut:
    starts, ends = from_ms(row["starts_at"]), from_ms(row["ends_at"])
    assert starts is not None and ends is not None
    return ShiftOut(
        int(row["id"]), row["counter"], row["officer"], row["officer_name"], starts, ends, row["created_by"]
    )


async def add_shift(store: Store, viewer: Viewer, data: ShiftIn) -> ShiftOut:
    starts, ends = aware(data.starts, "starts"), aware(data.ends, "ends")
    if ends <= starts:
        raise Invalid("A shift ends after it starts.", code="shift-ends-before-start")
    if ends - starts > MAX_SHIFT:
        raise Invalid(f"A shift lasts at most {MAX_SHIFT.seconds // 3600} hours.", code="shift-too-long")

    async def run(tx: Tx) -> Row:
        counter = await require_counter(tx, data.counter)
        viewer.check_manages(int(counter["unit_id"]))
        officer_id = await serving_officer(tx, data.officer, counter)
        s, e = to_ms(starts), to_ms(ends)
        clash = await queries.clashes(tx, int(counter["id"]), officer_id, s, e)
        if clash is not None:
            raise Invalid(
                f"This shift overlaps shift {clash['id']} ({clash['officer']} at {clash['counter']}).",
                code="shift-overlaps",
            )
        shift_id = await queries.insert(
            tx,
            {
                "counter_id": counter["id"],
                "officer_id": officer_id,
                "starts_at": s,
                "ends_at": e,
                "created_by": viewer.name,
                "now": now_ms(),
            },
        )
        assert shift_id is not None
        await queries.apply(tx, now_ms())
        detail = {"shift": shift_id, "counter": data.counter, "officer": data.officer}
        await audit(tx, viewer, "shift-add", detail | {"starts": starts.isoformat(), "ends": ends.isoformat()})
        found = await queries.shift(tx, shift_id)
        assert found is not None
        return found

    return shift_out(await store.write(run))


async def remove_shift(store: Store, viewer: Viewer, shift_id: int) -> None:
    async def run(tx: Tx) -> None:
        row = await queries.shift(tx, shift_id)
        if row is None:
            raise NotFound(f"There is no shift {shift_id}.", code="unknown-shift")
        viewer.check_manages(int(row["unit_id"]))
        await queries.delete(tx, shift_id)
        await queries.apply(tx, now_ms())
        detail = {"shift": shift_id, "counter": row["counter"], "officer": row["officer"]}
        await audit(tx, viewer, "shift-remove", detail)

    await store.write(run)


def local_days(first: date, last: date, tz: str) -> tuple[int, int]:
    """[first 00:00, the day after last 00:00) in the unit's time zone, as epoch milliseconds."""
    zone = ZoneInfo(tz)
    since = datetime.combine(first, time(), zone)
    until = datetime.combine(last + timedelta(days=1), time(), zone)
    return to_ms(since), to_ms(until)


async def roster(store: Store, viewer: Viewer, unit_code: str, first: date, last: date) -> Roster:
    if last < first:
        raise Invalid("'to' is before 'from'.", code="bad-period")
    if (last - first).days >= MAX_SPAN_DAYS:
        raise Invalid(f"A roster shows at most {MAX_SPAN_DAYS} days.", code="period-too-long")

    async def run(tx: Tx) -> tuple[Row, list[Row], list[Row]]:
        unit = await tx.fetch_one("SELECT id, code, timezone FROM units WHERE code = :c", {"c": unit_code})
        if unit is None:
            raise NotFound(f"There is no unit with code {unit_code!r}.", code="unknown-unit")
        viewer.check_sees(int(unit["id"]))
        counters = await tx.fetch_all(
            "SELECT c.id, c.code, c.name, u.code AS unit, o.code AS officer, o.full_name AS officer_name,"
            " d.since_at, d.shift_id FROM counters c JOIN units u ON u.id = c.unit_id"
            " LEFT JOIN counter_duty d ON d.counter_id = c.id LEFT JOIN officers o ON o.id = d.officer_id"
            " WHERE c.unit_id = :u AND c.active = 1 ORDER BY c.code",
            {"u": unit["id"]},
        )
        since, until = local_days(first, last, str(unit["timezone"]))
        rows = await queries.shifts(tx, [int(c["id"]) for c in counters], since, until)
        return unit, counters, rows

    unit, counters, rows = await store.read(run)
    since, until = local_days(first, last, str(unit["timezone"]))
    return Roster(
        str(unit["code"]),
        datetime.fromtimestamp(since / 1000, UTC),
        datetime.fromtimestamp(until / 1000, UTC),
        [
            CounterDuty(
                c["code"],
                c["name"],
                c["unit"],
                c["officer"],
                c["officer_name"],
                from_ms(c["since_at"]),
                c["shift_id"] is not None,
            )
            for c in counters
        ],
        [shift_out(r) for r in rows],
    )


async def keep_duty_in_step(store: Store, settings: Settings) -> None:
    now = now_ms()
    if await store.read(lambda tx: queries.stale(tx, now)):  # most ticks: nothing to write

        async def run(tx: Tx) -> None:
            await queries.apply(tx, now)

        await store.write(run)


ROSTER_JOB = Periodic("roster", 30.0, keep_duty_in_step)
