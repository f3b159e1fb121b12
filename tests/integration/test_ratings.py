from __future__ import annotations

import asyncio
import uuid

from tests.harness import Harness, seed_reference

DOSSIER = "000.00.12.H36-261120-0001"


def rating(**extra: object) -> dict[str, object]:
    return {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3} | extra


async def test_rating_takes_officer_from_duty_roster(h: Harness) -> None:
    await seed_reference(h)
    r = await h.post("/api/v1/ratings", rating(level=1, reasons=["waiting", "guidance"], comment=" chờ quá lâu "))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["officer"], body["counter"], body["unit"], body["level"]) == ("CB01", "LS-Q1", "HB.LS", 1)
    assert body["reasons"] == ["guidance", "waiting"] and body["comment"] == "chờ quá lâu"
    stored = await h.rows(
        "SELECT r.level, r.comment, r.source, o.code AS officer FROM ratings r JOIN officers o ON o.id = r.officer_id"
    )
    assert stored == [{"level": 1, "comment": "chờ quá lâu", "source": "staff", "officer": "CB01"}]
    reasons = await h.rows("SELECT reason FROM rating_reasons ORDER BY reason")
    assert [r["reason"] for r in reasons] == ["guidance", "waiting"]


async def test_rating_with_dossier_takes_the_dossiers_officer_not_the_clients(h: Harness) -> None:
    await seed_reference(h)
    r = await h.post("/api/v1/ratings", rating(dossier_code=DOSSIER))
    assert r.status_code == 201, r.text
    assert r.json()["officer"] == "CB02"
    r = await h.post("/api/v1/ratings", rating(officer="CB01"))
    assert r.status_code == 422  # the client cannot name the officer


async def test_counter_without_duty_gives_rating_without_officer(h: Harness) -> None:
    await seed_reference(h)
    r = await h.post("/api/v1/ratings", rating(counter="LS-Q2", level=2))
    assert r.status_code == 201 and r.json()["officer"] is None


async def test_same_key_returns_same_rating_without_duplicate(h: Harness) -> None:
    await seed_reference(h)
    body = rating(level=2)
    first = await h.post("/api/v1/ratings", body)
    again = await h.post("/api/v1/ratings", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert await h.count("ratings") == 1


async def test_dossier_rated_twice_is_409_and_keeps_the_first(h: Harness) -> None:
    await seed_reference(h)
    assert (await h.post("/api/v1/ratings", rating(dossier_code=DOSSIER, level=3))).status_code == 201
    second = await h.post("/api/v1/ratings", rating(dossier_code=DOSSIER, level=1))
    assert second.status_code == 409
    assert second.json()["type"].endswith("/already-rated")
    assert "already been rated" in second.json()["detail"]
    assert [r["level"] for r in await h.rows("SELECT level FROM ratings")] == [3]


async def test_hundred_concurrent_replays_store_exactly_one(h: Harness) -> None:
    await seed_reference(h)
    body = rating(level=3, dossier_code=DOSSIER)
    answers = await asyncio.gather(*(h.post("/api/v1/ratings", body) for _ in range(100)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and codes.count(200) == 99, codes
    assert len({a.json()["id"] for a in answers}) == 1
    assert await h.count("ratings") == 1


async def test_five_level_unit_accepts_five_and_three_level_refuses_it(h: Harness) -> None:
    await seed_reference(h, scale=5)
    ok = await h.post("/api/v1/ratings", rating(level=5))
    assert ok.status_code == 201 and ok.json()["instrument"] == "counter-5"
    await h.client.patch("/api/v1/units/HB.LS", json={"rating_scale": 3}, headers=h.admin)
    refused = await h.post("/api/v1/ratings", rating(level=5))
    assert refused.status_code == 422 and refused.json()["type"].endswith("/level-out-of-scale")


async def test_export_filters_and_keyset_pagination(h: Harness) -> None:
    await seed_reference(h)
    for level in (1, 2, 3, 3, 2):
        assert (await h.post("/api/v1/ratings", rating(level=level))).status_code == 201
    assert (await h.post("/api/v1/ratings", rating(counter="LS-Q2"))).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"counter": "LS-Q1", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await h.client.get("/api/v1/ratings", params=params, headers=h.integrator)).json()
        seen += [item["level"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [1, 2, 3, 3, 2]
    by_officer = (await h.client.get("/api/v1/ratings", params={"officer": "CB01"}, headers=h.admin)).json()
    assert len(by_officer["items"]) == 5
    by_unit = (await h.client.get("/api/v1/ratings", params={"unit": "HB"}, headers=h.admin)).json()
    assert len(by_unit["items"]) == 6  # the province's subtree holds the district's counters
    later = (await h.client.get("/api/v1/ratings", params={"from": "2199-01-01T00:00:00Z"}, headers=h.admin)).json()
    assert later["items"] == []
    bad = await h.client.get("/api/v1/ratings", params={"cursor": "nonsense!"}, headers=h.admin)
    assert bad.status_code == 422


async def test_ratings_need_a_credential_and_the_right_role(h: Harness) -> None:
    await seed_reference(h)
    assert (await h.client.post("/api/v1/ratings", json=rating())).status_code == 401
    wrong = await h.client.post("/api/v1/ratings", json=rating(), headers={"Authorization": "Bearer hl_nope"})
    assert wrong.status_code == 401
    assert await h.count("ratings") == 0


async def test_only_an_active_officer_of_the_counters_unit_can_be_on_duty(h: Harness) -> None:
    await seed_reference(h)
    assert await h.post("/api/v1/units", {"code": "HB.KS", "name": "Kim Sơn", "kind": "district", "parent": "HB"})
    assert await h.post("/api/v1/officers", {"code": "KS01", "unit": "HB.KS", "full_name": "Lê Văn Tám"})
    r = await h.client.put("/api/v1/counters/LS-Q1/duty", json={"officer": "KS01"}, headers=h.integrator)
    assert r.status_code == 422 and r.json()["type"].endswith("/officer-not-of-unit")
    assert (await h.client.patch("/api/v1/officers/CB02", json={"active": False}, headers=h.admin)).status_code == 200
    r = await h.client.put("/api/v1/counters/LS-Q1/duty", json={"officer": "CB02"}, headers=h.integrator)
    assert r.status_code == 422
    on_duty = await h.rows("SELECT o.code FROM counter_duty d JOIN officers o ON o.id = d.officer_id")
    assert [row["code"] for row in on_duty] == ["CB01"]  # unchanged


async def test_a_flood_from_one_key_is_stopped_with_retry_after(db_url: str) -> None:
    from tests.harness import harness

    async with harness(db_url, key_burst=3, key_per_minute=1) as h:
        await seed_reference(h)
        answers = [
            await h.client.post(
                "/api/v1/ratings",
                json={"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3},
                headers=h.integrator,
            )
            for _ in range(5)
        ]
        assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
        refused = answers[3]
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert await h.count("ratings") == 3
        other = await h.client.post(  # another key has its own bucket
            "/api/v1/ratings",
            json={"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 2},
            headers=h.admin,
        )
        assert other.status_code == 201
