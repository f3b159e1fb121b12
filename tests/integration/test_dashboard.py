"""The dashboard's data (api/dashboard): every view gives the numbers of ``hailong analyze`` for the same
unit and period (compared with the report's own rows), is scoped by the viewer, and refuses bad input."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.dashboard import views
from api.db import Store, open_store
from api.errors import Forbidden
from api.viewer import Viewer, subtree
from tests.harness import Harness, harness

YEAR = ("2025-01-01", "2025-12-31")  # a calendar year: the report's "2025" rows cover exactly this period
FIRST, LAST = date.fromisoformat(YEAR[0]), date.fromisoformat(YEAR[1])
ADMIN = Viewer("admin", 1, "test", None, None, via="key")


@pytest.fixture(scope="module")
def demo_copy(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dash")
    db = folder / "copy.db"
    src, dst = sqlite3.connect(demo_db), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    return db


def _report(db: Path, unit: str) -> dict[str, list[dict[str, str]]]:
    """The rows ``hailong analyze --unit UNIT --from … --to …`` writes to indices.csv, officers.csv and trends.csv
    (its numbers part: api.insights.batch runs the same two calls before the comments and the files), as text."""
    import asyncio

    from analysis.report.run import analyse
    from analysis.report.settings import Settings
    from api.insights.gather import gather

    async def run() -> Any:
        store = open_store(f"sqlite:///{db}")
        await store.open()
        try:
            return analyse(await gather(store, FIRST, LAST, unit, Settings(), lambda _: None), Settings())
        finally:
            await store.close()

    results = asyncio.run(run())
    text = {True: "True", False: "False", None: ""}
    return {
        name: [{k: text.get(v, str(v)) if isinstance(v, bool | None) else str(v) for k, v in r.items()} for r in rows]
        for name, rows in (
            ("indices", results.indices),
            ("officers", results.officers),
            ("trends", results.trends),
            ("flags", results.flags),
        )
    }


@pytest.fixture(scope="module")
def district(demo_copy: Path) -> str:
    conn = sqlite3.connect(demo_copy)
    code = conn.execute("SELECT code FROM units WHERE kind = 'district' ORDER BY code LIMIT 1").fetchone()[0]
    conn.close()
    return str(code)


@pytest.fixture
async def store(demo_copy: Path) -> AsyncIterator[Store]:
    s = open_store(f"sqlite:///{demo_copy}")
    await s.open()
    try:
        yield s
    finally:
        await s.close()


def _num(text: str) -> float | None:
    return None if text == "" else float(text)


def assert_same(figure: Any, row: dict[str, str]) -> None:
    """A view's figure against the report's CSV row: the same counts, and the same value and bounds."""
    assert (figure.n, figure.x if not figure.suppressed else int(row["x"] or 0)) == (int(row["n"]), int(row["x"] or 0))
    assert figure.suppressed == (row["suppressed"] == "True")
    for mine, theirs in (
        (figure.value, row["value"]),
        (figure.ci_low, row["ci_low"]),
        (figure.ci_high, row["ci_high"]),
    ):
        assert mine == pytest.approx(_num(theirs), abs=1e-12) if theirs != "" else mine is None


@pytest.fixture(scope="module")
def reports(demo_copy: Path, district: str) -> dict[str, Any]:
    """The report of the year, for the province and for one district."""
    return {code: _report(demo_copy, code) for code in ("HB", district)}


@pytest.mark.parametrize("scope", ["HB", "district"])
async def test_overview_and_drilldown_are_the_reports_numbers(
    store: Store, reports: dict[str, Any], district: str, scope: str
) -> None:
    code = "HB" if scope == "HB" else district
    report = reports[code]
    rows = {
        (r["scope_code"], r["measure"]): r
        for r in report["indices"]
        if r["scope_kind"] == "unit" and r["period"] == "2025"
    }
    found = await views.overview(store, ADMIN, code, FIRST, LAST)
    measures = {f.measure for f in found.figures}
    assert {"counter_rate", "ratio_766", "coverage", "sipas_service", "late_share"} <= measures
    assert any(m.startswith("sipas_factor:") for m in measures)
    for figure in found.figures:
        assert_same(figure, rows[(code, figure.measure)])
        assert figure.change is not None  # the demo has 2024 too
    early, on_time, late = (
        next(f for f in found.figures if f.measure == m) for m in ("early_share", "on_time_share", "late_share")
    )
    assert found.timeliness.dossiers == early.n == early.x + on_time.x + late.x
    assert found.timeliness.points == 2 * early.x + on_time.x
    down = await views.drilldown(store, ADMIN, code, FIRST, LAST)
    assert down.children, "the demo's units have children"
    for child in down.children:
        assert child.figures
        for figure in child.figures:
            assert_same(figure, rows[(child.unit.code, figure.measure)])
    trend_rows = [r for r in report["trends"] if r["scope_code"] == code]
    chart = await views.trends(store, ADMIN, code, FIRST, LAST)
    assert [(p.month, p.n, p.x, p.rule or "") for p in chart.points] == [
        (r["period"], int(r["n"]), int(r["x"]), r["rule"]) for r in trend_rows
    ]
    for p, r in zip(chart.points, trend_rows, strict=True):
        assert (p.lower, p.upper) == (pytest.approx(_num(r["lower"])), pytest.approx(_num(r["upper"])))
    month_rows = {
        r["period"]: r for r in report["indices"] if (r["scope_code"], r["measure"]) == (code, "sipas_service")
    }
    for m in chart.receipt_qr:
        assert_same(
            views.Figure("sipas_service", m.n, m.x, m.value, m.ci_low, m.ci_high, 0, m.suppressed), month_rows[m.month]
        )
    scores = await views.officer_scores(store, ADMIN, code, FIRST, LAST)
    officer_rows = {r["officer_code"]: r for r in report["officers"] if r["period"] == "2025"}
    assert {s.officer for s in scores.officers} == set(officer_rows)
    for s in scores.officers:
        r = officer_rows[s.officer]
        assert (s.n, s.suppressed) == (int(r["n"]), r["suppressed"] == "True")
        if s.suppressed:
            assert s.estimate is None and s.x is None and s.funnel is None
        else:
            assert s.estimate == pytest.approx(float(r["estimate"]))
            assert (s.ci_low, s.ci_high) == (pytest.approx(float(r["ci_low"])), pytest.approx(float(r["ci_high"])))
            assert s.funnel == r["funnel"]


async def test_heatmap_counts_every_citizen_rating_once(store: Store) -> None:
    found = await views.heatmap(store, ADMIN, "HB", FIRST, LAST)
    overview = await views.overview(store, ADMIN, "HB", FIRST, LAST)
    rate = next(f for f in overview.figures if f.measure == "counter_rate")
    assert sum(c.n for c in found.cells) == rate.n
    assert sum(c.x for c in found.cells) == rate.x
    assert all(0 <= c.weekday <= 6 and 0 <= c.hour <= 23 for c in found.cells)
    assert all((c.value is None) == c.small == (c.n < found.min_n) for c in found.cells)


async def test_a_district_viewer_sees_its_subtree_only(store: Store, district: str) -> None:
    units = await store.fetch_all("SELECT id, code, parent_id FROM units")
    own = next(int(u["id"]) for u in units if u["code"] == district)
    seen = await store.read(lambda tx: subtree(tx, own))
    manager = Viewer("manager", 2, "m", own, seen)
    other = next(str(u["code"]) for u in units if u["parent_id"] is not None and int(u["id"]) not in seen)
    for view in (views.overview, views.trends, views.drilldown, views.officer_scores, views.heatmap):
        with pytest.raises(Forbidden):
            await view(store, manager, other, FIRST, LAST)
        with pytest.raises(Forbidden):
            await view(store, manager, "HB", FIRST, LAST)
    own_view = await views.drilldown(store, manager, None, FIRST, LAST)  # default: the viewer's own unit
    assert own_view.unit.code == district
    ids = {str(u["code"]): int(u["id"]) for u in units}
    assert own_view.children and all(ids[c.unit.code] in seen for c in own_view.children)
    # a viewer who sees only part of the children gets only those
    partial = Viewer("viewer", 3, "v", own, frozenset({own, ids[own_view.children[0].unit.code]}))
    assert [c.unit.code for c in (await views.drilldown(store, partial, district, FIRST, LAST)).children] == [
        own_view.children[0].unit.code
    ]


class FakeSessions:
    def __init__(self, viewer: Viewer) -> None:
        self.known = viewer

    async def viewer(self, token: str) -> Viewer | None:
        return self.known if token == "good" else None


@pytest.fixture
async def h(demo_copy: Path) -> AsyncIterator[Harness]:
    async with harness(f"sqlite:///{demo_copy}") as ready:
        yield ready


PATHS = ("overview", "trends", "drilldown", "officer-scores", "heatmap")


async def test_endpoints_answer_json_and_refuse_bad_callers_and_input(h: Harness, district: str) -> None:
    query = {"unit": "HB", "from": YEAR[0], "to": YEAR[1]}
    for path in PATHS:
        r = await h.client.get(f"/api/v1/{path}", params=query, headers=h.admin)
        assert r.status_code == 200, r.text
        assert r.json()["unit"]["code"] == "HB"
        assert r.headers["content-type"].startswith("application/json")
        assert (await h.client.get(f"/api/v1/{path}", params=query)).status_code == 401
        assert (await h.client.get(f"/api/v1/{path}", params=query, headers=h.integrator)).status_code == 403
        for bad in (
            {"from": "2025-13-01"},
            {"from": "2025-02-01", "to": "2025-01-01"},
            {"from": "2020-01-01", "to": "2025-01-01"},
        ):
            r = await h.client.get(f"/api/v1/{path}", params={"unit": "HB", **bad}, headers=h.admin)
            assert r.status_code == 422, (path, bad, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        r = await h.client.get(f"/api/v1/{path}", params={**query, "unit": "NOPE"}, headers=h.admin)
        assert r.status_code == 404
    over = (await h.client.get("/api/v1/overview", params=query, headers=h.admin)).json()
    direct = await views.overview(h.store, ADMIN, "HB", FIRST, LAST)
    assert [f["value"] for f in over["figures"]] == [f.value for f in direct.figures]


async def test_a_signed_in_manager_gets_403_outside_their_district(h: Harness, district: str) -> None:
    units = await h.rows("SELECT id, code, parent_id FROM units")
    own = next(int(u["id"]) for u in units if u["code"] == district)
    seen = await h.store.read(lambda tx: subtree(tx, own))
    h.client.app.state.sessions = FakeSessions(Viewer("manager", 9, "m", own, seen))
    other = next(str(u["code"]) for u in units if u["parent_id"] is not None and int(u["id"]) not in seen)
    signed_in = {"Cookie": "hailong_session=good"}
    for path in PATHS:
        ok = await h.client.get(
            f"/api/v1/{path}", params={"unit": district, "from": YEAR[0], "to": YEAR[1]}, headers=signed_in
        )
        assert ok.status_code == 200, ok.text
        refused = await h.client.get(
            f"/api/v1/{path}", params={"unit": other, "from": YEAR[0], "to": YEAR[1]}, headers=signed_in
        )
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("outside-your-units")
        assert other not in refused.text or other == "HB"


def test_the_report_is_the_same_from_the_rollups_as_from_the_ratings(
    demo_copy: Path, reports: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hailong analyze`` reads the rolled-up counts; read from the ratings, dossiers and answers themselves
    instead, every row of indices, officers and trends (and the flags) comes out the same."""
    from api.insights import gather, rollups

    conn = sqlite3.connect(demo_copy)
    mark = conn.execute("SELECT watermark, fast_ms FROM rollup_marks WHERE name = 'ratings'").fetchone()
    newest = conn.execute("SELECT max(id) FROM ratings").fetchone()[0]
    conn.close()
    assert mark == (newest, rollups.FAST_MS)  # the reports above were read from the rollups
    monkeypatch.setattr(gather, "USE_ROLLUPS", False)
    assert _report(demo_copy, "HB") == reports["HB"]
