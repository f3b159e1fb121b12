"""The app factory has no process-wide side effects: tests and tools create many apps in one process.
What a server process tunes (the collector, log filters) happens in api.serve, once the app has started."""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path

from litestar.testing import AsyncTestClient

from api.app import create_app
from api.serve import GC_THRESHOLDS, server_app
from api.settings import load_settings


def process_state() -> tuple[object, ...]:
    loggers = ("uvicorn.access", "uvicorn.error", "litestar")
    return (
        gc.get_threshold(),
        gc.get_freeze_count(),
        tuple(len(logging.getLogger(name).filters) for name in loggers),
        dict(os.environ),
    )


async def test_creating_and_starting_an_app_leaves_the_process_alone(tmp_path: Path) -> None:
    before = process_state()
    for n in range(2):
        settings = load_settings({"db_url": f"sqlite:///{tmp_path / f'{n}.db'}"}, environ={})
        async with AsyncTestClient(create_app(settings)) as client:
            assert (await client.get("/healthz")).status_code == 200
    assert process_state() == before


async def test_the_server_entry_point_tunes_its_process_once_started(tmp_path: Path) -> None:
    threshold = gc.get_threshold()
    settings = load_settings({"db_url": f"sqlite:///{tmp_path / 'served.db'}"}, environ={})
    app = server_app(settings)
    try:
        assert gc.get_threshold() == threshold  # nothing before the server starts it
        async with AsyncTestClient(app) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


async def test_a_demo_start_on_a_database_with_data_mints_no_new_keys(tmp_path: Path) -> None:
    from api.serve import prepare_demo
    from tests.harness import harness, seed_reference

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    async with harness(url) as h:
        await seed_reference(h)
        keys = await h.count("api_keys")
    lines = await prepare_demo(load_settings({"db_url": url}, environ={}))
    async with harness(url) as h:
        assert await h.count("api_keys") == keys + 2  # the harness's own two; prepare_demo made none
    text = "\n".join(lines)
    assert "hailong apikey create" in text and "hl_" not in text
