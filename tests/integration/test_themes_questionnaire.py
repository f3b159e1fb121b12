"""Questionnaire comments on the themes and comments page (issue 14, item 1): ``hailong analyze`` stores a
receipt-QR questionnaire response's comment in ``comment_results`` beside the counter ratings', so the page and
``GET /api/v1/comments`` show it redacted with its source, the search finds it, another district's manager never
sees it, and a "wrongly themed" mark on it reaches the next run. Migration 0011 upgrades a database that already
has analysed comments. Both stores (the ``h`` fixture)."""

from __future__ import annotations

import asyncio
import html
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.comments import service
from api.comments.schemas import WrongThemeIn
from api.db import now_ms, open_store
from api.db.errors import is_integrity_error
from api.db.migrate import migrate
from api.errors import Forbidden
from api.instruments.loader import ScaleItem
from api.viewer import Viewer
from tests.harness import Harness, local_today
from tests.integration.test_accounts import csrf_of
from tests.integration.test_surveys import Q, full_form
from tests.integration.walk_world import World, build

TODAY = local_today()
PERIOD = {"from": (TODAY - timedelta(days=3)).isoformat(), "to": (TODAY + timedelta(days=1)).isoformat()}
PHONE = "0912345678"
COMMENT = f"Phải chờ lâu quá, quạt trần hỏng cả buổi, gọi {PHONE} không ai nghe"
WORDS = "quat tran hong"  # the comment's words, typed without diacritics
DOSSIER = "000.00.13.H36-261120-0077"
QUERY = {"unit": "HB", "from": PERIOD["from"], "to": PERIOD["to"]}


async def _questionnaire(h: Harness) -> int:
    """A dossier of district B (HB.KB) whose receipt questionnaire is answered all "1" with ``COMMENT``."""
    dossier = {
        "code": DOSSIER, "unit": "HB.KB", "procedure": "1.001193", "officer": "CB09", "channel": "direct",
        "received_at": "2026-11-20T08:00:00+07:00", "due_at": "2026-11-21T08:00:00+07:00",
    }  # fmt: skip
    r = await h.post("/api/v1/dossiers", dossier, key="integrator")
    assert r.status_code == 201, r.text
    scales = {i.code for i in Q.items if isinstance(i, ScaleItem)}
    form = {k: ("1" if k in scales else v) for k, v in full_form().items()} | {"comment": COMMENT}
    r = await h.client.post(r.json()["survey_url"].removeprefix(h.settings.base_url), data=form)
    assert r.status_code == 200, r.text[:300]
    rows = await h.rows("SELECT s.id FROM responses s JOIN dossiers d ON d.id = s.dossier_id WHERE d.code = :c",
                        {"c": DOSSIER})  # fmt: skip
    return int(rows[0]["id"])


async def _analyze(h: Harness, out: Path) -> None:
    args = ["analyze", "--db", h.db_url, "--out", str(out), "--from", PERIOD["from"], "--to", PERIOD["to"]]
    assert await asyncio.to_thread(main, args) == 0


async def _stored(h: Harness, response_id: int) -> dict[str, Any]:
    rows = await h.rows(
        "SELECT c.source, c.rating_id, c.themes, c.redacted_text, u.code AS unit FROM comment_results c"
        " JOIN units u ON u.id = c.unit_id WHERE c.response_id = :r AND c.run_id = (SELECT max(id) FROM analysis_runs)",
        {"r": response_id},
    )
    assert len(rows) == 1, rows
    return dict(rows[0])


async def _world(h: Harness, tmp_path: Path) -> tuple[World, int]:
    world = await build(h)
    response_id = await _questionnaire(h)
    await _analyze(h, tmp_path / "out")
    return world, response_id


