"""Issue 14, items 2, 3 and 5 on the dashboard: the alerts page with its acknowledge form and the digest, the
cases and a case (move, assign, history), the dossier lookup; signed in as each role, scoped, escaped."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import pytest

from api.db import now_ms
from api.followup.task import FollowUp
from tests.harness import Harness, harness
from tests.integration.test_accounts import PASSWORD, csrf_of, login, users

DOSSIER = "000.00.12.H36-261120-0001"
NASTY = '<script>alert("x")</script> gọi 0912 345 678'


@pytest.fixture
async def h(db_url: str) -> AsyncIterator[Harness]:
    async with harness(db_url, followup_poll_seconds=0) as ready:
        await users(ready)
        task = FollowUp(ready.store, ready.settings)
        await task.run_once()
        for level, extra in ((1, {"dossier_code": DOSSIER, "comment": NASTY}), (1, {}), (1, {}), (1, {})):
            body = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": level, **extra}
            assert (await ready.post("/api/v1/ratings", body, key="integrator")).status_code == 201
        task.clock = now_ms
        await task.run_once()
        yield ready


async def sign_in(h: Harness, username: str) -> None:
    r = await login(h, username, PASSWORD)
    assert r.status_code == 303, r.text


async def test_a_manager_acknowledges_an_alert_on_the_page_and_sees_the_digest(h: Harness) -> None:
    [alert] = await h.rows("SELECT id FROM alerts")
    await sign_in(h, "lan")
    page = await h.client.get("/dashboard/alerts")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "Nhiều đánh giá không hài lòng tại một quầy" in page.text and "LS-Q1" in page.text
    assert f'action="/dashboard/alerts/{alert["id"]}/acknowledge' in page.text
    assert "Tổng hợp trong ngày" in page.text and "Mở: 1" in page.text
    csrf = csrf_of(page.text)
    path = f"/dashboard/alerts/{alert['id']}/acknowledge"
    r = await h.client.post(path, data={"csrf": csrf, "note": "  "}, follow_redirects=False)
    assert r.status_code == 422 and "Hãy ghi chú để xác nhận cảnh báo." in r.text
    r = await h.client.post(path, data={"csrf": "forged", "note": "x"}, follow_redirects=False)
    assert r.status_code == 403
    r = await h.client.post(path, data={"csrf": csrf, "note": "Đã bố trí thêm người"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/alerts")
    [stored] = await h.rows(
        "SELECT a.state, a.ack_note, a.ack_user_id, u.username FROM alerts a JOIN users u ON u.id = a.ack_user_id"
    )
    assert (stored["state"], stored["ack_note"], stored["username"]) == ("acknowledged", "Đã bố trí thêm người", "lan")
    page = await h.client.get("/dashboard/alerts?lang=en")
    assert "Many dissatisfied ratings at a counter" in page.text and "Đã bố trí thêm người" in page.text
    assert "acknowledged: 1" in page.text
    audit = await h.rows("SELECT action FROM audit_log WHERE action = 'alert-acknowledge'")
    assert len(audit) == 1


async def test_cases_move_with_a_response_get_assigned_and_keep_their_history(h: Harness) -> None:
    [case] = await h.rows("SELECT id FROM cases WHERE dossier_id IS NOT NULL")
    await sign_in(h, "lan")
    listing = await h.client.get("/dashboard/cases")
    assert listing.status_code == 200 and f'href="/dashboard/cases/{case["id"]}' in listing.text
    page = await h.client.get(f"/dashboard/cases/{case['id']}")
    assert page.status_code == 200 and "Chuyển trạng thái xử lý" in page.text and DOSSIER in page.text
    csrf = csrf_of(page.text)
    move = f"/dashboard/cases/{case['id']}/transition"
    r = await h.client.post(move, data={"csrf": csrf, "to": "answered", "response": ""}, follow_redirects=False)
    assert r.status_code == 422 and "Hãy ghi nội dung trả lời công dân" in r.text
    r = await h.client.post(move, data={"csrf": csrf, "to": "answered", "response": "Đã gọi điện xin lỗi"})
    assert r.status_code == 200 and "Đã gọi điện xin lỗi" in r.text and "Đã trả lời" in r.text
    give = f"/dashboard/cases/{case['id']}/assign"
    r = await h.client.post(give, data={"csrf": csrf, "assignee": "hung"}, follow_redirects=False)
    assert r.status_code == 422  # hung works in a commune under the district, not in the case's unit
    r = await h.client.post(give, data={"csrf": csrf, "assignee": "nobody-here"}, follow_redirects=False)
    assert r.status_code == 422
    r = await h.client.post(give, data={"csrf": csrf, "assignee": "lan"}, follow_redirects=False)
    assert r.status_code == 303
    page = await h.client.get(f"/dashboard/cases/{case['id']}?lang=en")
    assert "Assigned to lan" in page.text and "Open → Answered" in page.text.replace("&nbsp;", " ")
    [stored] = await h.rows(f"SELECT state, assignee_name FROM cases WHERE id = {int(case['id'])}")
    assert stored == {"state": "answered", "assignee_name": "lan"}


async def test_the_dossier_lookup_shows_redacted_escaped_feedback_and_its_case(h: Harness) -> None:
    await sign_in(h, "lan")
    page = await h.client.get("/dashboard/dossiers", params={"code": DOSSIER})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "0912" not in page.text and "[SĐT]" in page.text
    assert "Không hài lòng" in page.text and "/dashboard/cases/" in page.text
    missing = await h.client.get("/dashboard/dossiers", params={"code": "NOPE"})
    assert missing.status_code == 404 and "Không có hồ sơ nào với mã này." in missing.text
    assert (await h.client.get("/dashboard/dossiers")).status_code == 200  # the empty form


async def test_a_viewer_elsewhere_sees_no_alert_case_or_dossier_of_another_unit(h: Harness) -> None:
    [case] = await h.rows("SELECT id FROM cases LIMIT 1")
    [alert] = await h.rows("SELECT id FROM alerts")
    await sign_in(h, "hung")  # a viewer of a commune under the district
    alerts = await h.client.get("/dashboard/alerts")
    assert alerts.status_code == 200 and "LS-Q1" not in alerts.text and "/acknowledge" not in alerts.text
    cases = await h.client.get("/dashboard/cases")
    assert cases.status_code == 200 and "/dashboard/cases/" not in cases.text
    assert (await h.client.get(f"/dashboard/cases/{case['id']}")).status_code == 403
    assert (await h.client.get("/dashboard/dossiers", params={"code": DOSSIER})).status_code == 403
    page = await h.client.get("/dashboard/alerts")
    r = await h.client.post(
        f"/dashboard/alerts/{alert['id']}/acknowledge", data={"csrf": csrf_of(page.text), "note": "x"}
    )
    assert r.status_code == 403
    # the province reads everything but changes nothing
    await sign_in(h, "so")
    page = await h.client.get(f"/dashboard/cases/{case['id']}")
    assert page.status_code == 200 and "/transition" not in page.text
    r = await h.client.post(
        f"/dashboard/cases/{case['id']}/transition", data={"csrf": csrf_of(page.text), "to": "in_progress"}
    )
    assert r.status_code == 403
    h.client.cookies.clear()
    r = await h.client.get("/dashboard/alerts", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


async def test_a_signed_in_browser_reads_the_follow_up_api_within_its_units(h: Harness) -> None:
    """Session reads reach /api/v1 (api/security.py); the lists are the viewer's units only."""
    await sign_in(h, "lan")
    alerts = await h.client.get("/api/v1/alerts")
    assert alerts.status_code == 200 and [a["scope"] for a in alerts.json()] == ["LS-Q1"]
    assert [c["dossier_code"] for c in (await h.client.get("/api/v1/cases")).json()] == [DOSSIER]
    await sign_in(h, "hung")
    assert (await h.client.get("/api/v1/alerts")).json() == []
    assert (await h.client.get("/api/v1/alerts", params={"unit": "HB.LS"})).status_code == 403


