"""Issue 14, item 4: the duty roster. Shifts planned per counter put their officer on duty when they start and
take them off when they end; ratings take the officer from it; managers change only their own units."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from api.errors import Forbidden
from api.roster import service
from api.roster.schemas import ShiftIn
from api.viewer import Viewer
from tests.harness import Harness, seed_reference


def at(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


async def shift(h: Harness, counter: str, officer: str, start: int, end: int) -> object:
    return await h.post(
        "/api/v1/roster/shifts", {"counter": counter, "officer": officer, "starts": at(start), "ends": at(end)}
    )


async def duty(h: Harness, counter: str) -> dict[str, object]:
    today = datetime.now(UTC).date().isoformat()
    r = await h.client.get(f"/api/v1/roster?unit=HB.LS&from={today}&to={today}", headers=h.admin)
    assert r.status_code == 200, r.text
    return next(c for c in r.json()["counters"] if c["counter"] == counter)


async def test_a_running_shift_puts_its_officer_on_duty_and_ratings_take_him(h: Harness) -> None:
    await seed_reference(h)
    assert (await duty(h, "LS-Q2"))["officer"] is None
    r = await shift(h, "LS-Q2", "CB02", -30, 90)
    assert r.status_code == 201, r.text
    now = await duty(h, "LS-Q2")
    assert (now["officer"], now["by_shift"]) == ("CB02", True)
    body = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q2", "level": 3}
    rated = await h.post("/api/v1/ratings", body, key="integrator")
    assert rated.status_code == 201 and rated.json()["officer"] == "CB02", rated.text
    stored = await h.rows("SELECT o.code FROM ratings r JOIN officers o ON o.id = r.officer_id")
    assert [r["code"] for r in stored] == ["CB02"]
    shift_id = r.json()["id"]
    assert (await h.client.delete(f"/api/v1/roster/shifts/{shift_id}", headers=h.admin)).status_code == 204
    assert (await duty(h, "LS-Q2"))["officer"] is None


async def test_duty_follows_the_clock_shift_start_and_end(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await seed_reference(h)
    assert (await shift(h, "LS-Q2", "CB02", 60, 120)).status_code == 201  # starts in an hour
    assert (await duty(h, "LS-Q2"))["officer"] is None
    base = datetime.now(UTC)
    clock = {"now": base + timedelta(minutes=61)}
    monkeypatch.setattr(service, "now_ms", lambda: int(clock["now"].timestamp() * 1000))
    await service.keep_duty_in_step(h.store, h.settings)
    assert (await duty(h, "LS-Q2"))["officer"] == "CB02"
    clock["now"] = base + timedelta(minutes=121)
    await service.keep_duty_in_step(h.store, h.settings)
    assert (await duty(h, "LS-Q2"))["officer"] is None


async def test_a_duty_set_by_hand_during_a_shift_wins_until_the_next_shift(h: Harness) -> None:
    await seed_reference(h)
    assert (await shift(h, "LS-Q2", "CB02", -30, 90)).status_code == 201
    r = await h.client.put("/api/v1/counters/LS-Q2/duty", json={"officer": "CB01"}, headers=h.admin)
    assert r.status_code == 200
    await service.keep_duty_in_step(h.store, h.settings)
    now = await duty(h, "LS-Q2")
    assert (now["officer"], now["by_shift"]) == ("CB01", False)


@pytest.mark.parametrize(
    ("counter", "officer", "start", "end", "code"),
    [
        ("LS-Q2", "CB02", 60, 30, "shift-ends-before-start"),
        ("LS-Q2", "CB02", 0, 20 * 60, "shift-too-long"),
        ("LS-Q2", "CB01", 10, 50, "shift-overlaps"),  # CB01 is already planned at LS-Q1 then
        ("LS-Q1", "CB02", 20, 40, "shift-overlaps"),  # LS-Q1 already has a shift then
        ("LS-Q2", "NOPE", 10, 50, "unknown-officer"),
    ],
)
async def test_impossible_shifts_are_refused(
    h: Harness, counter: str, officer: str, start: int, end: int, code: str
) -> None:
    await seed_reference(h)
    assert (await shift(h, "LS-Q1", "CB01", 0, 60)).status_code == 201
    r = await shift(h, counter, officer, start, end)
    assert r.status_code in (404, 422) and r.json()["type"].endswith(code), r.text
    assert await h.count("duty_shifts") == 1


async def test_only_a_manager_of_the_unit_plans_its_shifts(h: Harness) -> None:
    await seed_reference(h)
    ls = await h.rows("SELECT id FROM units WHERE code = 'HB.LS'")
    province = await h.rows("SELECT id FROM units WHERE code = 'HB'")
    data = ShiftIn("LS-Q2", "CB02", datetime.now(UTC), datetime.now(UTC) + timedelta(hours=1))
    elsewhere = Viewer("manager", 7, "other", province[0]["id"], frozenset({province[0]["id"]}))
    reader = Viewer("viewer", 8, "reader", ls[0]["id"], frozenset({ls[0]["id"]}))
    for who in (elsewhere, reader):
        with pytest.raises(Forbidden):
            await service.add_shift(h.store, who, data)
    manager = Viewer("manager", 9, "lan", ls[0]["id"], frozenset({ls[0]["id"]}))
    out = await service.add_shift(h.store, manager, data)
    assert (out.counter, out.created_by) == ("LS-Q2", "lan")
    with pytest.raises(Forbidden):
        await service.roster(h.store, elsewhere, "HB.LS", datetime.now(UTC).date(), datetime.now(UTC).date())


async def test_the_demo_week_has_no_officer_in_two_places_and_is_planned_once(h: Harness) -> None:
    from datetime import date

    from api.roster.cli import DAYS, SHIFTS, demo_hint, plan_demo_week

    await seed_reference(h)
    monday = date(2026, 11, 30)
    planned = await h.store.write(lambda tx: plan_demo_week(tx, monday))
    working = sum(1 for d in range(DAYS) if (monday + timedelta(days=d)).weekday() < 5)
    assert planned == working * len(SHIFTS) * 2 == await h.count("duty_shifts")  # two counters in HB.LS
    clashes = await h.rows(
        "SELECT a.id FROM duty_shifts a JOIN duty_shifts b ON a.id < b.id"
        " AND (a.officer_id = b.officer_id OR a.counter_id = b.counter_id)"
        " AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
    )
    assert clashes == []
    assert await demo_hint(h.store, h.settings) == []  # a roster exists: the demo plans nothing more
    assert await h.count("duty_shifts") == planned
