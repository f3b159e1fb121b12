"""A store that cannot take writes: 503 problems with Retry-After, /readyz says so, one log line per
change of state (not a traceback per request), and it recovers by itself."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from pathlib import Path

from api.db.errors import unavailable_reason
from tests.harness import harness, seed_reference


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_a_read_only_sqlite_store_answers_503_and_readyz_says_so(tmp_path: Path) -> None:
    kept = Keep()  # on our own loggers: the app's logging configuration replaces the root's handlers
    for name in ("hailong", "litestar"):
        logging.getLogger(name).addHandler(kept)
    async with harness(f"sqlite:///{tmp_path / 'ro.db'}") as h:
        await seed_reference(h)
        assert (await h.client.get("/readyz")).status_code == 200
        writer = h.client.app.state.store._conn
        writer.execute("PRAGMA query_only = ON")  # as if the file had become read-only under the service
        try:
            answers = [
                await h.client.post(
                    "/api/v1/ratings",
                    json={"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3},
                    headers=h.integrator,
                )
                for _ in range(12)
            ]
            ready = await h.client.get("/readyz")
            assert {a.status_code for a in answers} == {503}
            assert answers[0].headers["retry-after"] == "5"
            assert answers[0].json()["type"].endswith("/unavailable")
            assert "nothing was stored" not in answers[0].text.lower()
            assert ready.status_code == 503 and "cannot take writes" in ready.json()["detail"]
            writer.execute("PRAGMA query_only = OFF")
            assert (await h.client.get("/readyz")).status_code == 200
            after = await h.client.post(
                "/api/v1/ratings",
                json={"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3},
                headers=h.integrator,
            )
            assert after.status_code == 201
        finally:
            for name in ("hailong", "litestar"):
                logging.getLogger(name).removeHandler(kept)
        lines = [r.getMessage() for r in kept.records]
        assert sum("cannot take work" in line for line in lines) == 1, lines
        assert sum("takes work again" in line for line in lines) == 1, lines
        assert not any(r.exc_info for r in kept.records), "a traceback was logged"
        assert await h.count("ratings") == 1


def test_what_counts_as_unavailable() -> None:
    import asyncpg

    assert unavailable_reason(sqlite3.OperationalError("database or disk is full"))
    assert unavailable_reason(sqlite3.OperationalError("attempt to write a readonly database"))
    assert unavailable_reason(sqlite3.DatabaseError("database disk image is malformed"))
    assert unavailable_reason(asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert unavailable_reason(ConnectionRefusedError(111, "refused"))
    assert unavailable_reason(sqlite3.OperationalError('near "SELEC": syntax error')) is None  # a bug, not a state
    assert unavailable_reason(sqlite3.IntegrityError("UNIQUE constraint failed: units.code")) is None
    assert unavailable_reason(ValueError("x")) is None


async def test_a_damaged_file_keeps_readyz_at_503_until_restored(tmp_path: Path) -> None:
    async with harness(f"sqlite:///{tmp_path / 'd.db'}") as h:
        store = h.client.app.state.store
        store.health.failed("SQLite: database disk image is malformed")  # as a request touching a bad page says
        ready = await h.client.get("/readyz")
        assert ready.status_code == 503 and "damaged" in ready.json()["detail"]
        assert (await h.client.get("/readyz")).status_code == 503  # its own successful write proves nothing
    async with harness(f"sqlite:///{tmp_path / 'd.db'}") as h:  # restored and started again
        assert (await h.client.get("/readyz")).status_code == 200
