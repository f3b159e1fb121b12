"""Survey links through HTTP: one response per dossier, clear pages for every refusal, nothing stored."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.instruments.loader import GridItem, ScaleItem, load_all
from api.surveys import service
from tests.harness import Harness, harness, seed_reference

DOSSIER = "000.00.12.H36-261120-0001"
Q = load_all().questionnaire("sipas-service-2023")


@pytest.fixture
async def h(db_url: str) -> AsyncIterator[Harness]:
    async with harness(db_url) as ready:
        await seed_reference(ready)
        yield ready


async def survey_path(h: Harness, code: str = DOSSIER) -> str:
    r = await h.client.get(f"/api/v1/dossiers/{code}", headers=h.integrator)
    url: str = r.json()["survey_url"]
    assert url.startswith(h.settings.base_url + "/s/")
    return url.removeprefix(h.settings.base_url)


def full_form() -> dict[str, str]:
    form = {"lang": "vi", "comment": "Cán bộ  nhiệt tình, nhưng phải chờ lâu."}
    for n, item in enumerate(Q.items):
        if isinstance(item, ScaleItem):
            form[item.code] = "na" if n == 2 else str(n % 5 + 1)
        elif isinstance(item, GridItem):
            form.update({r.code: "2" for r in item.rows})
        elif hasattr(item, "options"):
            form[item.code] = str(item.options[-1].value)
    return form


async def stored(h: Harness) -> list[dict[str, Any]]:
    return await h.rows(
        "SELECT r.instrument, r.instrument_version, r.language, a.item, a.value, a.text_value"
        " FROM answers a JOIN responses r ON r.id = a.response_id ORDER BY a.item"
    )


async def test_register_gives_a_survey_url_that_opens_the_form(h: Harness) -> None:
    path = await survey_path(h)
    r = await h.client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["referrer-policy"] == "no-referrer" and r.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "Cơ quan cung cấp thông tin" in r.text and DOSSIER in r.text
    en = await h.client.get(path + "?lang=en")
    assert en.headers["content-language"] == "en" and "Information on the procedure" in en.text
    assert 'href="?lang=en"' in r.text  # the visible switch


async def test_answers_are_stored_raw_once(h: Harness) -> None:
    path = await survey_path(h)
    form = full_form()
    r = await h.client.post(path, data=form)
    assert r.status_code == 200 and "Cảm ơn" in r.text
    rows = await stored(h)
    assert {row["instrument"] for row in rows} == {"sipas-service-2023"}
    assert {row["instrument_version"] for row in rows} == {Q.version}
    got = {row["item"]: row["text_value"] if row["value"] is None else str(row["value"]) for row in rows}
    expected = {k: v for k, v in form.items() if k != "lang"}
    expected["comment"] = expected["comment"].strip()
    assert got == expected
    # a second visit is a friendly page; a second submission is refused and changes nothing
    again = await h.client.get(path)
    assert again.status_code == 200 and "đã được đánh giá" in again.text
    second = await h.client.post(path, data={**form, "I.1": "1"})
    assert second.status_code == 409 and "đã được đánh giá" in second.text
    assert await stored(h) == rows and await h.count("responses") == 1


async def test_missing_answers_come_back_beside_the_question_in_the_page_language(h: Harness) -> None:
    path = await survey_path(h)
    form = full_form()
    del form["III.2"]
    form["lang"] = "en"
    r = await h.client.post(path, data=form)
    assert r.status_code == 422
    assert 'id="e-III.2">Please choose a level' in r.text
    assert 'value="4" checked' in r.text  # what was chosen is kept
    assert await h.count("responses") == 0


@pytest.mark.parametrize("where", [0, 5, -1])
async def test_a_changed_character_is_not_found(h: Harness, where: int) -> None:
    path = await survey_path(h)
    token = path.removeprefix("/s/")
    swapped = "B" if token[where] != "B" else "C"
    bad = "/s/" + token[:where] + swapped + (token[where + 1 :] if where != -1 else "")
    for r in (await h.client.get(bad), await h.client.post(bad, data=full_form())):
        assert r.status_code == 404 and "Liên kết không hợp lệ" in r.text
        assert r.headers["content-type"].startswith("text/html")
    assert (await h.client.get("/s/" + "x" * 300)).status_code == 404
    assert await h.count("responses") == 0


async def old_dossier(h: Harness, code: str = "OLD-1") -> str:
    body = {
        "code": code,
        "unit": "HB.LS",
        "procedure": "1.001193",
        "channel": "direct",
        "received_at": "2025-01-02T08:00:00+07:00",
        "due_at": "2025-01-03T08:00:00+07:00",
    }
    assert (await h.post("/api/v1/dossiers", body, key="integrator")).status_code == 201
    return await survey_path(h, code)


async def test_expired_links_say_so(h: Harness) -> None:
    path = await old_dossier(h)
    patch = {"returned_at": "2025-01-03T08:00:00+07:00", "result": "approved"}
    assert (await h.client.patch("/api/v1/dossiers/OLD-1", json=patch, headers=h.integrator)).status_code == 200
    r = await h.client.get(path + "?lang=en")
    assert r.status_code == 410 and "expired" in r.text
    assert (await h.client.post(path, data=full_form())).status_code == 410
    assert await h.count("responses") == 0


async def test_numbers_on_the_pages_are_written_per_locale(db_url: str) -> None:
    ttl = 1200  # days: a number with a thousands separator, which Vietnamese writes with a dot
    async with harness(db_url, survey_ttl_days=ttl) as h:
        await seed_reference(h)
        dossier = {
            "code": "OLD-2",
            "unit": "HB.LS",
            "procedure": "1.001193",
            "channel": "direct",
            "received_at": "2020-01-02T08:00:00+07:00",
            "due_at": "2020-01-03T08:00:00+07:00",
        }
        assert (await h.post("/api/v1/dossiers", dossier, key="integrator")).status_code == 201
        path = await survey_path(h, "OLD-2")
        patch = {"returned_at": "2020-01-03T08:00:00+07:00", "result": "approved"}
        assert (await h.client.patch("/api/v1/dossiers/OLD-2", json=patch, headers=h.integrator)).status_code == 200
        vi, en = (await h.client.get(path)), (await h.client.get(path + "?lang=en"))
        assert vi.status_code == en.status_code == 410
        assert f"{ttl // 1000}.{ttl % 1000:03d} ngày" in vi.text and f"{ttl:,} days" in en.text


async def test_open_until_ttl_after_return(h: Harness) -> None:
    path = await old_dossier(h)
    assert (await h.client.get(path)).status_code == 200  # not returned yet: open
    recently = (datetime.now(UTC) - timedelta(days=h.settings.survey_ttl_days - 1)).isoformat()
    body = {"returned_at": recently}
    assert (await h.client.patch("/api/v1/dossiers/OLD-1", json=body, headers=h.integrator)).status_code == 200
    assert (await h.client.get(path)).status_code == 200


async def test_qr_endpoints_need_a_key_and_know_the_dossier(h: Harness) -> None:
    base = f"/api/v1/dossiers/{DOSSIER}"
    assert (await h.client.get(base + "/qr.svg")).status_code == 401
    svg = await h.client.get(base + "/qr.svg", headers=h.integrator)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and 'width="25.0mm"' in svg.text
    png = await h.client.get(base + "/qr.png?size=300", headers=h.integrator)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    bad = await h.client.get(base + "/qr.png?size=99999", headers=h.integrator)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    missing = await h.client.get("/api/v1/dossiers/NOPE/qr.svg", headers=h.integrator)
    assert missing.status_code == 404 and missing.json()["type"].endswith("/unknown-dossier")
    receipt = await h.client.get(base + "/receipt", headers=h.integrator)
    assert receipt.status_code == 200 and "Quét mã QR" in receipt.text and "<svg" in receipt.text


async def test_keys_rotate_and_old_links_still_work(h: Harness) -> None:
    old = await survey_path(h)
    await service.rotate_key(h.store)  # e.g. from another worker: this one reloads on an unknown kid
    surveys: service.Surveys = h.client.app.state.surveys
    surveys.keys = await service.load_keys(h.store)
    new = await survey_path(h)
    assert new != old
    assert (await h.client.get(old)).status_code == 200
    assert (await h.client.get(new)).status_code == 200


async def test_a_link_from_a_key_made_by_another_worker_is_accepted(h: Harness) -> None:
    await service.rotate_key(h.store)
    fresh = await service.load_keys(h.store)
    dossier_id = (await h.rows("SELECT id FROM dossiers"))[0]["id"]
    url = service.survey_url(h.settings, fresh, dossier_id)
    assert (await h.client.get(url.removeprefix(h.settings.base_url))).status_code == 200


def test_the_token_is_masked_in_access_logs(caplog: pytest.LogCaptureFixture) -> None:
    from api.surveys.logs import install_access_log_filter

    install_access_log_filter()
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/s/AEAQCNQ6GX6WVV5RLHDBG?lang=en", "1.1", 200
        )
    assert "AEAQCNQ6" not in caplog.text and "/s/***?lang=en" in caplog.text


async def test_a_flood_of_survey_requests_from_one_address_gets_a_readable_page(h: Harness) -> None:
    codes = [(await h.client.get(f"/s/AAAA{n:04d}?lang=en")).status_code for n in range(70)]
    assert codes[:60] == [404] * 60 and set(codes[60:]) == {429}
    page = await h.client.get("/s/BBBB0000?lang=en")
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
    assert "Please wait a moment" in page.text and int(page.headers["retry-after"]) >= 1
