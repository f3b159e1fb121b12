from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from api.cli import main
from tests.harness import Harness, seed_reference

BASE = {
    "code": "000.00.12.H36-261121-0002",
    "unit": "HB.LS",
    "procedure": "1.001193",
    "channel": "online",
    "received_at": "2026-11-21T09:15:00+07:00",
    "due_at": "2026-11-24T09:15:00+07:00",
}


async def test_register_is_idempotent_on_code(h: Harness) -> None:
    await seed_reference(h)
    first = await h.post("/api/v1/dossiers", BASE, key="integrator")
    again = await h.post("/api/v1/dossiers", BASE, key="integrator")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["received_at"] == "2026-11-21T02:15:00Z"  # stored and answered in UTC
    differs = await h.post("/api/v1/dossiers", BASE | {"channel": "postal"}, key="integrator")
    assert differs.status_code == 409 and "channel" in differs.json()["detail"]
    assert await h.count("dossiers") == 2
    stored = await h.rows("SELECT received_at, channel FROM dossiers WHERE code = :c", {"c": BASE["code"]})
    expected = int(datetime(2026, 11, 21, 2, 15, tzinfo=UTC).timestamp() * 1000)
    assert stored == [{"received_at": expected, "channel": "online"}]


async def test_patch_status(h: Harness) -> None:
    await seed_reference(h)
    await h.post("/api/v1/dossiers", BASE, key="integrator")
    path = f"/api/v1/dossiers/{BASE['code']}"
    r = await h.client.patch(
        path, json={"returned_at": "2026-11-25T10:00:00+07:00", "result": "approved"}, headers=h.integrator
    )
    assert r.status_code == 200, r.text
    assert r.json()["returned_at"] == "2026-11-25T03:00:00Z" and r.json()["result"] == "approved"
    early = await h.client.patch(path, json={"returned_at": "2026-01-01T00:00:00+07:00"}, headers=h.integrator)
    assert early.status_code == 422
    missing = await h.client.patch("/api/v1/dossiers/NOPE", json={"result": "refused"}, headers=h.integrator)
    assert missing.status_code == 404
    assert (await h.client.get(path, headers=h.integrator)).json()["result"] == "approved"


async def test_csv_import_reports_bad_rows_by_line(h: Harness, tmp_path: Path, capsys: object) -> None:
    await seed_reference(h)
    csv_file = tmp_path / "dossiers.csv"
    csv_file.write_text(
        "code,unit,procedure,channel,received_at,due_at,officer\n"
        "HS-1,HB.LS,1.001193,direct,2026-11-02 08:00,2026-11-03 08:00,CB01\n"
        "HS-2,HB.LS,1.001193,fax,2026-11-02 08:00,2026-11-03 08:00,\n"
        "HS-3,HB.XX,1.001193,direct,2026-11-02 08:00,2026-11-03 08:00,\n"
        "HS-4,HB.LS,1.001193,online,2026-11-02T08:00:00+07:00,2026-11-05T08:00:00+07:00,\n"
        "HS-5,HB.LS,1.001193,online,not a date,2026-11-05,\n",
        encoding="utf-8",
    )
    import asyncio

    code = await asyncio.to_thread(main, ["import", "dossiers", str(csv_file), "--db", h.db_url])
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert code == 1
    assert f"{csv_file}:3: " in err and "fax" in err
    assert f"{csv_file}:4: " in err and "HB.XX" in err
    assert f"{csv_file}:6: " in err
    codes = [r["code"] for r in await h.rows("SELECT code FROM dossiers WHERE code LIKE 'HS-%' ORDER BY code")]
    assert codes == ["HS-1", "HS-4"]
    naive = await h.rows("SELECT received_at FROM dossiers WHERE code = 'HS-1'")
    one_utc = int(datetime(2026, 11, 2, 1, 0, tzinfo=UTC).timestamp() * 1000)
    assert naive == [{"received_at": one_utc}]  # 08:00 in Asia/Ho_Chi_Minh = 01:00 UTC
