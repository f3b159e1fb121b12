"""A small province for the cross-cutting acceptance tests (the role walk, hostile text): HB with two districts,
each with a commune, and in each of three places — district A (HB.LS), A's commune (HB.LS.TT) and district B
(HB.KB) — a counter with its officer on duty, a dossier, kiosk ratings with comments, a paired kiosk, a
planned shift, an alert and a case (opened by the follow-up task, as in production), and in the commune and
district B an answered questionnaire; one user per role.

``build(h, names)`` takes the words to plant (officer names, a comment, a unit name), so the same province
serves the walk (plain, distinctive names to look for) and the XSS test (hostile ones)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from api.accounts import service
from api.db import now_ms
from api.followup.task import FollowUp
from api.viewer import SESSION_COOKIE
from tests.harness import Harness, seed_reference
from tests.integration.test_accounts import PASSWORD, accounts, cheap, login
from tests.integration.test_surveys import full_form

# The roles, their user and the places each sees (A: district A, A1: A's commune, B: district B).
USERS = {
    "admin": ("root", "admin", None),
    "province": ("so", "province", None),
    "manager": ("lan", "manager", "HB.LS"),
    "viewer": ("hung", "viewer", "HB.LS.TT"),
}
SEES = {"admin": {"A", "A1", "B"}, "province": {"A", "A1", "B"}, "manager": {"A", "A1"}, "viewer": {"A1"}}
NAMED = "kể chuyện con mèo xám"  # a comment that names an officer says this (the viewer role reads none)
CHANGES = {"admin": {"A", "A1", "B"}, "province": set(), "manager": {"A", "A1"}, "viewer": set()}


@dataclass
class Place:
    """What one place holds, by the codes and ids a route takes."""

    unit: str
    unit_name: str
    counter: str
    officer: str
    officer_name: str
    dossier: str
    comment: str
    alert: int = 0
    case: int = 0
    rating: int = 0
    shift: int = 0
    device: str = ""
    survey: str = ""

    def words(self) -> list[str]:
        """What must not show where this place may not be seen."""
        return [self.unit, self.unit_name, self.counter, self.officer, self.officer_name, self.dossier, self.comment]


@dataclass
class World:
    h: Harness
    places: dict[str, Place]
    cookies: dict[str, str] = field(default_factory=dict)  # role -> session token

    def as_role(self, role: str) -> None:
        """The client now sends ``role``'s session cookie (none for anonymous)."""
        self.h.client.cookies.clear()
        if role in self.cookies:
            self.h.client.cookies.set(SESSION_COOKIE, self.cookies[role])


PLAIN = {
    "A": Place("HB.LS", "Huyện Lương Sơn", "LS-Q1", "CB01", "Nguyễn Thị Lan", "000.00.12.H36-261120-0001",
               "Chờ lâu ở Lương Sơn"),
    "A1": Place("HB.LS.TT", "Thị trấn Lương Sơn", "TT-Q1", "CB05", "Lê Văn Tâm", "000.00.14.H36-261120-0005",
                "Thị trấn phục vụ chậm"),
    "B": Place("HB.KB", "Huyện Kim Bôi", "KB-Q1", "CB09", "Đinh Thị Bích", "000.00.13.H36-261120-0009",
               "Kim Bôi thiếu ghế ngồi"),
}  # fmt: skip