async def test_a_questionnaire_comment_is_shown_redacted_searchable_with_its_source(h: Harness, tmp_path: Path) -> None:
    world, response_id = await _world(h, tmp_path)
    stored = await _stored(h, response_id)
    assert stored["source"] == "questionnaire" and stored["rating_id"] is None and stored["unit"] == "HB.KB"
    assert PHONE not in stored["redacted_text"] and "quạt trần" in stored["redacted_text"]
    counter = await h.rows("SELECT count(*) AS n FROM comment_results WHERE source = 'counter'")
    assert counter[0]["n"] > 0  # the ratings' comments are there as before
    # each comment's time is its rating's or its response's (set after the bulk load)
    given = await h.rows(
        "SELECT c.given_at, COALESCE(r.created_at, s.submitted_at) AS at FROM comment_results c"
        " LEFT JOIN ratings r ON r.id = c.rating_id LEFT JOIN responses s ON s.id = c.response_id"
    )
    assert given and all(int(g["given_at"]) == int(g["at"]) > 0 for g in given)

    # the API: found without diacritics, with its source and the response's id, redacted
    r = await h.client.get("/api/v1/comments", params=QUERY | {"q": WORDS}, headers=h.admin)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(c["source"], c["id"], c["response_id"], c["rating_id"]) for c in items] == [
        ("questionnaire", response_id, response_id, None)
    ]
    assert items[0]["text"] == stored["redacted_text"] and items[0]["unit"] == "HB.KB"
    assert items[0]["scale"] == 5 and items[0]["level"] == 1  # the response's overall satisfaction

    # the whole list pages across both sources, newest first, each comment once
    seen: list[tuple[str, int]] = []
    before: str | None = None
    while True:
        params = QUERY | {"limit": 2} | ({"before": before} if before else {})
        page = (await h.client.get("/api/v1/comments", params=params, headers=h.admin)).json()
        seen += [(c["source"], c["id"]) for c in page["items"]]
        before = page["next_before"]
        if before is None:
            break
    every = await h.rows("SELECT count(*) AS n FROM comment_results WHERE run_id = (SELECT max(id) FROM analysis_runs)")
    assert len(seen) == len(set(seen)) == every[0]["n"]
    assert ("questionnaire", response_id) in seen and {s for s, _ in seen} == {"counter", "questionnaire"}
    bad = await h.client.get("/api/v1/comments", params=QUERY | {"before": "12"}, headers=h.admin)
    assert bad.status_code == 422

    # the page: the comment, redacted, labelled with its source (Vietnamese first, English on request)
    world.as_role("admin")
    page = await h.client.get("/dashboard/themes", params=QUERY | {"q": WORDS})
    assert page.status_code == 200, page.text[:300]
    text = html.unescape(page.text)
    assert stored["redacted_text"] in text and PHONE not in text
    assert "Phiếu khảo sát" in text and "Nguồn" in text
    assert f'name="response" value="{response_id}"' in page.text
    english = html.unescape((await h.client.get("/dashboard/themes", params=QUERY | {"q": WORDS, "lang": "en"})).text)
    assert "Questionnaire" in english and "Source" in english

    # the dossier lookup shows the questionnaire's comment redacted, never the raw one
    lookup = html.unescape((await h.client.get("/dashboard/dossiers", params={"code": DOSSIER})).text)
    assert "quạt trần" in lookup and PHONE not in lookup


async def test_another_districts_manager_does_not_see_it(h: Harness, tmp_path: Path) -> None:
    world, response_id = await _world(h, tmp_path)
    world.as_role("manager")  # lan, manager of HB.LS: district B's questionnaire is not theirs
    for unit in ("HB.LS", "HB.LS.TT"):
        r = await h.client.get("/api/v1/comments", params=QUERY | {"unit": unit, "limit": 1000})
        assert r.status_code == 200, r.text
        assert not [c for c in r.json()["items"] if c["source"] == "questionnaire" and c["id"] == response_id]
        assert all(c["unit"].startswith("HB.LS") for c in r.json()["items"])
    assert (await h.client.get("/api/v1/comments", params=QUERY | {"unit": "HB.KB"})).status_code in (403, 404)
    assert (await h.client.get("/api/v1/comments", params=QUERY)).status_code in (403, 404)  # HB is above them
    page = await h.client.get("/dashboard/themes", params=QUERY | {"unit": "HB.LS", "q": WORDS})
    assert page.status_code == 200 and "quạt trần" not in html.unescape(page.text)
    # nor may they mark it
    lan = await h.rows("SELECT u.id FROM units u WHERE u.code = 'HB.LS'")
    units = frozenset(int(r["id"]) for r in await h.rows("SELECT id FROM units WHERE code LIKE 'HB.LS%'"))
    manager = Viewer("manager", 3, "lan", int(lan[0]["id"]), units)
    with pytest.raises(Forbidden):
        await service.mark_wrong(h.store, manager, response_id, WrongThemeIn("waiting", "questionnaire"))
    assert not await h.rows("SELECT 1 FROM theme_marks WHERE response_id = :r", {"r": response_id})


