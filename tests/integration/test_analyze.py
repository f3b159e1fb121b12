"""``hailong analyze`` on the small demo: every planted anomaly is named, the planted drop is marked, the
files have exactly the columns and vocabularies of issue 11, and the run is stored for the dashboard."""

from __future__ import annotations

import csv
import json
import random
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.demo.tree import build

TREE = build(random.Random(7), "small")
PLANTED = TREE.planted
CHILDREN = [u.code for u in TREE.units if u.parent_id == TREE.units[0].id]  # the province's own children


@pytest.fixture
def out(analysed: Path) -> Path:
    """The session's one run over the demo's 24 months (tests/conftest.py ``analysed``)."""
    return analysed


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def test_columns_are_exactly_the_issues(out: Path) -> None:
    expected = {
        "indices.csv": "scope_kind,scope_code,period,measure,n,x,value,ci_low,ci_high,excluded,suppressed",
        "officers.csv": "officer_code,unit_code,period,n,x,raw_rate,estimate,ci_low,ci_high,funnel,suppressed",
        "trends.csv": "scope_kind,scope_code,measure,period,n,x,value,centre,lower,upper,rule,direction",
        "flags.csv": "kind,scope_kind,scope_code,first_at,last_at,count,detail,evidence",
    }
    for name, header in expected.items():
        assert ",".join(_csv(out / name)[0]) == header


def test_every_planted_anomaly_is_flagged_and_reported(out: Path) -> None:
    _, flags = _csv(out / "flags.csv")
    found = {(f["kind"], f["scope_code"]) for f in flags}
    expected = {
        ("burst", PLANTED["burst_counter"] + "-K1"),
        ("fast_tap", PLANTED["fast_tap_counter"] + "-K1"),
        ("off_hours", PLANTED["off_hours_counter"] + "-K1"),
        ("repeated_comment", PLANTED["repeated_comment_counter"] + "-K1"),
        ("kiosk_qr_gap", PLANTED["kiosk_qr_gap_officer"]),
        ("staff_entered", PLANTED["staff_entry_unit"]),
    }
    assert expected <= found
    assert {f["kind"] for f in flags} <= {
        "burst",
        "fast_tap",
        "off_hours",
        "repeated_comment",
        "kiosk_qr_gap",
        "staff_entered",
    }
    for flag in flags:
        evidence = json.loads(flag["evidence"])
        assert int(flag["count"]) > 0
        assert evidence.get("rating_ids") or flag["kind"] == "kiosk_qr_gap"
    burst = next(f for f in flags if f["kind"] == "burst" and f["scope_code"] == PLANTED["burst_counter"] + "-K1")
    assert PLANTED["burst_officer"] in json.loads(burst["evidence"])["officers"]
    assert burst["first_at"] < burst["last_at"]
    html = (out / "report.html").read_text(encoding="utf-8")
    for _, code in expected:
        assert code in html


def test_trends_mark_the_planted_drop(out: Path) -> None:
    _, rows = _csv(out / "trends.csv")
    unit = PLANTED["decline_unit"]
    marked = [r for r in rows if r["scope_code"] == unit and r["rule"] and r["period"] >= PLANTED["decline_from"]]
    assert marked and all(r["direction"] == "concern" for r in marked)
    before = [r for r in rows if r["scope_code"] == unit and r["period"] < PLANTED["decline_from"]]
    assert not any(r["direction"] == "concern" for r in before)
    assert {r["rule"] for r in rows} <= {"", "outside_limits", "trend", "two_of_three", "shift"}
    assert {r["direction"] for r in rows} <= {"", "improvement", "concern"}
    assert all(float(r["lower"]) <= float(r["centre"]) <= float(r["upper"]) for r in rows if r["centre"])