async def build(h: Harness, places: dict[str, Place] | None = None, *, ratings: int = 8) -> World:
    """``ratings``: kiosk ratings at each place's counter (4 "Không hài lòng", the rest "Hài lòng"); 30 or
    more show the officer on the officers page."""
    places = {k: Place(**vars(p)) for k, p in (places or PLAIN).items()}
    accounts(h).passwords = cheap()
    await seed_reference(h)  # HB, HB.LS with LS-Q1/LS-Q2, CB01/CB02, a procedure and A's dossier
    a, a1, b = places["A"], places["A1"], places["B"]
    assert (await h.client.patch("/api/v1/units/HB.LS", json={"name": a.unit_name}, headers=h.admin)).is_success
    named = await h.client.patch("/api/v1/officers/CB01", json={"full_name": a.officer_name}, headers=h.admin)
    assert named.is_success, named.text
    for path, body in (
        ("/api/v1/units", {"code": a1.unit, "name": a1.unit_name, "kind": "commune", "parent": "HB.LS"}),
        ("/api/v1/units", {"code": b.unit, "name": b.unit_name, "kind": "district", "parent": "HB"}),
        ("/api/v1/units", {"code": "HB.KB.XA", "name": "Xã Hợp Tiến", "kind": "commune", "parent": b.unit}),
        ("/api/v1/counters", {"code": a1.counter, "unit": a1.unit, "name": "Quầy một"}),
        ("/api/v1/counters", {"code": b.counter, "unit": b.unit, "name": "Quầy một"}),
        ("/api/v1/officers", {"code": a1.officer, "unit": a1.unit, "full_name": a1.officer_name}),
        ("/api/v1/officers", {"code": b.officer, "unit": b.unit, "full_name": b.officer_name}),
    ):
        r = await h.post(path, body)
        assert r.status_code == 201, r.text
    for place in (a1, b):
        duty = await h.client.put(f"/api/v1/counters/{place.counter}/duty", json={"officer": place.officer},
                                  headers=h.admin)  # fmt: skip
        assert duty.is_success, duty.text
        dossier = {
            "code": place.dossier, "unit": place.unit, "procedure": "1.001193", "officer": place.officer,
            "channel": "direct", "received_at": "2026-11-20T08:00:00+07:00", "due_at": "2026-11-21T08:00:00+07:00",
        }  # fmt: skip
        r = await h.post("/api/v1/dossiers", dossier, key="integrator")
        assert r.status_code == 201, r.text
        place.survey = r.json()["survey_url"]
    task = FollowUp(h.store, h.settings)
    await task.run_once()  # the marks: follow-up starts from here
    for place in places.values():
        device = await _kiosk(h, place)
        for i in range(ratings):  # a burst of "Không hài lòng" (an alert), one naming the dossier (a case)
            body: dict[str, Any] = {"idempotency_key": str(uuid.uuid4()), "counter": place.counter,
                                    "level": 1 if i < 4 else 3}  # fmt: skip
            if i == 0:
                body |= {"dossier_code": place.dossier, "comment": place.comment}
            elif i == 5:
                body["comment"] = place.comment + " (lần hai)"
            elif i == 1:  # a comment naming the officer (and a case): withheld from the viewer role
                body["comment"] = f"Anh {place.officer_name} {NAMED}"
            r = await h.client.post("/api/v1/ratings", json=body, headers=device)
            assert r.status_code == 201, r.text
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
        shift = {"counter": place.counter, "officer": place.officer, "starts": start.isoformat(),
                 "ends": (start + timedelta(hours=4)).isoformat()}  # fmt: skip
        r = await h.post("/api/v1/roster/shifts", shift)
        assert r.status_code == 201, r.text
        place.shift = int(r.json()["id"])
    task.clock = now_ms
    await task.run_once()
    for place in places.values():
        place.alert = await _one(h, "SELECT a.id FROM alerts a JOIN counters c ON c.id = a.scope_id"
                                 " WHERE a.scope_kind = 'counter' AND c.code = :c",
                                 {"c": place.counter})  # fmt: skip
        place.case = await _one(h, "SELECT k.id FROM cases k JOIN dossiers d ON d.id = k.dossier_id WHERE d.code = :c",
                                {"c": place.dossier})  # fmt: skip
        place.rating = await _one(h, "SELECT r.id FROM ratings r JOIN dossiers d ON d.id = r.dossier_id"
                                  " WHERE d.code = :c", {"c": place.dossier})  # fmt: skip
    for place in (a1, b):  # a questionnaire answered on the receipt's link, with the place's comment
        form = {**full_form(), "comment": place.comment + " (phiếu)"}
        r = await h.client.post(place.survey.removeprefix(h.settings.base_url), data=form)
        assert r.status_code == 200, r.text[:300]
    await task.run_once()  # the cases the answers open
    world = World(h, places)
    for role, (username, kind, unit) in USERS.items():
        await service.add_user(h.store, username, kind, unit, PASSWORD, actor="cli:test", passwords=cheap())
        r = await login(h, username, PASSWORD)
        assert r.status_code == 303, r.text
        token = h.client.cookies.get(SESSION_COOKIE)
        assert token
        world.cookies[role] = token
    h.client.cookies.clear()
    return world


async def _kiosk(h: Harness, place: Place) -> dict[str, str]:
    code = (await h.post("/api/v1/devices/pairing-codes", {"counter": place.counter})).json()["code"]
    paired = (await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})).json()
    devices = (await h.client.get("/api/v1/devices", params={"counter": place.counter}, headers=h.admin)).json()
    place.device = devices[0]["code"]
    return {"Authorization": f"Bearer {paired['device_token']}"}


async def _one(h: Harness, sql: str, params: dict[str, Any]) -> int:
    rows = await h.rows(sql, params)
    assert len(rows) == 1, (sql, params, rows)
    return int(rows[0]["id"])
