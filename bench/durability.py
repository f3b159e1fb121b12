"""``just bench durability``: kill -9 the server under rating load, again and again; nothing acknowledged is lost.

    python -m bench.durability [--stores sqlite,postgresql] [--kills 3] [--clients 16] [--seconds 2]

For each store (a temp SQLite file; a fresh schema on the PostgreSQL test server), ``hailong serve`` runs
under load from ``--clients`` kiosk-like clients (a paired device token, the kiosk's own body). Every
``--seconds`` the server is killed with SIGKILL and started again. A client whose request got no answer
keeps that rating (same idempotency key, same body) and sends it again once the server is back, as the
kiosk's queue does. At the end: ratings acknowledged (201 or a 200 replay), rows stored, acknowledged but
lost, and keys stored more than once. Exit status 1 if anything was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.live import free_port, hailong_serve, served

COUNTER = "DUR-Q1"
# A load test sends far faster than any kiosk: the rate limits (still checked on every request) are lifted.
UNLIMITED = {"HAILONG_DEVICE_BURST": str(10**9), "HAILONG_KEY_BURST": str(10**9)}


@dataclass
class Tally:
    acknowledged: set[str] = field(default_factory=set)
    unanswered: dict[str, dict[str, object]] = field(default_factory=dict)  # key → body, to send again
    sent: int = 0
    kills: int = 0
    stored: int = 0
    distinct: int = 0

    @property
    def lost(self) -> int:
        return len(self.acknowledged) - len(self.acknowledged & self.stored_keys)

    stored_keys: set[str] = field(default_factory=set)


async def _setup(base: str, admin: str) -> str:
    """A unit, a counter and a paired kiosk; returns the device token."""
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:
        for path, body in (
            ("/api/v1/units", {"code": "DUR", "name": "Xã Bền", "kind": "commune"}),
            ("/api/v1/counters", {"code": COUNTER, "unit": "DUR", "name": "Quầy 1"}),
        ):
            answer = await client.post(path, json=body)
            assert answer.status_code == 201, answer.text
        code = (await client.post("/api/v1/devices/pairing-codes", json={"counter": COUNTER})).json()["code"]
        paired = await client.post("/api/v1/kiosk/pair", json={"pairing_code": code, "name": "bench"}, headers={})
        assert paired.status_code == 201, paired.text
        return str(paired.json()["device_token"])


def _body(n: int) -> dict[str, object]:
    body: dict[str, object] = {
        "idempotency_key": str(uuid.uuid4()),
        "counter": COUNTER,
        "level": 3 - n % 3,
        "reasons": ["waiting"] if n % 3 == 2 else [],
        "client_time": "2026-12-01T08:00:00.000Z",
        "time_to_tap_ms": 2000 + n % 5000,
    }
    if n % 3 == 2:
        body["comment"] = "Phải chờ lâu"
    return body


async def _load(base: str, token: str, tally: Tally, clients: int, seconds: float) -> None:
    """Clients send the unanswered first, then new ratings, until the server dies or time is up."""
    stop_at = time.monotonic() + seconds
    backlog = list(tally.unanswered.values())
    headers = {"Authorization": f"Bearer {token}"}

    async def client_loop(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop_at:
            body = backlog.pop() if backlog else _body(tally.sent)
            key = str(body["idempotency_key"])
            tally.unanswered[key] = body
            tally.sent += 1
            try:
                answer = await client.post("/api/v1/ratings", json=body)
            except httpx.TransportError:
                return  # the server is gone: the rating stays unanswered, to be sent again
            if answer.status_code in (200, 201):
                tally.acknowledged.add(key)
                del tally.unanswered[key]
            elif answer.status_code < 500:
                raise SystemExit(f"unexpected {answer.status_code}: {answer.text}")

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=5) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))


async def _count(url: str, tally: Tally) -> None:
    from api.db import open_store

    store = open_store(url)
    await store.open()
    try:
        rows = await store.fetch_all("SELECT idempotency_key FROM ratings")
    finally:
        await store.close()
    tally.stored = len(rows)
    tally.stored_keys = {r["idempotency_key"] for r in rows}
    tally.distinct = len(tally.stored_keys)


async def run(url: str, folder: Path, kills: int = 3, clients: int = 16, seconds: float = 2.0) -> Tally:
    """Load, kill -9, restart, ``kills`` times; then deliver what is unanswered and count."""
    from api.apikeys.service import create_key
    from api.db import open_store
    from api.db.migrate import migrate

    store = open_store(url)
    await store.open()
    try:
        await migrate(store)
        admin = await create_key(store, "durability", "admin")
    finally:
        await store.close()
    port = free_port()
    env = os.environ | {"HAILONG_DB": url, "HAILONG_PORT": str(port), "HAILONG_ACCESS_LOG": "0"} | UNLIMITED
    tally, token = Tally(), ""
    for round_ in range(kills + 1):
        with served(hailong_serve(), env, port, folder / f"server-{round_}.log") as server:
            token = token or await _setup(server.base, admin)
            last = round_ == kills

            async def kill_later(proc: object = server.proc) -> None:
                await asyncio.sleep(seconds * 0.75)
                proc.send_signal(signal.SIGKILL)  # type: ignore[attr-defined]
                tally.kills += 1

            jobs = [_load(server.base, token, tally, clients, seconds)]
            if not last:
                jobs.append(kill_later())
            await asyncio.gather(*jobs)
            if last:  # the server stays up: every rating still unanswered is delivered
                while tally.unanswered:
                    await _load(server.base, token, tally, clients, seconds)
    await _count(url, tally)
    return tally


def _stores(names: list[str]) -> list[tuple[str, AbstractContextManager[str]]]:
    found: list[tuple[str, AbstractContextManager[str]]] = []
    for name in names:
        if name == "sqlite":
            folder = tempfile.mkdtemp(prefix="hailong-durability-")
            found.append((name, nullcontext(f"sqlite:///{folder}/durability.db")))
        else:
            from tests.pg import base_pg_url, temp_schema

            found.append((name, temp_schema(base_pg_url())))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.durability", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs per store (at least 3 for the bar)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent kiosk clients")
    parser.add_argument("--seconds", type=float, default=2.0, help="load between kills")
    args = parser.parse_args(argv)
    failed = False
    print(f"{'store':<11} {'kills':>5} {'sent':>8} {'acknowledged':>12} {'stored':>8} {'lost':>5} {'duplicated':>10}")
    for name, url_context in _stores(args.stores.split(",")):
        with url_context as url, tempfile.TemporaryDirectory() as folder:
            tally = asyncio.run(run(url, Path(folder), args.kills, args.clients, args.seconds))
        duplicated = tally.stored - tally.distinct
        failed |= bool(tally.lost or duplicated)
        print(
            f"{name:<11} {tally.kills:>5} {tally.sent:>8,} {len(tally.acknowledged):>12,} {tally.stored:>8,}"
            f" {tally.lost:>5} {duplicated:>10}",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
