"""Issue 14, items 2 and 3: fast counter alerts, follow-up cases and their API, through HTTP and the follow-up
task (driven here with a clock of the test's own; the background loop is off in these apps)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from api.db import Store, now_ms, open_store
from api.errors import Forbidden
from api.followup import queries, service
from api.followup.task import FollowUp
from api.viewer import Viewer
from tests.harness import Harness, harness, seed_reference

DOSSIER = "000.00.12.H36-261120-0001"
MINUTE = 60_000
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def h(db_url: str) -> AsyncIterator[Harness]:
    async with harness(db_url, followup_poll_seconds=0) as ready:
        yield ready


class Clock:
    def __init__(self, at: int) -> None:
        self.at = at

    def __call__(self) -> int:
        return self.at


def rating(**extra: object) -> dict[str, object]:
    return {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3} | extra


async def rate(h: Harness, *levels: int, **extra: object) -> None:
    for level in levels:
        r = await h.post("/api/v1/ratings", rating(level=level, **extra), key="integrator")
        assert r.status_code == 201, r.text


async def alerts(h: Harness) -> list[dict[str, Any]]:
    return await h.rows("SELECT id, cause, scope_kind, state, open_key, last_seen_at FROM alerts ORDER BY id")


async def test_an_alert_fires_on_a_burst_is_acknowledged_and_closes_when_the_counter_recovers(h: Harness) -> None:
    await seed_reference(h)
    clock = Clock(now_ms())
    task = FollowUp(h.store, h.settings, clock)
    await rate(h, 3, 2, 3)  # a calm morning: no alert
    clock.at = now_ms()
    assert (await task.run_once()).alerts == 0 and await alerts(h) == []
    await rate(h, 1, 1, 1)  # 3 of 6 "Không hài lòng" within 15 minutes: 50 %, at least 4 ratings
    clock.at = now_ms()
    await task.run_once()
    [alert] = await alerts(h)
    assert (alert["cause"], alert["scope_kind"], alert["state"]) == ("counter_unhappy", "counter", "open")
    r = await h.client.get(f"/api/v1/alerts/{alert['id']}", headers=h.admin)
    assert r.status_code == 200 and r.json()["scope"] == "LS-Q1" and r.json()["unit"] == "HB.LS"
    assert r.json()["evidence"]["unsatisfied"] == 3 and r.json()["evidence"]["ratings"] == 6
    first_breach = alert["last_seen_at"]

    # acknowledged with a note: who and when are kept; a second acknowledgement is refused
    r = await h.post(f"/api/v1/alerts/{alert['id']}/acknowledge", {"note": "Đã nhắc quầy 1, thêm người"})
    assert r.status_code == 200, r.text
    ack = r.json()["acknowledged"]
    assert (
        ack["note"] == "Đã nhắc quầy 1, thêm người"
        and ack["by"] == "test admin"
        and r.json()["state"] == "acknowledged"
    )
    r = await h.post(f"/api/v1/alerts/{alert['id']}/acknowledge", {"note": "again"})
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")

    # more dissatisfaction meanwhile: the same alert moves on, no second one
    await rate(h, 1, 1)
    clock.at = now_ms()
    await task.run_once()
    [again] = await alerts(h)
    assert again["id"] == alert["id"] and again["last_seen_at"] > first_breach and again["state"] == "acknowledged"

    # happy ratings, but less than a full window since the last breach: still open
    await rate(h, 3, 3, 3, 3, 3, 3)
    clock.at = now_ms() + 5 * MINUTE
    await task.run_once()
    [still] = await alerts(h)  # the first happy ratings still made windows of ≥ 50 %: the last breach moved on
    assert still["state"] == "acknowledged" and still["last_seen_at"] >= again["last_seen_at"]
    clock.at = still["last_seen_at"] + 15 * MINUTE - 1
    assert (await task.run_once()).closed == 0
    # a full window with no breach: closed by itself
    clock.at = still["last_seen_at"] + 15 * MINUTE
    assert (await task.run_once()).closed == 1
    [closed] = await alerts(h)
    assert closed["state"] == "closed" and closed["open_key"] is None
    r = await h.client.get("/api/v1/alerts", params={"state": "closed"}, headers=h.admin)
    assert [a["id"] for a in r.json()] == [alert["id"]] and r.json()[0]["acknowledged"]["note"]


async def test_two_evaluators_racing_open_one_alert_and_one_case_per_rating(h: Harness) -> None:
    await seed_reference(h)
    others: list[Store] = [open_store(h.db_url) for _ in range(2)]
    for store in others:
        await store.open()
    try:
        clock = Clock(now_ms())
        tasks = [FollowUp(store, h.settings, clock) for store in others]
        for task in tasks:
            await task.run_once()
        await rate(h, 1, 1, 1, 1, comment="Chờ quá lâu, không ai hướng dẫn")
        clock.at = now_ms()
        for _ in range(3):
            await asyncio.gather(*(task.run_once() for task in tasks))
        assert len(await alerts(h)) == 1
        assert await h.count("cases") == 4
        assert await h.count("case_events") == 4  # one "opened" each
    finally:
        for store in others:
            await store.close()


def expected_deadline(opened: date, days: int) -> date:
    """The calendar's answer, worked out here from the holidays package and the weekday rule."""
    off = holidays.country_holidays("VN", years=[opened.year, opened.year + 1])
    day = opened
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            days -= 1
    return day


