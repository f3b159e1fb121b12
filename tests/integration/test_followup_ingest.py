"""The follow-up task adds no work to the rating write path: with it running, storing a rating executes
exactly the statements it executes without it (counted on the SQLite writer's own connection)."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import pytest

import api.app
from api.followup.task import startup as followup_startup
from tests.harness import Harness, harness, seed_reference


async def statements_per_rating(h: Harness, n: int) -> list[str]:
    conn = h.client.app.state.store._conn  # the writer: every write of the app runs here
    seen: list[str] = []
    conn.set_trace_callback(lambda sql: seen.append(re.sub(r"\d+|'[^']*'", "?", sql)[:60]))
    try:
        for _ in range(n):
            body = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3}
            assert (await h.post("/api/v1/ratings", body, key="integrator")).status_code == 201
            await asyncio.sleep(0.02)  # the follow-up task gets its turns in between
    finally:
        conn.set_trace_callback(None)
    return seen


async def test_storing_a_rating_runs_the_same_statements_with_the_follow_up_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with harness(f"sqlite:///{tmp_path / 'on.db'}", followup_poll_seconds=0.005) as h:
        assert getattr(h.client.app.state, "followup_task", None) is not None
        await seed_reference(h)
        with_task = await statements_per_rating(h, 10)
    monkeypatch.setattr(api.app, "STARTUP_HOOKS", [k for k in api.app.STARTUP_HOOKS if k is not followup_startup])
    async with harness(f"sqlite:///{tmp_path / 'off.db'}") as h:
        assert getattr(h.client.app.state, "followup_task", None) is None
        await seed_reference(h)
        without = await statements_per_rating(h, 10)
    assert with_task == without
    assert sum("INSERT INTO ratings" in sql for sql in without) == 10
    assert not any("alerts" in sql or "cases" in sql or "followup" in sql for sql in with_task)