async def test_the_cases_page_shows_indicator_8_for_the_month(h: Harness) -> None:
    await sign_in(h, "lan")
    page = await h.client.get("/dashboard/cases?lang=en")
    assert "indicator 8" in page.text and "none due yet" in page.text  # the one case is due in 15 working days
    [case] = await h.rows("SELECT id FROM cases")
    today = (await h.rows("SELECT opened_on FROM cases"))[0]["opened_on"]
    await h.store.write(
        lambda tx: tx.execute(
            "UPDATE cases SET deadline = :d, state = 'answered', response = 'ok', handled_at = 1, handled_on = :d",
            {"d": today},
        )
    )
    page = await h.client.get("/dashboard/cases?lang=vi")
    assert "1/1 đúng hạn: 2 điểm" in page.text, case


async def test_the_filters_take_what_their_forms_send_and_refuse_the_rest_with_a_page(h: Harness) -> None:
    await sign_in(h, "lan")
    for path in (
        "/dashboard/alerts?state=&day=",
        "/dashboard/cases?state=&lang=vi",
        "/dashboard/cases?state=open&overdue=true",
    ):
        assert (await h.client.get(path)).status_code == 200, path
    for path in ("/dashboard/alerts?state=nope", "/dashboard/alerts?day=2026-13-01", "/dashboard/cases/0"):
        r = await h.client.get(path)
        assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("text/html"), path
        assert "<h1>" in r.text, path