async def test_a_case_opened_on_the_friday_before_tet_2027_gets_the_calendars_deadline(h: Harness) -> None:
    await seed_reference(h)
    task = FollowUp(h.store, h.settings, Clock(now_ms()))
    await task.run_once()
    await rate(h, 1, dossier_code=DOSSIER)  # "Không hài lòng" naming a dossier
    await rate(h, 1)  # neither dossier nor comment: no case
    await rate(h, 2, comment="ổn")  # satisfied with a comment: no case
    friday = datetime(2027, 1, 29, 10, 30, tzinfo=TZ)
    assert friday.weekday() == 4 and date(2027, 2, 5) in holidays.country_holidays("VN", years=2027)  # Tết eve
    at = int(friday.timestamp() * 1000)
    await h.store.write(lambda tx: tx.execute("UPDATE ratings SET created_at = :t", {"t": at}))
    task.clock = Clock(at + MINUTE)
    await task.run_once()
    [case] = await h.rows("SELECT * FROM cases")
    want = expected_deadline(date(2027, 1, 29), 15)
    assert case["opened_on"] == "2027-01-29" and case["deadline"] == want.isoformat()
    naive = date(2027, 1, 29) + timedelta(days=21)  # 15 weekdays, had Tết not been there
    assert want > naive  # the week of Tết is not counted
    assert case["reasons"] == "unsatisfied,dossier"
    r = await h.client.get(f"/api/v1/cases/{case['id']}", headers=h.admin)
    body = r.json()
    assert body["dossier_code"] == DOSSIER and body["unit"] == "HB.LS" and body["deadline"] == want.isoformat()
    assert body["events"][0]["action"] == "opened" and body["events"][0]["by"] == "system"


async def test_a_questionnaire_reporting_informal_payments_opens_a_case(h: Harness) -> None:
    await seed_reference(h)
    task = FollowUp(h.store, h.settings, Clock(now_ms()))
    await task.run_once()
    [dossier] = await h.rows("SELECT id FROM dossiers")

    async def answer(tx: Any) -> None:
        rid = await tx.fetch_val(
            "INSERT INTO responses (dossier_id, instrument, instrument_version, submitted_at)"
            " VALUES (:d, 'sipas-service-2023', '1', :t) RETURNING id",
            {"d": dossier["id"], "t": now_ms()},
        )
        for item, value, text in (
            ("harassment", 0, None),
            ("informal_payment", 1, None),
            ("comment", None, "gọi 0912 345 678"),
        ):
            await tx.execute(
                "INSERT INTO answers (response_id, item, value, text_value) VALUES (:r, :i, :v, :t)",
                {"r": rid, "i": item, "v": value, "t": text},
            )

    await h.store.write(answer)
    task.clock = Clock(now_ms())
    assert (await task.run_once()).cases == 1
    [case] = await h.rows("SELECT source_kind, reasons, dossier_id FROM cases")
    assert case == {"source_kind": "response", "reasons": "informal_payment", "dossier_id": dossier["id"]}
    r = await h.client.get(f"/api/v1/dossiers/{DOSSIER}/feedback", headers=h.admin)
    assert r.status_code == 200, r.text
    [response] = r.json()["responses"]
    comment = next(a for a in response["answers"] if a["item"] == "comment")
    assert "0912" not in comment["text"] and "[SĐT]" in comment["text"]  # redacted
    assert [c["reasons"] for c in r.json()["cases"]] == [["informal_payment"]]
    assert (await h.client.get("/api/v1/dossiers/NOPE/feedback", headers=h.admin)).status_code == 404


