"""The follow-up task adds no work to the rating write path: with it running, storing a rating executes
exactly the statements it executes without it (counted on the SQLite writer's own connection)."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from pathlib import Path
from typing import Any

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
        follower = followers[h.client.app.state.store]  # the job really reads the ratings meanwhile
        for _ in range(100):
            if follower.marks is not None and follower.marks["ratings"] == 10:
                break
            wake(h.client.app, "followup")
            await asyncio.sleep(0.02)
        assert follower.marks is not None and follower.marks["ratings"] == 10
    monkeypatch.setattr(api.app, "PERIODIC", [job for job in api.app.PERIODIC if job is not FOLLOWUP_JOB])
    async with harness(f"sqlite:///{tmp_path / 'off.db'}") as h:
        assert "followup" not in h.client.app.state.loops.events
        await seed_reference(h)
        without = await statements_per_rating(h, 10)
    assert with_task == without
    assert sum("INSERT INTO ratings" in sql for sql in without) == 10
    assert not any("alerts" in sql or "cases" in sql or "followup" in sql for sql in with_task)


async def test_a_store_that_cannot_work_is_said_once_when_it_begins_and_once_when_it_ends(tmp_path: Path) -> None:
    """Litestar's logging set-up replaces the root handlers, so the lines are collected on the logger itself."""
    from api.db import StoreError
    from api.followup.task import FollowUp, follow_up

    async with harness(f"sqlite:///{tmp_path / 'down.db'}", followup_poll_seconds=0.001) as h:
        follower = followers.setdefault(h.store, FollowUp(h.store, h.settings))
        real = follower.run_once
        outcomes = iter([StoreError("disk full"), StoreError("disk full"), None, None])

        async def flaky() -> Any:
            failure = next(outcomes)
            if failure is not None:
                raise failure
            return await real()

        follower.run_once = flaky  # type: ignore[method-assign]
        lines: list[str] = []
        collect = logging.Handler()
        collect.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
        logger = logging.getLogger("hailong.followup")
        logger.addHandler(collect)
        try:
            for _ in range(4):
                await asyncio.sleep(0.002)
                await follow_up(h.store, h.settings)
        finally:
            logger.removeHandler(collect)
        assert len(lines) == 2 and "disk full" in lines[0] and "works again" in lines[1]