async def test_everything_users_and_citizens_wrote_is_escaped_on_every_follow_up_page(h: Harness) -> None:
    nasty_name = '<img src=x onerror="alert(1)">Huyện'
    r = await h.client.patch("/api/v1/units/HB.LS", json={"name": nasty_name}, headers=h.admin)
    assert r.status_code == 200, r.text
    [alert] = await h.rows("SELECT id FROM alerts")
    [case] = await h.rows("SELECT id FROM cases")
    await sign_in(h, "lan")
    page = await h.client.get("/dashboard/alerts")
    note = '<script>alert("note")</script>'
    r = await h.client.post(
        f"/dashboard/alerts/{alert['id']}/acknowledge", data={"csrf": csrf_of(page.text), "note": note}
    )
    assert r.status_code == 200
    r = await h.client.post(
        f"/dashboard/cases/{case['id']}/transition",
        data={"csrf": csrf_of(page.text), "to": "answered", "response": '<b onclick="x()">ok</b>'},
    )
    assert r.status_code == 200
    for path in (
        "/dashboard/alerts",
        "/dashboard/cases",
        f"/dashboard/cases/{case['id']}",
        f"/dashboard/dossiers?code={DOSSIER}",
    ):
        text = (await h.client.get(path)).text
        assert "<img src=x" not in text and "<script>alert" not in text and "<b onclick" not in text, path
    text = (await h.client.get("/dashboard/alerts")).text
    assert "&lt;script&gt;alert(&#34;note&#34;)&lt;/script&gt;" in text and "&lt;img src=x" in text


async def test_the_unit_filter_lists_only_the_viewers_units_and_narrows_the_lists(h: Harness) -> None:
    await sign_in(h, "lan")
    page = await h.client.get("/dashboard/alerts")
    options = re.findall(r'<option value="(HB[^"]*)"', page.text)
    assert options == ["HB.LS", "HB.LS.TT"]
    narrowed = await h.client.get("/dashboard/alerts?unit=HB.LS.TT&state=")
    assert narrowed.status_code == 200 and "LS-Q1" not in narrowed.text
    assert "LS-Q1" in (await h.client.get("/dashboard/alerts?unit=HB.LS")).text
    cases = await h.client.get("/dashboard/cases?unit=HB.LS.TT")
    assert cases.status_code == 200 and "/dashboard/cases/" not in cases.text
    assert (await h.client.get("/dashboard/cases?unit=HB")).status_code == 403
    assert (await h.client.get("/dashboard/alerts?unit=NOPE")).status_code == 404


async def test_the_overview_shows_the_open_alerts_of_its_unit(h: Harness) -> None:
    await sign_in(h, "lan")
    page = await h.client.get("/dashboard?unit=HB.LS")
    assert page.status_code == 200, page.text[:500]
    assert "Cảnh báo đang mở" in page.text and "Nhiều đánh giá không hài lòng tại một quầy" in page.text
    assert "/dashboard/alerts?unit=HB.LS#alert-" in page.text
    await h.store.write(lambda tx: tx.execute("UPDATE alerts SET state = 'closed', open_key = NULL, closed_at = 1"))
    page = await h.client.get("/dashboard?unit=HB.LS")
    assert "Không có cảnh báo nào đang mở." in page.text
