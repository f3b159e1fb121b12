"""The dashboard's pages over HTTP: the same numbers as the API, scoped to the viewer's units (403 and no link
outside them), hostile names shown as text, safe headers, sorting by link, bad input as a readable page."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import timedelta

import pytest

from tests.harness import Harness, local_today
from tests.integration.dashboard_data import HOSTILE, login, province
from web.i18n import text

PAGES = ("/dashboard", "/dashboard/trends", "/dashboard/units", "/dashboard/officers")


def period() -> dict[str, str]:
    today = local_today()
    return {"from": (today - timedelta(days=3)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


def cards(page: str) -> dict[str, str]:
    """measure → the text of its card, tags stripped."""
    found = re.findall(r'<article class="card" data-measure="([^"]+)">(.*?)</article>', page, re.S)
    return {m: " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()) for m, body in found}


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_overview_shows_the_apis_numbers(h: Harness, lang: str) -> None:
    await province(h)
    await login(h, "so")
    params = {"unit": "HB", **period()}
    api = (await h.client.get("/api/v1/overview", params=params)).json()
    page = await h.client.get("/dashboard", params={**params, "lang": lang})
    assert page.status_code == 200, page.text[:500]
    t = text(lang)
    shown = cards(page.text)
    figures = [f for f in api["figures"] if not f["measure"].startswith("sipas_factor:")]
    assert figures and set(shown) == {f["measure"] for f in figures}
    for f in figures:
        words = shown[f["measure"]]
        assert f"n = {t.number(f['n'])}" in words
        if f["suppressed"]:
            assert t("too few to judge") in words and "%" not in words
        else:
            assert t.percent(f["value"]) in words
            assert f"{t.percent(f['ci_low'])} – {t.percent(f['ci_high'])}" in words
    rate = next(f for f in figures if f["measure"] == "counter_rate")
    assert rate["n"] == 86 and not rate["suppressed"]  # every citizen rating of the province


async def test_every_page_has_safe_headers_and_shows_hostile_names_as_text(h: Harness) -> None:
    await province(h)
    await login(h, "root")
    for path in PAGES:
        r = await h.client.get(path, params={"unit": "HB", **period()})
        assert r.status_code == 200, (path, r.text[:500])
        assert r.headers["cache-control"] == "no-store"
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
        assert "<script" not in r.text and "onerror=" not in r.text.replace("onerror=&#34;", "")
    officers = (await h.client.get("/dashboard/officers", params={"unit": "HB", **period()})).text
    assert html.escape(HOSTILE, quote=False).replace('"', "&#34;") in officers or "&lt;script&gt;" in officers


async def test_a_district_manager_sees_nothing_of_another_district(h: Harness) -> None:
    await province(h)
    await login(h, "lan")
    for path in PAGES:
        own = await h.client.get(path, params={"unit": "HB.LS", **period()})
        assert own.status_code == 200, (path, own.text[:300])
        assert "HB.KB" not in own.text and "Kim Bôi" not in own.text  # no link, no figure, no option
        assert 'value="HB"' not in own.text
        for other in ("HB.KB", "HB"):
            refused = await h.client.get(path, params={"unit": other, **period()})
            assert refused.status_code == 403
            assert refused.headers["content-type"].startswith("text/html")  # a readable page
    default = await h.client.get("/dashboard")
    assert default.status_code == 200 and "Lương Sơn" in default.text  # their own unit by default
    for name in ("ratings.csv", "indices.xlsx", "officers.csv"):
        assert (
            await h.client.get(f"/dashboard/export/{name}", params={"unit": "HB.KB", **period()})
        ).status_code == 403


async def test_units_sort_by_link_with_intervals_and_small_units_last(h: Harness) -> None:
    await province(h)
    await login(h, "so")
    up = await h.client.get("/dashboard/units", params={"unit": "HB", "sort": "counter_rate", "dir": "asc", **period()})
    down = await h.client.get(
        "/dashboard/units", params={"unit": "HB", "sort": "counter_rate", "dir": "desc", **period()}
    )
    order = [re.findall(r'<tr><th scope="row"><a href="[^"]*unit=(HB\.\w+)', r.text) for r in (up, down)]
    assert order[0] == ["HB.KB", "HB.LS"] and order[1] == ["HB.LS", "HB.KB"]  # 30 of 40 < 41 of 46
    assert 'aria-sort="ascending"' in up.text and "sort=counter_rate&amp;dir=desc" in up.text
    assert re.search(r"\d+,\d % – \d+,\d %", up.text)  # intervals, not a bare rank


@pytest.mark.parametrize(
    "query", [{"from": "2026-13-01"}, {"from": "2026-05-02", "to": "2026-05-01"}, {"unit": "NOPE"}]
)
async def test_bad_input_is_a_readable_page_not_a_500(h: Harness, query: dict[str, str]) -> None:
    await province(h)
    await login(h, "so")
    for path in PAGES:
        r = await h.client.get(path, params=query)
        assert 400 <= r.status_code < 500, (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html")


async def test_anonymous_is_sent_to_sign_in(h: Harness) -> None:
    await province(h)
    for path in (*PAGES, "/dashboard/export/ratings.csv"):
        r = await h.client.get(path, params={"unit": "HB", **period()}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


async def test_indices_and_officers_exports_carry_the_pages_numbers_and_names_as_text(h: Harness) -> None:
    await province(h)
    await login(h, "so")
    params = {"unit": "HB", **period()}
    api = (await h.client.get("/api/v1/overview", params=params)).json()
    r = await h.client.get("/dashboard/export/indices.csv", params=params)
    assert r.status_code == 200, r.text[:300]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    whole = {row["measure"]: row for row in rows if row["unit"] == "HB"}
    for f in api["figures"]:
        row = whole[f["measure"]]
        assert (row["n"], row["suppressed"]) == (str(f["n"]), "true" if f["suppressed"] else "false")
        assert row["value"] == ("" if f["value"] is None else f"{f['value']:.6f}")
    assert {row["unit"] for row in rows} == {"HB", "HB.LS", "HB.KB"}
    words = await h.client.get("/dashboard/export/indices-dictionary.csv", params=params)
    meanings = {r["column"]: r for r in csv.DictReader(io.StringIO(words.content.decode("utf-8-sig")))}
    for measure in {row["measure"] for row in rows}:  # every measure exported is explained, in both languages
        assert meanings[f"measure = {measure}"]["meaning_vi"] and meanings[f"measure = {measure}"]["meaning_en"]
    scores = (await h.client.get("/api/v1/officer-scores", params=params)).json()["officers"]
    r = await h.client.get("/dashboard/export/officers.csv", params=params)
    officers = {row["officer"]: row for row in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))}
    assert officers["CB09"]["name"] == HOSTILE  # text, exactly as stored
    for s in scores:
        row = officers[s["officer"]]
        assert row["estimate"] == ("" if s["estimate"] is None else f"{s['estimate']:.6f}")
        if s["suppressed"]:
            assert row["x"] == row["estimate"] == row["ci_low"] == row["funnel"] == ""
    book = zipfile.ZipFile(io.BytesIO((await h.client.get("/dashboard/export/officers.xlsx", params=params)).content))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    strings = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in book.namelist() else ""
    assert html.escape(HOSTILE, quote=False) in sheet + strings  # XML-escaped text in the cell, never markup


async def test_officers_below_the_minimum_n_are_not_shown_nor_derivable(h: Harness) -> None:
    await province(h)
    await login(h, "so")
    page = await h.client.get("/dashboard/officers", params={"unit": "HB", **period()})
    assert page.status_code == 200
    assert "CB09" in page.text and 'data-n="40"' in page.text  # alone in its unit, 40 ratings: shown
    for hidden in ("CB01", "CB02", "Nguyễn Thị Lan", "Trần Văn Hùng"):  # 6 ratings, and the one it would give away
        assert hidden not in page.text
    why = ": fewer than {min} ratings, or hidden so that a hidden figure cannot be worked out from the others."
    one, many = "{n} officer is not shown" + why, "{n} officers are not shown" + why
    assert text("vi").ngettext(one, many, 2, min=30) in html.unescape(page.text)
    english = await h.client.get("/dashboard/officers", params={"unit": "HB", "lang": "en", **period()})
    assert text("en").ngettext(one, many, 2, min=30).startswith("2 officers are") and (
        text("en").ngettext(one, many, 2, min=30) in html.unescape(english.text)
    )


async def test_an_export_that_cannot_be_made_is_refused_before_the_download_starts(h: Harness) -> None:
    await province(h)
    await login(h, "so")
    too_long = {"unit": "HB", "from": "2020-01-01", "to": "2026-12-01"}  # longer than a view takes
    r = await h.client.get("/dashboard/export/indices.csv", params=too_long)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
