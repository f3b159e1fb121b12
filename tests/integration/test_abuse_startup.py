"""Issue 10, item 14: a store that cannot be reached or written, or a bad setting, is one clear line and a
non-zero exit at start, not a traceback and not a server failing every write."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from api.db import open_store
from api.db.migrate import migrate
from api.settings import SettingsError, load_settings
from tests.live import free_port

ROOT = Path(__file__).resolve().parents[2]


def _serve(env: dict[str, str], *args: str, user: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(free_port()), *args],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        user=user,
    )


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unreachable_postgresql_is_one_line() -> None:
    done = _serve({"HAILONG_DB": f"postgresql://nobody@127.0.0.1:{free_port()}/nothing"})
    assert done.returncode != 0
    assert "PostgreSQL" in _one_line(done.stderr)


@pytest.mark.skipif(os.geteuid() != 0, reason="drops to an unprivileged user to make the file read-only to it")
def test_a_read_only_sqlite_file_refuses_to_start() -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        folder.chmod(0o777)  # the unprivileged server may make its -wal and -shm files, not write the database
        db = folder / "hailong.db"

        async def make() -> None:
            store = open_store(f"sqlite:///{db}")
            await store.open()
            await migrate(store)
            await store.close()

        asyncio.run(make())
        db.chmod(0o444)
        done = _serve({"HAILONG_DB": f"sqlite:///{db}"}, user=65534)
        assert done.returncode != 0
        line = _one_line(done.stderr)
        assert "cannot write" in line or "read" in line, line
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("value", ["-1", "nan", "1e9"])
def test_a_bad_auth_cache_setting_refuses_to_start(value: str) -> None:
    with pytest.raises(SettingsError, match="HAILONG_AUTH_CACHE_SECONDS"):
        load_settings(environ={"HAILONG_AUTH_CACHE_SECONDS": value})
    done = _serve({"HAILONG_AUTH_CACHE_SECONDS": value, "HAILONG_DB": "sqlite:////nonexistent/x.db"})
    assert done.returncode == 2
    assert "HAILONG_AUTH_CACHE_SECONDS" in _one_line(done.stderr)
