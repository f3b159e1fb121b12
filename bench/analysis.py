"""``just bench analysis``: the numbers part of ``hailong analyze`` at 100 k, 300 k and 1 M ratings.

    python -m bench.analysis [--sizes 100000,300000,1000000] [--stores sqlite,postgresql] [--pg URL] [--keep DIR]

For each size the demo generator fills a SQLite file with one year of the province at a yearly volume that
gives about that many ratings (≈ 30 % with a comment); for PostgreSQL the same rows are copied into a fresh
schema (``hailong store copy``). Then ``hailong analyze`` runs in a child process of its own, timed: wall
time, peak memory (the child's ru_maxrss), time per rating, and the ratio per-rating@largest ÷ per-rating@
smallest. Targets (issue 11): at 1 M ratings the numbers part (gather + compute, as ``hailong analyze``
prints them) ≤ 15 s, the whole run with the comment analysis ≤ 60 s and ≤ 2 GB; ratio ≤ 1.2.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NUMBERS_BAR_S, WALL_BAR_S, MEMORY_BAR_MB, RATIO_BAR = 15.0, 60.0, 2048.0, 1.2
RATINGS_PER_DOSSIER = 0.93  # measured on the province demo: ratings ≈ 0.93 × dossiers
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


async def _fill(url: str, ratings: int) -> None:
    from api.db import open_store
    from api.db.migrate import migrate
    from api.demo import fill_demo

    store = open_store(url)
    await store.open()
    try:
        await migrate(store)
        await fill_demo(store, scale="province", seed=7, dossiers=int(ratings / RATINGS_PER_DOSSIER))
    finally:
        await store.close()


def _pg_schema(base: str, name: str) -> str:
    import asyncpg

    async def make() -> None:
        conn = await asyncpg.connect(base)
        await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")
        await conn.close()

    asyncio.run(make())
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}search_path={name}"


def analyze(url: str, out: Path) -> tuple[float, float, float, float]:
    """Run ``hailong analyze`` in a child process: (wall seconds, its CPU seconds, peak resident MB). On a
    shared machine the child's CPU time is the steadier figure; PostgreSQL's own work is in the wall time."""
    code = "from api.cli import main; raise SystemExit(main())"
    cmd = [sys.executable, "-c", code, "analyze", "--db", url, "--out", str(out)]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    err = child.stderr.read().decode() if child.stderr else ""
    if status != 0:
        raise SystemExit(f"hailong analyze failed on {url}:\n{err}")
    timing = [line for line in err.splitlines() if line.startswith("analyze: gather")]
    print(f"    {timing[0] if timing else ''}")
    parts = dict(re.findall(r"(\w+) ([\d.]+) s", timing[0])) if timing else {}
    numbers = float(parts.get("gather", "nan")) + float(parts.get("compute", "nan"))  # without the comments
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,300000,1000000", help="ratings per run, comma-separated")
    parser.add_argument("--stores", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--pg", default=os.environ.get("HAILONG_TEST_PG", PG_URL), help="PostgreSQL server URL")
    parser.add_argument("--keep", default=None, help="keep the generated databases in this folder (reused if there)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    stores = args.stores.split(",")
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hailong-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[tuple[int, float, float, float]]] = {s: [] for s in stores}
    for size in sizes:
        path = folder / f"bench-{size}.db"
        if not path.exists():
            started = time.perf_counter()
            asyncio.run(_fill(f"sqlite:///{path}", size))
            print(f"generated {size:,} → {path} in {time.perf_counter() - started:.0f} s", flush=True)
        conn = sqlite3.connect(path)
        ratings = conn.execute("SELECT count(*) FROM ratings").fetchone()[0]
        comments = conn.execute("SELECT avg(comment IS NOT NULL) FROM ratings").fetchone()[0]
        conn.close()
        print(f"{ratings:,} ratings ({comments:.0%} with a comment)", flush=True)
        for store in stores:
            url = f"sqlite:///{path}"
            if store == "postgresql":
                from api.db.copy import copy_store

                url = _pg_schema(args.pg, f"bench_analysis_{size}")
                asyncio.run(copy_store(f"sqlite:///{path}", url, force=True, batch=5000, progress=None))
            wall, cpu, peak, numbers = analyze(url, folder / f"out-{store}-{size}")
            results[store].append((ratings, wall, peak, numbers))
            print(
                f"  {store:<10} numbers {numbers:6.2f} s  whole run {wall:6.2f} s wall  {cpu:6.2f} s CPU"
                f"  {peak:7.0f} MB  {wall / ratings * 1e6:6.2f} µs/rating (wall)",
                flush=True,
            )
    ok = True
    for store, runs in results.items():
        if len(runs) < 2:
            continue
        (n0, w0, _, _), (n1, w1, p1, numbers) = runs[0], runs[-1]
        ratio = (w1 / n1) / (w0 / n0)
        big = n1 >= 900_000
        within = numbers <= NUMBERS_BAR_S and w1 <= WALL_BAR_S and p1 <= MEMORY_BAR_MB
        good = ratio <= RATIO_BAR and (not big or within)
        ok &= good
        print(f"{store}: per-rating@{n1:,} ÷ per-rating@{n0:,} = {ratio:.2f} ({'ok' if good else 'over the bar'})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