def test_indices_vocabulary_suppression_and_staff_exclusion(out: Path) -> None:
    _, rows = _csv(out / "indices.csv")
    measure = re.compile(
        r"^(counter_rate|ratio_766|coverage|sipas_item:[IV]+\.\d|sipas_factor:[IV]+|sipas_service|harassment_share"
        r"|payment_share|early_share|on_time_share|late_share)$"
    )
    period = re.compile(r"^\d{4}(-\d{2}|-Q[1-4])?$")
    assert all(measure.match(r["measure"]) and period.match(r["period"]) for r in rows)
    assert {r["scope_kind"] for r in rows} == {"unit", "counter", "procedure", "channel"}
    for r in rows:
        if r["suppressed"] == "true":
            assert r["value"] == r["ci_low"] == r["ci_high"] == ""
            # a factor or service index is hidden when any of its parts is too small to judge
            assert int(r["n"]) < 10 or r["measure"].startswith(("sipas_factor", "sipas_service"))
        else:
            assert 0 <= float(r["ci_low"]) <= float(r["value"]) <= float(r["ci_high"]) <= 1
    staff = next(
        r
        for r in rows
        if (r["scope_code"], r["measure"], r["period"]) == (PLANTED["staff_entry_unit"], "counter_rate", "2026")
    )
    assert int(staff["excluded"]) > 0
    by_key = {(r["scope_kind"], r["scope_code"], r["measure"], r["period"]): r for r in rows}
    province = by_key[("unit", "HB", "counter_rate", "2026")]
    children = [by_key[("unit", code, "counter_rate", "2026")] for code in CHILDREN]
    assert int(province["n"]) == sum(int(r["n"]) for r in children)  # a unit's figures include its subtree
    quarters = [by_key[("unit", "HB", "counter_rate", f"2026-Q{q}")] for q in (1, 2, 3, 4)]
    assert sum(int(q["n"]) for q in quarters) == int(province["n"])


def test_officers_are_shrunk_placed_and_suppressed(out: Path) -> None:
    _, rows = _csv(out / "officers.csv")
    assert {r["funnel"] for r in rows} <= {"", "within", "above_95", "above_998", "below_95", "below_998"}
    shown = [r for r in rows if r["suppressed"] == "false"]
    hidden = [r for r in rows if r["suppressed"] == "true"]
    assert shown and hidden
    assert all(r["estimate"] == r["x"] == r["funnel"] == "" for r in hidden)
    assert any(int(r["n"]) >= 30 for r in hidden)  # secondary suppression hides some with enough ratings
    assert all(int(r["n"]) >= 30 and float(r["ci_low"]) <= float(r["estimate"]) <= float(r["ci_high"]) for r in shown)
    # secondary suppression: within a unit and period, never exactly one hidden officer with ratings beside
    # shown ones (the unit's total minus the shown officers would give it away)
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        groups.setdefault((r["unit_code"], r["period"]), []).append(r)
    for members in groups.values():
        hidden_with_ratings = [r for r in members if r["suppressed"] == "true" and int(r["n"]) > 0]
        assert len(hidden_with_ratings) != 1 or all(r["suppressed"] == "true" for r in members)
    weak = [r for r in shown if r["officer_code"] in PLANTED["weak_officers"] and r["period"] == "2026"]
    assert weak and all(r["funnel"].startswith("below") for r in weak)