async def test_case_states_need_a_response_or_a_reason_and_keep_their_history(h: Harness) -> None:
    await seed_reference(h)
    task = FollowUp(h.store, h.settings, Clock(now_ms()))
    await task.run_once()
    await rate(h, 1, comment="Cán bộ thái độ không tốt")
    task.clock = Clock(now_ms())
    await task.run_once()
    [case] = await h.rows("SELECT id FROM cases")
    path = f"/api/v1/cases/{case['id']}/transition"
    r = await h.post(path, {"to": "answered"})
    assert r.status_code == 422 and "response" in r.json()["detail"]
    r = await h.post(path, {"to": "dismissed", "reason": "   "})
    assert r.status_code == 422
    assert (await h.post(path, {"to": "in_progress", "note": "Đang xác minh"})).status_code == 200
    r = await h.post(path, {"to": "answered", "response": "Đã xin lỗi công dân và nhắc nhở cán bộ"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "answered" and body["handled_at"] and not body["overdue"]
    assert [(e["action"], e["from_state"], e["to_state"]) for e in body["events"]] == [
        ("opened", None, "open"),
        ("transition", "open", "in_progress"),
        ("transition", "in_progress", "answered"),
    ]
    r = await h.post(path, {"to": "dismissed", "reason": "x"})
    assert r.status_code == 422 and r.json()["type"].endswith("bad-transition")
    assert (await h.post("/api/v1/cases/999999/transition", {"to": "open"})).status_code == 404
    today = datetime.now(TZ).date()
    r = await h.client.get(
        "/api/v1/cases/timeliness",
        params={"from": today.isoformat(), "to": (today + timedelta(days=40)).isoformat()},
        headers=h.admin,
    )
    assert r.status_code == 200 and (r.json()["on_time"], r.json()["points"]) == (1, 2)


async def test_viewers_see_and_change_only_their_own_units(h: Harness) -> None:
    """The scope rule (api/viewer.py) on every follow-up read and change. Dashboard sessions reach /api/v1 once
    the accounts domain lets them through the boundary; until then the service is called with each viewer."""
    await seed_reference(h)
    body = {"code": "HB.KS", "name": "Huyện Kim Sơn", "kind": "district", "parent": "HB"}
    assert (await h.post("/api/v1/units", body)).status_code == 201
    units = {r["code"]: int(r["id"]) for r in await h.rows("SELECT id, code FROM units")}
    task = FollowUp(h.store, h.settings, Clock(now_ms()))
    await task.run_once()
    await rate(h, 1, 1, 1, 1, comment="Chờ lâu")
    task.clock = Clock(now_ms())
    await task.run_once()
    [alert] = await alerts(h)
    [case, *_] = await h.rows("SELECT id FROM cases ORDER BY id")
    other = Viewer("manager", 5, "Quản lý Kim Sơn", units["HB.KS"], frozenset({units["HB.KS"]}))
    reader = Viewer("viewer", 6, "Xem Lương Sơn", units["HB.LS"], frozenset({units["HB.LS"]}))
    own = Viewer("manager", 7, "Quản lý Lương Sơn", units["HB.LS"], frozenset({units["HB.LS"]}))
    s = h.store
    refused: list[Any] = [
        service.get_alert(s, other, alert["id"]),
        service.get_case(s, other, case["id"]),
        service.dossier_feedback(s, other, DOSSIER),
        service.list_alerts(s, other, unit="HB.LS", state=None, limit=10, before=None),
        service.acknowledge(s, other, alert["id"], "x"),
        service.transition(s, other, case["id"], "in_progress", None, None, None),
        service.acknowledge(s, reader, alert["id"], "x"),
        service.transition(s, reader, case["id"], "in_progress", None, None, None),
    ]
    for call in refused:
        with pytest.raises(Forbidden):
            await call
    assert await service.list_alerts(s, other, unit=None, state=None, limit=10, before=None) == []
    assert (
        await service.list_cases(s, other, unit=None, state=None, overdue=False, limit=10, before=None, tz="UTC") == []
    )
    assert (await service.get_alert(s, reader, alert["id"])).id == alert["id"]
    done = await service.acknowledge(s, own, alert["id"], "Đã xử lý")
    assert done.acknowledged is not None and done.acknowledged.by == "Quản lý Lương Sơn"
    [stored] = await h.rows("SELECT ack_user_id, ack_name FROM alerts")
    assert stored == {"ack_user_id": 7, "ack_name": "Quản lý Lương Sơn"}
    # over HTTP: an integrator key reads no dashboard data
    r = await h.client.get(f"/api/v1/alerts/{alert['id']}", headers=h.integrator)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")


async def test_the_digest_lists_what_opened_was_acknowledged_and_closed_that_day_per_unit(h: Harness) -> None:
    await seed_reference(h)
    task = FollowUp(h.store, h.settings, Clock(now_ms()))
    await task.run_once()
    await rate(h, 1, 1, 1, 1)
    task.clock = Clock(now_ms())
    await task.run_once()
    [alert] = await alerts(h)
    assert (await h.post(f"/api/v1/alerts/{alert['id']}/acknowledge", {"note": "ok"})).status_code == 200
    today = datetime.now(TZ).date()
    r = await h.client.get("/api/v1/alerts/digest", params={"day": today.isoformat()}, headers=h.admin)
    assert r.status_code == 200, r.text
    digest = r.json()
    assert (digest["opened"], digest["acknowledged"], digest["closed"]) == (1, 1, 0)
    assert [u["unit"] for u in digest["units"]] == ["HB.LS"]
    r = await h.client.get("/api/v1/alerts/digest", params={"day": "2020-01-01"}, headers=h.admin)
    assert r.json()["opened"] == 0 and r.json()["units"] == []
    assert (await h.client.get("/api/v1/alerts/digest", params={"day": "nope"}, headers=h.admin)).status_code == 422


async def test_indicator_8_over_stored_cases_is_the_same_in_the_api_and_the_analysis(h: Harness) -> None:
    """Hand-worked: 10 cases due in March 2027, 9 handled by their deadline and 1 two days late, 1 more due in
    April: 9 of 10 = 90 % → 1 point (2 only when every one is on time)."""
    from analysis.report.facts import Facts, Unit
    from api.insights.batch import feedback_part

    await seed_reference(h)
    [unit] = await h.rows("SELECT id FROM units WHERE code = 'HB.LS'")
    rows = [("2027-03-10", "2027-03-0" + str(k + 1)) for k in range(9)] + [("2027-03-10", "2027-03-12")]
    rows += [("2027-04-09", None)]

    async def plant(tx: Any) -> None:
        for n, (deadline, handled) in enumerate(rows):
            state, response = ("answered", "Đã trả lời") if handled else ("open", None)
            await tx.execute(
                "INSERT INTO cases (source_kind, source_id, reasons, unit_id, opened_at, opened_on, deadline, state,"
                " response, handled_at, handled_on, updated_at) VALUES ('rating', :n, 'unsatisfied', :u, 1,"
                " '2027-02-01', :d, :s, :r, :ha, :h, 1)",
                {"n": n + 1, "u": unit["id"], "d": deadline, "s": state, "r": response, "ha": 1 if handled else None,
                 "h": handled},
            )  # fmt: skip

    await h.store.write(plant)
    r = await h.client.get(
        "/api/v1/cases/timeliness", params={"from": "2027-03-01", "to": "2027-03-31", "unit": "HB"}, headers=h.admin
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["on_time"], got["late"], got["pending"], got["points"]) == (9, 1, 0, 1)
    # to 9 April: the April case is due that very day, so still pending
    units = [Unit("HB", "", "province", None), Unit("HB.LS", "", "district", "HB")]
    batch = await feedback_part(h.store, Facts("HB", units, [], "2027-03-01", "2027-04-09"))
    assert (batch["on_time"], batch["late"], batch["pending"], batch["points"]) == (9, 1, 1, 1)
    bad = await h.client.get(
        "/api/v1/cases/timeliness", params={"from": "2027-03-31", "to": "2027-03-01"}, headers=h.admin
    )
    assert bad.status_code == 422


async def test_a_reopened_case_keeps_its_history_and_a_stale_change_is_refused(h: Harness) -> None:
    await seed_reference(h)
    task = FollowUp(h.store, h.settings, Clock(now_ms()))
    await task.run_once()
    await rate(h, 1, dossier_code=DOSSIER, comment="Gọi cho tôi: 0912.345.678")
    task.clock = Clock(now_ms())
    await task.run_once()
    [case] = await h.rows("SELECT id FROM cases")
    path = f"/api/v1/cases/{case['id']}/transition"
    assert (await h.post(path, {"to": "answered", "response": "Đã gọi lại"})).status_code == 200
    r = await h.post(path, {"to": "in_progress", "note": "Công dân chưa đồng ý"})
    assert r.status_code == 200 and r.json()["handled_at"] is None and r.json()["response"] == "Đã gọi lại"
    [stored] = await h.rows("SELECT state, handled_on FROM cases")
    assert stored == {"state": "in_progress", "handled_on": None}
    # a change decided on a state that has moved meanwhile changes nothing (the service answers 409)
    stale = {"state": "dismissed", "dismissal_reason": "x", "handled_at": 1, "handled_on": "2027-01-01"}
    assert await h.store.write(lambda tx: queries.update_case(tx, case["id"], "open", stale)) == 0
    assert (await h.rows("SELECT state FROM cases")) == [{"state": "in_progress"}]
    assert (await h.post(path, {"to": "dismissed", "reason": "Trùng với hồ sơ khác"})).status_code == 200
    events = await h.rows("SELECT action, from_state, to_state FROM case_events ORDER BY id")
    assert len(events) == 4 and (events[-1]["from_state"], events[-1]["to_state"]) == ("in_progress", "dismissed")
    feedback = (await h.client.get(f"/api/v1/dossiers/{DOSSIER}/feedback", headers=h.admin)).json()
    [rated] = feedback["ratings"]
    assert rated["level"] == 1 and "345" not in rated["comment"] and "[SĐT]" in rated["comment"]
    assert [c["id"] for c in feedback["cases"]] == [case["id"]] and len(feedback["cases"][0]["events"]) == 4


async def test_the_dossier_lookup_withholds_a_comment_naming_a_person_from_a_viewer(h: Harness) -> None:
    await seed_reference(h)
    await rate(h, 1, dossier_code=DOSSIER, comment="Chị Nguyễn Thị Lan ở quầy 1 nói chuyện rất khó chịu")
    units = {r["code"]: int(r["id"]) for r in await h.rows("SELECT id, code FROM units")}
    scope = frozenset({units["HB.LS"]})
    reader = Viewer("viewer", 6, "Xem Lương Sơn", units["HB.LS"], scope)
    manager = Viewer("manager", 7, "Quản lý Lương Sơn", units["HB.LS"], scope)
    [hidden] = (await service.dossier_feedback(h.store, reader, DOSSIER)).ratings
    assert hidden.comment is None and hidden.comment_hidden
    [shown] = (await service.dossier_feedback(h.store, manager, DOSSIER)).ratings
    assert shown.comment is not None and not shown.comment_hidden
    assert "Nguyễn Thị Lan" not in shown.comment and "[TÊN]" in shown.comment