async def test_a_wrongly_themed_mark_on_a_questionnaire_comment_is_learned_from(h: Harness, tmp_path: Path) -> None:
    from api.insights import queries
    from api.insights.periods import months

    world, response_id = await _world(h, tmp_path)
    themes = [t for t in str((await _stored(h, response_id))["themes"]).split(";") if t]
    assert themes, "the questionnaire comment should get a theme (chờ lâu: waiting)"
    theme = "waiting" if "waiting" in themes else themes[0]
    path = f"/api/v1/comments/{response_id}/wrong-themes"
    body = {"theme": theme, "source": "questionnaire"}
    assert (await h.client.post(path, json={**body, "source": "nope"}, headers=h.admin)).status_code == 422
    missing = await h.client.post(f"/api/v1/comments/{response_id + 999}/wrong-themes", json=body, headers=h.admin)
    assert missing.status_code == 404
    # from the page, as a manager of the province's root (the administrator)
    world.as_role("admin")
    page = await h.client.get("/dashboard/themes", params=QUERY | {"q": WORDS})
    form = {"csrf": csrf_of(page.text), "response": str(response_id), "theme": theme, "back": "/dashboard/themes"}
    done = await h.client.post("/dashboard/themes/wrong", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith(f"marked={response_id}")
    marks = await h.rows("SELECT rating_id, response_id, theme FROM theme_marks WHERE response_id IS NOT NULL")
    assert [(m["rating_id"], m["response_id"], m["theme"]) for m in marks] == [(None, response_id, theme)]
    again = await h.client.post(path, json=body, headers=h.admin)  # twice is once
    assert again.status_code == 204
    assert len(await h.rows("SELECT 1 FROM theme_marks WHERE response_id = :r", {"r": response_id})) == 1

    # the next run reads the mark with the response, withholds the theme and learns from it
    m = months(TODAY - timedelta(days=3), TODAY + timedelta(days=1), "Asia/Ho_Chi_Minh")
    survey = await h.store.read(lambda tx: queries.survey_comments(tx, m, None, Q.code, ["comment"], []))
    assert next(r for r in survey if int(r["id"]) == response_id)["wrong"] == [theme]
    await _analyze(h, tmp_path / "again")
    assert theme not in str((await _stored(h, response_id))["themes"]).split(";")


async def test_the_purge_removes_a_questionnaire_comments_results(h: Harness, tmp_path: Path) -> None:
    from api.maintenance import purge_comments

    _, response_id = await _world(h, tmp_path)
    assert await h.rows("SELECT 1 FROM comment_results WHERE response_id = :r", {"r": response_id})
    await purge_comments(h.store, 0, now=now_ms() + 1000)
    assert not await h.rows("SELECT 1 FROM comment_results")


@pytest.mark.parametrize("stop", [10])
async def test_migration_0011_upgrades_stored_comment_results(db_url: str, stop: int) -> None:
    """A database at 0010 with an analysed comment and a "wrong theme" mark: 0011 keeps both (as a counter
    rating's) and then holds a questionnaire response's beside them, one per run and response."""
    store = open_store(db_url)
    await store.open()
    try:
        await migrate(store, until=stop)
        t = now_ms()

        async def seed(tx: Any) -> None:
            for sql in (
                "INSERT INTO units (code, name, kind, created_at, updated_at)"
                " VALUES ('HB', 'Hòa Bình', 'province', :t, :t)",
                "INSERT INTO counters (code, unit_id, name, created_at, updated_at) VALUES ('Q1', 1, 'Quầy', :t, :t)",
                "INSERT INTO procedures (code, name, field, legal_days, created_at, updated_at)"
                " VALUES ('1.001193', 'Thủ tục', 'Hộ tịch', 1, :t, :t)",
                "INSERT INTO dossiers (code, unit_id, procedure_id, channel, received_at, due_at, created_at,"
                " updated_at) VALUES ('D1', 1, 1, 'direct', :t, :t, :t, :t)",
                "INSERT INTO ratings (idempotency_key, instrument, unit_id, counter_id, source, level, scale, comment,"
                " created_at) VALUES ('k1', 'counter-3', 1, 1, 'kiosk', 1, 3, 'chờ lâu', :t)",
                "INSERT INTO responses (dossier_id, instrument, instrument_version, submitted_at)"
                " VALUES (1, 'sipas-service-2023', '1', :t)",
                "INSERT INTO analysis_runs (started_at, as_of, unit_code, period_from, period_to, settings, summary)"
                " VALUES (:t, :t, 'HB', '2026-11-01', '2026-11-30', '{}', '{}')",
                "INSERT INTO comment_results (run_id, rating_id, unit_id, month, level, scale, p_dissatisfied,"
                " dissatisfied, themes, theme_terms, mentions_person, redacted_text, folded)"
                " VALUES (1, 1, 1, '2026-11', 1, 3, 0.9, 1, 'waiting', 'waiting:chờ lâu', 0, 'chờ lâu', 'cho lau')",
                "INSERT INTO theme_marks (rating_id, theme, marked_by, marked_at) VALUES (1, 'waiting', 'root', :t)",
            ):
                await tx.execute(sql, {"t": t} if ":t" in sql else None)

        await store.write(seed)
        assert await migrate(store) == ["0011_questionnaire_comments"]
        kept = await store.fetch_all(
            "SELECT source, rating_id, response_id, given_at, level, themes FROM comment_results"
        )
        assert [dict(r) for r in kept] == [
            {"source": "counter", "rating_id": 1, "response_id": None, "given_at": t, "level": 1, "themes": "waiting"}
        ]
        marks = await store.fetch_all("SELECT rating_id, response_id, theme FROM theme_marks")
        assert [dict(r) for r in marks] == [{"rating_id": 1, "response_id": None, "theme": "waiting"}]
        row = (
            "INSERT INTO comment_results (run_id, source, rating_id, response_id, given_at, unit_id, month, level,"
            " scale, p_dissatisfied, dissatisfied, themes, theme_terms, mentions_person, redacted_text, folded)"
            " VALUES (1, :s, :rating, :response, :t, 1, '2026-11', NULL, 5, 0.2, 0, '', '', 0, 'ổn', 'on')"
        )
        ok = {"s": "questionnaire", "rating": None, "response": 1, "t": t}
        await store.write(lambda tx: tx.execute(row, ok))
        await store.write(
            lambda tx: tx.execute(
                "INSERT INTO theme_marks (response_id, theme, marked_by, marked_at) VALUES (1, 'fees', 'root', :t)",
                {"t": t},
            )
        )
        for bad in (
            ok,  # (run, response) once
            {**ok, "response": None},  # neither
            {**ok, "rating": 1},  # both
            {**ok, "s": "counter"},  # a source that is not the id's
        ):
            with pytest.raises(Exception) as refused:  # each store raises its own integrity error
                await store.write(lambda tx, b=bad: tx.execute(row, b))  # type: ignore[misc]
            assert is_integrity_error(refused.value), (bad, refused.value)
        assert (await store.fetch_all("SELECT count(*) AS n FROM comment_results"))[0]["n"] == 2
    finally:
        await store.close()
