"""``hailong user …`` and the demo's logins: passwords from standard input or generated and shown once."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import argon2
import pytest

import api.cli
from api.accounts.cli import demo_hint
from api.db import open_store
from api.settings import load_settings
from tests.harness import harness, seed_reference


def prepare(db: str) -> None:
    async def run() -> None:
        async with harness(db) as h:
            await seed_reference(h)

    asyncio.run(run())


def rows(db: str, sql: str) -> list[dict[str, object]]:
    async def run() -> list[dict[str, object]]:
        store = open_store(db)
        await store.open()
        try:
            return await store.fetch_all(sql)
        finally:
            await store.close()

    return asyncio.run(run())


def test_user_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    prepare(db)
    monkeypatch.setattr("sys.stdin", io.StringIO("a password from stdin\n"))
    assert (
        api.cli.main(["user", "add", "Lan", "--role", "manager", "--unit", "HB.LS", "--password-stdin", "--db", db])
        == 0
    )
    out = capsys.readouterr().out
    assert "added lan (manager of unit HB.LS)" in out and "password" not in out.split(")", 1)[1]
    assert api.cli.main(["user", "add", "so", "--role", "province", "--name", "Sở Nội vụ", "--db", db]) == 0
    out = capsys.readouterr().out
    generated = re.search(r"password \(shown once\): (\S+)", out)
    assert generated and len(generated[1]) >= 20
    hashes = {r["username"]: str(r["password_hash"]) for r in rows(db, "SELECT username, password_hash FROM users")}
    hasher = argon2.PasswordHasher()
    assert hasher.verify(hashes["lan"], "a password from stdin") and hasher.verify(hashes["so"], generated[1])
    assert all(h.startswith("$argon2id$") for h in hashes.values())

    # mistakes: one line, non-zero
    assert api.cli.main(["user", "add", "lan", "--role", "viewer", "--unit", "HB", "--db", db]) == 1
    assert "already a user 'lan'" in capsys.readouterr().err
    assert api.cli.main(["user", "add", "x1", "--role", "manager", "--db", db]) == 1
    assert "--unit" in capsys.readouterr().err
    assert api.cli.main(["user", "add", "x2", "--role", "admin", "--unit", "HB", "--db", db]) == 1
    assert api.cli.main(["user", "add", "x3", "--role", "viewer", "--unit", "NOPE", "--db", db]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert api.cli.main(["user", "add", "x4", "--role", "admin", "--password-stdin", "--db", db]) == 1
    assert "10 to 200 characters" in capsys.readouterr().err
    assert [r["username"] for r in rows(db, "SELECT username FROM users ORDER BY id")] == ["lan", "so"]

    assert api.cli.main(["user", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"lan\s+manager\s+HB\.LS\s+active", listing)
    assert re.search(r"so\s+province\s+\(all units\)\s+active.*Sở Nội vụ", listing)
    assert "argon2" not in listing and "stdin" not in listing

    assert api.cli.main(["user", "disable", "LAN", "--db", db]) == 0
    assert "disabled lan" in capsys.readouterr().out
    assert re.search(
        r"lan\s+manager\s+HB\.LS\s+disabled", (api.cli.main(["user", "list", "--db", db]), capsys.readouterr().out)[1]
    )
    assert api.cli.main(["user", "enable", "lan", "--db", db]) == 0
    assert api.cli.main(["user", "set-password", "lan", "--db", db]) == 0
    new = re.search(r"password \(shown once\): (\S+)", capsys.readouterr().out)
    assert new
    stored = str(rows(db, "SELECT password_hash FROM users WHERE username = 'lan'")[0]["password_hash"])
    assert hasher.verify(stored, new[1])
    assert api.cli.main(["user", "disable", "nobody", "--db", db]) == 1
    actions = [(r["action"], r["via"]) for r in rows(db, "SELECT action, via FROM audit_log ORDER BY id")]
    assert actions == [("user-add", "cli"), ("user-add", "cli"), ("user-disable", "cli"), ("user-enable", "cli"),
                       ("user-set-password", "cli")]  # fmt: skip


def test_demo_logins_are_made_once_with_fresh_passwords(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    prepare(db)
    settings = load_settings({"db_url": db}, environ={})

    async def hint() -> list[str]:
        store = open_store(db)
        await store.open()
        try:
            return await demo_hint(store, settings)
        finally:
            await store.close()

    first = "\n".join(asyncio.run(hint()))
    found = re.findall(r"(admin|province|manager|viewer)\s+(demo-\w+)\s+(\S+)\s+(.*)", first)
    assert [f[0] for f in found] == ["admin", "province", "manager", "viewer"]
    assert found[2][3] == found[3][3] == "Huyện Lương Sơn (HB.LS)" and found[0][3] == "all units"
    assert len({f[2] for f in found}) == 4  # four different generated passwords
    stored = rows(db, "SELECT username, display_name, role, unit_id, password_hash FROM users ORDER BY id")
    assert [(r["username"], r["role"]) for r in stored] == [(f[1], f[0]) for f in found]
    assert stored[2]["display_name"] == "Lãnh đạo Huyện Lương Sơn (demo)"
    assert argon2.PasswordHasher().verify(str(stored[2]["password_hash"]), found[2][2])
    second = "\n".join(asyncio.run(hint()))
    assert "hailong user add" in second and not any(f[2] in second for f in found)
    assert len(rows(db, "SELECT id FROM users")) == 4
