"""The follow-up task adds no work to the rating write path: with it running, storing a rating executes
exactly the statements it executes without it (counted on the SQLite writer's own connection)."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import pytest

import api.app
from api.background import wake
from api.followup.task import FOLLOWUP_JOB
from api.followup.task import _followers as followers
from tests.harness import Harness, harness, seed_reference


async def statements_per_rating(h: Harness, n: int) -> list[str]:
    conn = h.client.app.state.store._conn  # the writer: every write of the app runs here
    seen: list[str] = []
    conn.set_trace_callback(lambda sql: seen.append(re.sub(r"\d+|'[^']*'", "?", sql)[:60]))
    try:
        for _ in range(n):
            body = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3}
            assert (await h.post("/api/v1/ratings", body, key="integrator")).status_code == 201
            wake(h.client.app, "followup")  # the follow-up job runs between the ratings
            await asyncio.sleep(0.02)
    finally:
        conn.set_trace_callback(None)
    return seen


async def test_storing_a_rating_runs_the_same_statements_with_the_follow_up_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with harness(f"sqlite:///{tmp_path / 'on.db'}", followup_poll_seconds=0.005) as h:
        assert "followup" in h.client.app.state.loops.events
        await seed_reference(h)
        with_task = await statements_per_rating(h, 10)
        await asyncio.sleep(0.1)
        follower = followers[h.client.app.state.store]  # the job really read the ratings meanwhile
        assert follower.marks is not None and follower.marks["ratings"] == 10
    monkeypatch.setattr(api.app, "PERIODIC", [job for job in api.app.PERIODIC if job is not FOLLOWUP_JOB])
    async with harness(f"sqlite:///{tmp_path / 'off.db'}") as h:
        assert "followup" not in h.client.app.state.loops.events
        await seed_reference(h)
        without = await statements_per_rating(h, 10)
    assert with_task == without
    assert sum("INSERT INTO ratings" in sql for sql in without) == 10
    assert not any("alerts" in sql or "cases" in sql or "followup" in sql for sql in with_task)
