"""``just bench dashboard``: p50/p95 of every dashboard route on the ``province`` demo (≈ 1 M ratings, SQLite).

    python -m bench.dashboard [--keep DIR] [--ratings 1000000] [--requests 100] [--district CODE]

Builds the demo (or reuses ``DIR/bench-RATINGS.db`` with ``--keep``; ``just bench analysis --keep DIR``
makes the same file), starts the real server (``hailong serve``, one worker), and asks each path of
``PATHS`` for the province and for one district with an admin key, one request at a time, two ways:
"computed": ``--periods`` requests for as many different periods (the last twelve months ending one day
earlier each time), each computed from the rollups, as after every change of the data; "kept": ``--requests``
requests for the same period, which a view answers from what it computed for the unchanged data. Targets
(issue 13): overview p95 ≤ 150 ms, every other page ≤ 300 ms, checked on the computed figures. Add a page
by adding its path to PATHS.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from tests.live import free_port, hailong_serve, served

# (name, path with {unit}, {first} and {last}, p95 target in ms)
PATHS: list[tuple[str, str, float]] = [
    ("overview", "/api/v1/overview?unit={unit}&from={first}&to={last}", 150.0),
    ("trends", "/api/v1/trends?unit={unit}&from={first}&to={last}", 300.0),
    ("drilldown", "/api/v1/drilldown?unit={unit}&from={first}&to={last}", 300.0),
    ("officer-scores", "/api/v1/officer-scores?unit={unit}&from={first}&to={last}", 300.0),
    ("heatmap", "/api/v1/heatmap?unit={unit}&from={first}&to={last}", 300.0),
    ("page overview", "/dashboard?unit={unit}&from={first}&to={last}", 150.0),
    ("page trends", "/dashboard/trends?unit={unit}&from={first}&to={last}", 300.0),
    ("page units", "/dashboard/units?unit={unit}&from={first}&to={last}", 300.0),
    ("page officers", "/dashboard/officers?unit={unit}&from={first}&to={last}", 300.0),
    ("page themes", "/dashboard/themes?unit={unit}&from={first}&to={last}", 300.0),
    ("page alerts", "/dashboard/alerts?unit={unit}", 300.0),
    ("page cases", "/dashboard/cases?unit={unit}", 300.0),
    ("page kiosks", "/dashboard/kiosks?unit={unit}", 300.0),
    ("page report", "/dashboard/report?unit={unit}&month={last:%Y-%m}", 300.0),
    ("public page", "/public/{unit}", 300.0),
]


async def _key(url: str) -> str:
    from api.apikeys.service import create_key
    from api.db import open_store
    from api.db.migrate import migrate

    store = open_store(url)
    await store.open()
    try:
        await migrate(store)
        return await create_key(store, "bench dashboard", "admin")
    finally:
        await store.close()


def _period(path: Path) -> tuple[date, date, str, str]:
    """The demo's last twelve months, its root unit and a district (the first by code)."""
    conn = sqlite3.connect(path)
    newest = conn.execute("SELECT max(created_at) FROM ratings").fetchone()[0]
    root = conn.execute("SELECT code FROM units WHERE parent_id IS NULL").fetchone()[0]
    district = conn.execute("SELECT code FROM units WHERE kind = 'district' ORDER BY code LIMIT 1").fetchone()[0]
    conn.close()
    last = datetime.fromtimestamp(newest / 1000, timezone(timedelta(hours=7))).date()
    year, month = (last.year, last.month - 11) if last.month > 11 else (last.year - 1, last.month + 1)
    return date(year, month, 1), last, str(root), str(district)


def _measure(client: object, url: str, count: int) -> tuple[float, list[float]]:
    import httpx

    assert isinstance(client, httpx.Client)
    times: list[float] = []
    for _ in range(count + 1):
        started = time.perf_counter()
        answer = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{url}: {answer.status_code} {answer.text[:300]}")
    return times[0], times[1:]


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    import httpx

    from bench.analysis import _fill

    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", default=None, help="folder of the demo database (reused if there)")
    parser.add_argument("--ratings", type=int, default=1_000_000, help="size of the demo (ratings)")
    parser.add_argument("--requests", type=int, default=100, help="requests per path and unit for one period")
    parser.add_argument("--periods", type=int, default=20, help="requests per path and unit, one period each")
    parser.add_argument("--district", default=None, help="district code (default: the first by code)")
    args = parser.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hailong-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{args.ratings}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        started = time.perf_counter()
        asyncio.run(_fill(url, args.ratings))
        print(f"generated {args.ratings:,} → {path} in {time.perf_counter() - started:.0f} s", flush=True)
    key = asyncio.run(_key(url))
    first, last, root, district = _period(path)
    district = args.district or district
    port = free_port()
    env = dict(os.environ)
    ok = True
    with served(
        hailong_serve("--db", url, "--port", str(port)), env, port, folder / "bench-dashboard.log", seconds=300
    ):
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
            client.get(f"/api/v1/heatmap?unit={root}&from={first}&to={last}")  # waits for the rollups to be current
            print(
                f"{args.ratings:,}-rating demo, {first} to {last}; computed: {args.periods} periods, "
                f"kept: {args.requests} requests"
            )
            head = f"{'computed p50':>12} {'p95 ms':>8} {'kept p50':>9} {'p95 ms':>7} {'target':>7}"
            print(f"{'path':<16} {'unit':<10} {head}")
            for index, (name, template, target) in enumerate(PATHS):
                for unit in (root, district):
                    # periods no other path asked for: a page never reuses the figures its data route kept
                    days = range(index * args.periods + 1, (index + 1) * args.periods + 1)
                    computed = [
                        _measure(client, template.format(unit=unit, first=first - shift, last=last - shift), 0)[0]
                        for shift in (timedelta(days=i) for i in days)
                    ]
                    _, kept = _measure(client, template.format(unit=unit, first=first, last=last), args.requests)
                    p95 = _p95(computed)
                    good = p95 <= target
                    ok &= good
                    print(
                        f"{name:<16} {unit:<10} {statistics.median(computed):12.1f} {p95:8.1f}"
                        f" {statistics.median(kept):9.1f} {_p95(kept):7.1f} {target:7.0f}"
                        f"{'' if good else '  over the target'}",
                        flush=True,
                    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
