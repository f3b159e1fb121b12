"""Issue 10, item 17: schemathesis, every check on, against the real server on a bounded budget: no 5xx and no
conformance failure. Schema-valid requests may still meet a 422 where a rule cannot be said in JSON Schema
(due_at before received_at, an unknown time zone, a NUL character, a wrong pairing code)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from api.apikeys.service import create_key
from api.app import create_app
from api.db import open_store
from api.db.migrate import migrate
from api.ratelimits import AddressLimits
from api.settings import load_settings
from tests.live import free_port

MAX_EXAMPLES = 10  # per operation and generation mode: about 700 requests, well under a minute
CONFIG = {
    "checks": {
        "enabled": True,
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]},
        # schemathesis's own list, and 414: the server refuses a path and query over 2,048 bytes before reading
        # them (a long invalid value is refused so, whichever part of it is invalid)
        "negative_data_rejection": {
            "expected-statuses": [
                "400",
                "401",
                "403",
                "404",
                "405",
                "406",
                "409",
                "414",
                "415",
                "422",
                "428",
                "429",
                "5xx",
            ]
        },
    },
    # The credential is ours to send (below), not a parameter to get wrong: a mutated Authorization header that
    # the test then replaces would be "invalid data accepted".
    "generation": {"with-security-parameters": False},
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('st')) / 'st.db'}"

    async def prepare() -> str:
        store = open_store(url)
        await store.open()
        try:
            await migrate(store)
            return await create_key(store, "schemathesis", "admin")
        finally:
            await store.close()

    key = asyncio.run(prepare())
    port = free_port()
    app = create_app(load_settings({"db_url": url, "key_burst": 10**9, "device_burst": 10**9}, environ={}))
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    # The fuzzer sends hundreds of wrong credentials from one address: lift that limit here (it has tests of
    # its own in test_abuse_auth.py); the rating limits per key are lifted by the settings above.
    app.state.address_limits = AddressLimits(failed_credentials=10**6, survey_requests=10**6)
    yield f"http://127.0.0.1:{port}", key
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def api_schema(live: tuple[str, str]) -> Any:
    base, _ = live
    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_url(f"{base}/schema/openapi.json", config=config)


def _query_list_only(failure: str) -> bool:
    """An "accepted invalid query" whose every invalid part is a scalar query parameter sent as a list. A query
    string cannot tell an empty list from no parameter, nor a one-item list from that item, and repeated
    parameters are refused (422): what is left is a valid request."""
    if "Schema-violating request accepted" not in failure or "in query" not in failure:
        return False
    reasons = [line for line in failure.splitlines() if "violates" in line]
    return bool(reasons) and all("became array" in line for line in reasons)


def _failures(operation: Any, mode: GenerationMode, key: str) -> list[str]:
    """Run one operation's cases; the distinct failures, each as its first lines."""
    found: dict[str, None] = {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: CI is stable; explore with other seeds by hand
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"})
        except BaseException as exc:  # a group of check failures, or one
            for failure in getattr(exc, "exceptions", [exc]):
                if _query_list_only(str(failure)):
                    continue
                lines = [line for line in str(failure).splitlines() if line.strip()]
                found[f"{operation.label} ({mode.value}): " + " | ".join(lines[:9])] = None

    try:
        run()
    except Unsatisfiable:  # negative mode on an operation with nothing to get wrong (GET /healthz)
        assert mode is GenerationMode.NEGATIVE
    return list(found)


def test_the_api_keeps_its_own_schema(live: tuple[str, str], api_schema: Any) -> None:
    _, key = live
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25  # every documented operation
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _failures(operation, mode, key)
    assert not failures, "\n".join(failures)
