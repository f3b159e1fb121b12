"""Issue 10, item 16: backup and restore round-trip table by table; purge leaves no comment text older than the
limit and says what it removed."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.db import Store, open_store
from api.db.catalog import load_tables
from api.maintenance import purge_comments
from tests.harness import Harness, harness, seed_reference
from tests.integration.test_surveys import full_form

DAY_MS = 86_400_000


async def _rate(h: Harness, comment: str | None, **extra: Any) -> None:
    body = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "comment": comment, **extra}
    assert (await h.post("/api/v1/ratings", body, key="integrator")).status_code == 201


async def _answer_survey(h: Harness, dossier: str) -> None:
    url = (await h.client.get(f"/api/v1/dossiers/{dossier}", headers=h.integrator)).json()["survey_url"]
    r = await h.client.post("/s/" + url.rsplit("/s/", 1)[1], data=full_form())
    assert r.status_code == 200, r.text


async def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    tables = await load_tables(store)
    found = {}
    for t in tables:
        order = ", ".join(t.key or t.columns)
        rows = await store.fetch_all(f"SELECT * FROM {t.name} ORDER BY {order}")
        found[t.name] = [tuple(r[c] for c in t.columns) for r in rows]
    return found


async def test_backup_then_restore_gives_back_every_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    backup = tmp_path / "backup.db"
    async with harness(url) as h:
        await seed_reference(h)
        await _rate(h, "chờ lâu")
        await _answer_survey(h, "000.00.12.H36-261120-0001")
        before = await snapshot(h.store)
        assert sum(len(rows) for rows in before.values()) > 20
        assert await asyncio.to_thread(main, ["backup", "--out", str(backup), "--db", url]) == 0
        await _rate(h, "sau khi sao lưu")  # the live database moves on; the backup does not
        assert await asyncio.to_thread(main, ["backup", "--out", str(backup), "--db", url]) == 2  # never overwrites
    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    assert await asyncio.to_thread(main, ["restore", str(backup), "--db", restored_url]) == 0
    assert await asyncio.to_thread(main, ["restore", str(backup), "--db", restored_url]) == 2  # exists: --force
    assert await asyncio.to_thread(main, ["restore", str(backup), "--db", restored_url, "--force"]) == 0
    store = open_store(restored_url)
    await store.open()
    try:
        after = await snapshot(store)
    finally:
        await store.close()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert main(["restore", str(junk), "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "not a sound hailong backup" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_postgresql_backup_names_pg_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "--out", str(tmp_path / "b.dump"), "--db", "postgresql://hl@db.example/hailong"]) == 2
    assert "pg_dump --format=custom" in capsys.readouterr().err


async def test_purge_removes_old_comment_text_only(h: Harness) -> None:
    await seed_reference(h)
    await _rate(h, "old and identifying")
    await _rate(h, None)
    await _answer_survey(h, "000.00.12.H36-261120-0001")
    long_ago = {"t": 1_000_000_000_000}  # 2001
    await h.store.write(lambda tx: tx.execute("UPDATE ratings SET created_at = :t", long_ago))
    await h.store.write(lambda tx: tx.execute("UPDATE responses SET submitted_at = :t", long_ago))
    await _rate(h, "recent")
    answers_before = await h.count("answers")
    purged = await purge_comments(h.store, 30)
    assert (purged.ratings, purged.answers) == (1, 1)
    assert purged.line(30) == "removed the comment text of 1 rating(s) and 1 survey answer(s) older than 30 day(s)"
    comments = [r["comment"] for r in await h.rows("SELECT comment FROM ratings ORDER BY id")]
    assert comments == [None, None, "recent"]
    assert await h.count("answers") == answers_before - 1  # the free comment; every scale answer stays
    assert await h.rows("SELECT item FROM answers WHERE item = 'comment'") == []
    assert (await purge_comments(h.store, 30)).ratings == 0  # nothing left to remove
    assert (await purge_comments(h.store, 0)).ratings == 1  # 0 days: everything, the recent one too


def test_purge_command_says_what_it_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert main(["purge", "--comments-older-than", "90", "--db", url]) == 0
    assert (
        "removed the comment text of 0 rating(s) and 0 survey answer(s) older than 90 day(s)" in capsys.readouterr().out
    )
    assert main(["purge", "--comments-older-than", "-1", "--db", url]) == 2