def test_summary_report_and_stored_run(out: Path) -> None:
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["rule_sets"]["spc"]["name"] and summary["rule_sets"]["spc"]["version"]
    assert summary["counts"]["staff_entered_excluded"] > 0 and summary["period"]["from"] == "2024-11-01"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and 'id="vi"' in html and 'id="en"' in html and "<svg" in html
    assert re.search(r"\d+,\d %", html) and "Wilson" in html
    db = sqlite3.connect(out.parent / "copy.db")
    run = db.execute("SELECT id, as_of, unit_code FROM analysis_runs").fetchall()
    assert len(run) == 1 and run[0][2] == "HB" and run[0][1] > 0
    stored: dict[str, int] = {}
    for file, scope_kind, data in db.execute("SELECT file, scope_kind, data FROM analysis_results"):
        rows = json.loads(data)
        assert all(r.get("scope_kind", "officer") == scope_kind for r in rows)
        stored[file] = stored.get(file, 0) + len(rows)
    for name in ("indices", "officers", "trends", "flags"):
        assert stored[name] == len(_csv(out / f"{name}.csv")[1])
    db.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze"], "needs --out"),
        (["analyze", "--out", "{tmp}/o", "--from", "2026-13-01"], "YYYY-MM-DD"),
        (["analyze", "--out", "{tmp}/o", "--from", "2026-10-01", "--to", "2026-09-01"], "before --from"),
        (["analyze", "--out", "{tmp}/o", "--unit", "NOPE"], "no unit with that code"),
        (["analyze", "--out", "{tmp}/file.txt"], "not a directory"),
        (["analyze", "--out", "{tmp}/o", "--db", "mysql://x"], "bad database URL"),
        (["analyze", "--out"], "expected one argument"),
    ],
)
def test_bad_arguments_get_one_clear_line(
    args: list[str], message: str, demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file.txt").write_text("x")
    db = tmp_path / "copy.db"
    src, dst = sqlite3.connect(demo_db), sqlite3.connect(db)
    src.execute("SELECT 1")
    dst.close()
    src.close()
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--db" not in argv:
        argv += ["--db", f"sqlite:///{demo_db}" if "--unit" in argv else f"sqlite:///{db}"]
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own complaints
        status = int(str(exc.code))
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and err[0].startswith("hailong:")


def test_comments_are_scored_themed_and_nothing_personal_is_left(out: Path) -> None:
    columns, themes = _csv(out / "themes.csv")
    assert columns == ["theme", "kind", "scope_kind", "scope_code", "period", "n", "share", "top_terms", "examples"]
    whole_year = [r for r in themes if r["scope_code"] == "HB" and r["period"] == "2026"]
    fixed = {r["theme"]: r for r in whole_year if r["kind"] == "fixed"}
    assert {"waiting", "attitude", "documents", "fees", "facilities"} <= set(fixed)
    assert int(fixed["waiting"]["n"]) > 0 and fixed["waiting"]["top_terms"]
    assert {r["kind"] for r in themes} == {"fixed", "emergent"}
    columns, comments = _csv(out / "comments.csv")
    assert columns[:3] == ["id", "unit_code", "period"] and "redacted_text" in columns
    assert {r["dissatisfied"] for r in comments} == {"0", "1"}
    # the receipt questionnaire's comments are analysed with the counter's: scored, themed, redacted, and
    # learned from with the response's overall satisfaction (its mean answer, 1–5) as the rating
    survey = [r for r in comments if r["source"] == "questionnaire"]
    assert survey and {r["source"] for r in comments} == {"counter", "questionnaire"}
    assert {r["scale"] for r in survey} == {"5"} and {r["level"] for r in survey} <= {"1", "2", "3", "4", "5"}
    assert any(r["dissatisfied"] == "1" and r["themes"] for r in survey)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["comments"]
    assert summary["by_source"]["questionnaire"] == len(survey) and summary["learned_from"] == len(comments)
    # The demo plants phone numbers, citizen ID numbers and e-mail addresses in a few comments: none of them
    # may reach any file the run writes.
    db = sqlite3.connect(out.parent / "copy.db")
    raw = [c for (c,) in db.execute("SELECT comment FROM ratings WHERE comment IS NOT NULL")]
    raw += [c for (c,) in db.execute("SELECT text_value FROM answers WHERE item = 'comment' AND text_value <> ''")]
    db.close()
    personal = {m for c in raw for m in re.findall(r"\b0\d{9,11}\b|[\w.]+@[\w.]+", c)}
    assert personal, "the demo should plant some personal data"
    for name in ("comments.csv", "themes.csv", "flags.csv", "report.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert not [p for p in personal if p in text], name
    assert "Themes in dissatisfied comments" in (out / "report.html").read_text(encoding="utf-8")


def test_the_run_keeps_its_model_and_it_rescores_the_comments_alike(out: Path) -> None:
    """The model is trained on the period's own comments and kept with the run (model.pkl and its card,
    model.json), never shipped: reloaded, it gives every comment of comments.csv the same probability."""
    from analysis.comments.stored import load

    card = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert card["file"] == "model.pkl" and (out / "model.pkl").is_file()
    assert card["seed"] == 7 and card["model_version"] and card["lexicon_version"]
    assert 0 < card["threshold"] < 1 and card["history"] > 100 and 0 < card["rated_dissatisfied"] < card["history"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["comments"]["model_card"]["sha256"] == card["sha256"]
    _, comments = _csv(out / "comments.csv")
    assert len(comments) == card["history"]  # every rated comment of the period is learned from
    model = load(out)
    probs = model.score([c["redacted_text"] for c in comments])[0]
    for comment, p in zip(comments, probs, strict=True):
        if any(ch.isalnum() for ch in comment["redacted_text"]):  # a comment without words scores 0
            assert float(comment["p_dissatisfied"]) == round(float(p), 4)
            assert comment["dissatisfied"] == str(int(p >= card["threshold"]))


def test_a_stored_run_raises_alerts_and_a_later_run_over_the_same_units_closes_them(out: Path, tmp_path: Path) -> None:
    """Slow alerts (issue 14, item 2): the follow-up task reads the stored run: the planted drop is an SPC
    concern, every integrity flag and theme spike an alert; a later run that no longer finds them closes them.
    Works on a copy of the analysed database."""
    import asyncio

    from api.db import open_store
    from api.followup.task import FollowUp
    from api.settings import load_settings

    db = tmp_path / "runs.db"
    src, dst = sqlite3.connect(out.parent / "copy.db"), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    _, flags = _csv(out / "flags.csv")

    async def follow() -> tuple[list[tuple[str, str, str]], list[str]]:
        store = open_store(f"sqlite:///{db}")
        await store.open()
        try:
            task = FollowUp(store, load_settings({"db_url": f"sqlite:///{db}"}, environ={}))
            task.marks = {**await store.read(_newest), "runs": 0}  # as if the API was running before the run
            await task.run_once()
            rows = await store.fetch_all("SELECT cause, scope_kind, state FROM alerts ORDER BY id")
            opened = [(r["cause"], r["scope_kind"], r["state"]) for r in rows]
            await store.write(
                lambda tx: tx.execute(
                    "INSERT INTO analysis_runs (started_at, as_of, unit_code, period_from, period_to, settings,"
                    " summary) VALUES (1, 2, 'HB', '2026-11-01', '2026-11-30', '{}', '{}')"
                )
            )
            await task.run_once()
            return opened, [r["state"] for r in await store.fetch_all("SELECT state FROM alerts")]
        finally:
            await store.close()

    opened, after = asyncio.run(follow())
    decline = summary["trends"][PLANTED["decline_unit"]]
    assert decline["variation"] == "concern"
    assert ("spc_concern", "unit", "open") in opened
    spc = sum(1 for c in summary["trends"].values() if c["variation"] == "concern")
    assert sum(1 for c, _, _ in opened if c == "spc_concern") == spc
    assert sorted(c for c, _, _ in opened if c.startswith("integrity:")) == sorted(
        f"integrity:{f['kind']}" for f in flags
    )
    assert sum(1 for c, _, _ in opened if c.startswith("theme_spike:")) == len(summary["theme_spikes"])
    assert after == ["closed"] * len(opened)
    # indicator 8 is in the summary and the report: the demo has no follow-up case due
    assert summary["feedback_handling"]["points"] is None
    assert "Feedback handled on time" in (out / "report.html").read_text(encoding="utf-8")


async def _newest(tx: Any) -> dict[str, int]:
    from api.followup.queries import newest_ids

    return await newest_ids(tx)


# --- issue 14, item 1: the stored comments behind the dashboard's themes and search ----------------------


def _analysed(out: Path) -> list[dict[str, str]]:
    return _csv(out / "comments.csv")[1]


async def test_theme_shares_on_the_api_are_the_runs_own(out: Path) -> None:
    from tests.harness import harness

    comments = [c for c in _analysed(out) if c["period"].startswith("2026")]
    unhappy = [c for c in comments if c["dissatisfied"] == "1"]
    async with harness(f"sqlite:///{out.parent / 'copy.db'}") as h:
        r = await h.client.get("/api/v1/themes?unit=HB&from=2026-01-01&to=2026-12-31", headers=h.admin)
        assert r.status_code == 200, r.text
        view = r.json()
        assert (view["comments"], view["dissatisfied"]) == (len(comments), len(unhappy))
        fixed = {t["code"]: t for t in view["themes"] if t["kind"] == "fixed"}
        for code in ("waiting", "attitude", "fees"):
            expected = sum(1 for c in unhappy if code in c["themes"].split(";"))
            assert fixed[code]["n"] == expected and sum(m["n"] for m in fixed[code]["months"]) == expected
            assert fixed[code]["share"] == round(expected / len(unhappy), 4)
        assert fixed["waiting"]["words"] and fixed["waiting"]["examples"]
        assert fixed["waiting"]["vi"] and fixed["waiting"]["en"]
        assert any(t["kind"] == "emergent" for t in view["themes"])
        r = await h.client.get("/api/v1/themes?unit=HB&from=2026-12-31&to=2026-01-01", headers=h.admin)
        assert r.status_code == 422


async def test_comment_search_folds_diacritics_and_hides_names_from_viewers(out: Path) -> None:
    from datetime import date

    from api.comments import service
    from api.viewer import Viewer
    from tests.harness import harness

    comments = _analysed(out)
    naming = [c for c in comments if c["mentions_person"] == "1"]
    assert naming, "the demo plants comments that name an officer"
    async with harness(f"sqlite:///{out.parent / 'copy.db'}") as h:
        root = (await h.rows("SELECT id FROM units WHERE code = 'HB'"))[0]["id"]
        units = frozenset(int(r["id"]) for r in await h.rows("SELECT id FROM units"))
        manager = Viewer("manager", 1, "m", root, units)
        reader = Viewer("viewer", 2, "v", root, units)
        first, last = date(2024, 11, 1), date(2026, 12, 31)
        seen = await service.search(h.store, manager, "HB", first, last, limit=1000)
        assert any(c.mentions_person for c in seen.items)
        shown = await service.search(h.store, reader, "HB", first, last, limit=1000)
        assert shown.items and not any(c.mentions_person for c in shown.items)
        view = await service.themes(h.store, reader, "HB", first, last)
        assert view.hidden_mentions == len(naming)
        # "chờ lâu" typed without diacritics finds the comments that have it with them
        accented = next(c["redacted_text"] for c in comments if "chờ" in c["redacted_text"])
        r = await h.client.get(
            "/api/v1/comments",
            params={"unit": "HB", "from": "2024-11-01", "to": "2026-12-31", "q": "cho"},
            headers=h.admin,
        )
        assert r.status_code == 200, r.text
        texts = {c["text"] for c in r.json()["items"]}
        assert texts and all("cho" in service.fold_text(t) for t in texts)
        assert accented in texts or r.json()["next_before"] is not None


async def test_a_wrongly_themed_mark_reaches_the_next_run(out: Path) -> None:
    from datetime import date

    from api.insights import queries
    from api.insights.periods import months
    from tests.harness import harness

    themed = next(c for c in _analysed(out) if "waiting" in c["themes"].split(";"))
    async with harness(f"sqlite:///{out.parent / 'copy.db'}") as h:
        path = f"/api/v1/comments/{themed['id']}/wrong-themes"
        assert (await h.client.post(path, json={"theme": "nonsense"}, headers=h.admin)).status_code == 422
        assert (await h.client.post(path, json={"theme": "waiting"}, headers=h.admin)).status_code == 204
        m = months(date(2024, 11, 1), date(2026, 12, 31), "Asia/Ho_Chi_Minh")
        rows = await h.store.read(lambda tx: queries.comments(tx, m, None))
        marked = next(r for r in rows if int(r["id"]) == int(themed["id"]))
        assert marked["wrong"] == ["waiting"]
        await h.store.write(lambda tx: tx.execute("DELETE FROM theme_marks"))


async def test_the_themes_page_shows_the_runs_themes_searches_and_takes_a_wrong_mark(out: Path) -> None:
    import html as html_module

    from api.accounts import service as accounts_service
    from tests.harness import harness
    from tests.integration.test_accounts import PASSWORD, accounts, cheap, csrf_of, login

    comments = [c for c in _analysed(out) if c["period"].startswith("2026")]
    async with harness(f"sqlite:///{out.parent / 'copy.db'}") as h:
        accounts(h).passwords = cheap()
        for name, role in (("mgr", "manager"), ("reader", "viewer")):
            await accounts_service.add_user(h.store, name, role, "HB", PASSWORD, actor="test", passwords=cheap())
        assert (await login(h, "reader", PASSWORD)).status_code == 303
        page = await h.client.get("/dashboard/themes?unit=HB&from=2026-01-01&to=2026-12-31")
        assert page.status_code == 200, page.text
        text = html_module.unescape(page.text)
        api = (await h.client.get("/api/v1/themes?unit=HB&from=2026-01-01&to=2026-12-31")).json()
        waiting = next(th for th in api["themes"] if th["code"] == "waiting")
        assert waiting["vi"] in text and f"<td>{waiting['n']}</td>" in page.text.replace(".", "")
        assert "Wrong theme" not in text and "Chủ đề sai" not in text  # a viewer cannot mark
        assert not [c for c in comments if c["mentions_person"] == "1" and c["redacted_text"] in text]
        assert (await login(h, "mgr", PASSWORD)).status_code == 303
        page = await h.client.get("/dashboard/themes", params={"unit": "HB", "from": "2026-01-01", "to": "2026-12-31",
                                                                "theme": "waiting", "q": "cho"})  # fmt: skip
        assert page.status_code == 200
        rating = int(re.findall(r'name="rating" value="(\d+)"', page.text)[0])
        form = {
            "csrf": csrf_of(page.text),
            "rating": str(rating),
            "theme": "waiting",
            "back": "/dashboard/themes?unit=HB",
        }
        done = await h.client.post("/dashboard/themes/wrong", data=form, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"].endswith(f"marked={rating}")
        marks = await h.rows("SELECT rating_id, theme, marked_by FROM theme_marks")
        assert [(m["rating_id"], m["theme"]) for m in marks] == [(rating, "waiting")]
        refused = await h.client.post("/dashboard/themes/wrong", data={**form, "csrf": "nope"}, follow_redirects=False)
        assert refused.status_code == 403
        await h.store.write(lambda tx: tx.execute("DELETE FROM theme_marks"))
