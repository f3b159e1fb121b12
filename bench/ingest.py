"""``just bench ingest``: what storing a rating costs one server worker, against a no-storage reference.

    python -m bench.ingest [--client kiosk|integrator] [--db URL] [--workers N] [--concurrency 32]
                           [--duration 10] [--rounds 3]

Fills a fresh database (a temp SQLite file unless ``--db``) with the small demo province, gives one kiosk a
device token (or makes an integrator key) and registers dossiers at the kiosk's unit, then starts two
servers with the same uvicorn flags: the product (``api.serve:asgi_app``, as ``hailong serve`` runs it) and
the reference (bench/reference.py: the same Struct decoded, nothing stored). wrk (bench/ingest.lua) sends
the bodies the client really sends (bench/clients.py: the kiosk's own fields and counter; 10 % "Không hài
lòng" with reasons and a comment; 20 % with an unrated dossier's code), alternating the two servers;
medians are reported. The CPU ratio (reference CPU per request ÷ product CPU per request) is the figure to
compare: it is steadier than req/s on a shared machine. Every rating the product acknowledged (201) must be
in the database afterwards: the script exits 1 if any is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.durability import UNLIMITED
from tests.live import free_port, served

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("ingest.lua")
RATIO_BAR, P99_BAR_MS = 0.85, 25.0
DAY_MS = 86_400_000


@dataclass
class Run:
    rate: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    requests: int = 0
    cpu_us: float = 0.0  # server CPU (user + system) per request: steadier than req/s on a busy machine
    dossiers: int = 0  # dossier codes the run used up


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children, e.g. uvicorn's workers (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return own + sum(cpu_seconds(int(child)) for child in children)


def _ms(text: str) -> float:
    value, unit = float(re.sub(r"[a-z]+$", "", text)), re.sub(r"^[\d.]+", "", text)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(out: str) -> Run:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1])  # type: ignore[index]
    found = re.search(r"STATUS (.*)", out)
    statuses = dict(kv.split("=") for kv in found[1].split()) if found else {}
    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    used = re.search(r"DOSSIERS (\d+)", out)
    return Run(rate, p50, p99, {k: int(v) for k, v in statuses.items()}, total, dossiers=int(used[1]) if used else 0)


@dataclass
class Setup:
    token: str  # the kiosk's device token, or the integrator's API key
    templates: str  # file of body templates (bench/clients.py)


async def prepare(url: str, client: str, dossiers: int, templates: str) -> Setup:
    """Demo data, the client's credential, ``dossiers`` unrated dossiers at the kiosk's unit, templates."""
    from api.apikeys.service import create_key
    from api.auth import digest, new_secret
    from api.db import open_store
    from api.db.migrate import migrate
    from api.demo import fill_demo
    from bench.clients import DOSSIER_CODE, integrator_bodies, kiosk_bodies, write_templates

    store = open_store(url)
    await store.open()
    try:
        await migrate(store)
        await fill_demo(store, scale="small", seed=7)
        kiosk = await store.fetch_one(
            "SELECT c.code, c.unit_id FROM devices d JOIN counters c ON c.id = d.counter_id WHERE d.id = 1"
        )
        procedure = await store.fetch_one("SELECT min(id) AS id FROM procedures")
        assert kiosk is not None and procedure is not None
        now = int(time.time() * 1000)
        rows = [
            {
                "code": DOSSIER_CODE.format(n),
                "unit": kiosk["unit_id"],
                "proc": procedure["id"],
                "at": now,
                "due": now + DAY_MS,
            }
            for n in range(dossiers)
        ]
        sql = (
            "INSERT INTO dossiers (code, unit_id, procedure_id, channel, received_at, due_at, created_at, updated_at)"
            " VALUES (:code, :unit, :proc, 'direct', :at, :due, :at, :at)"
        )
        await store.write(lambda tx: tx.execute_many(sql, rows))
        if client == "kiosk":
            token = new_secret("hd")
            await store.write(
                lambda tx: tx.execute("UPDATE devices SET token_hash = :h WHERE id = 1", {"h": digest(token)})
            )
            write_templates(templates, kiosk_bodies(kiosk["code"], 5000))
        else:
            token = await create_key(store, "bench integrator", "integrator")
            counters = [r["code"] for r in await store.fetch_all("SELECT code FROM counters WHERE active ORDER BY id")]
            write_templates(templates, integrator_bodies(counters, kiosk["code"], 5000))
        return Setup(token, templates)
    finally:
        await store.close()


async def count_ratings(url: str) -> int:
    from api.db import open_store

    store = open_store(url)
    await store.open()
    try:
        row = await store.fetch_one("SELECT count(*) AS n FROM ratings")
        return int(row["n"]) if row else 0
    finally:
        await store.close()


def server_command(target: str, port: int, workers: int, factory: bool) -> list[str]:
    cmd = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    return [*cmd, "--factory"] if factory else cmd


def wrk(
    server: tuple[int, int], args: argparse.Namespace, setup: Setup, offset: int, seconds: int, *, script: bool = True
) -> Run:
    """One wrk run against (port, pid); the run's CPU cost is read from the server process."""
    port, pid = server
    cmd = [args.wrk, f"-t{args.threads}", f"-c{args.concurrency}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    cpu_before = cpu_seconds(pid)
    if script:
        from bench.clients import DOSSIER_CODE

        code_format = DOSSIER_CODE.replace("{:07d}", "%07d")
        nonce = str(secrets.randbelow(10**9))
        cmd += ["-s", str(LUA), f"http://127.0.0.1:{port}", "--", setup.token, nonce, setup.templates]
        cmd += [str(offset), code_format, str(args.threads)]
    else:
        cmd += [f"http://127.0.0.1:{port}/healthz"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    run = parse_wrk(done.stdout)
    run.cpu_us = (cpu_seconds(pid) - cpu_before) * 1e6 / max(1, run.requests)
    return run


def line(name: str, runs: list[Run]) -> str:
    rate = statistics.median(r.rate for r in runs)
    p50 = statistics.median(r.p50_ms for r in runs)
    p99 = statistics.median(r.p99_ms for r in runs)
    cpu = statistics.median(r.cpu_us for r in runs)
    rounds = " ".join(f"{r.rate:,.0f}" for r in runs)
    return f"{name:<22} {rate:>7,.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  cpu {cpu:5.0f} µs/req  ({rounds})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a fresh temp SQLite file)")
    parser.add_argument("--workers", type=int, default=1, help="server workers (SQLite: 1)")
    parser.add_argument("--concurrency", type=int, default=32, help="open connections (clients)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating reference/product rounds")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    parser.add_argument("--client", choices=("kiosk", "integrator"), default="kiosk", help="whose requests to send")
    args = parser.parse_args(argv)
    tmp = tempfile.TemporaryDirectory(prefix="hailong-bench-")
    url = args.db or f"sqlite:///{tmp.name}/bench.db"
    if url.startswith("sqlite") and args.workers != 1:
        parser.error("SQLite has one writer per file: --workers 1 (use --db postgresql://… for more)")
    print(f"preparing {url} (small demo province, {args.client} credential, unrated dossiers)…", flush=True)
    dossiers = int(0.2 * 9000 * (2 + args.rounds * args.duration) * 1.3)  # enough at 9,000 ratings/s
    setup = asyncio.run(prepare(url, args.client, dossiers, f"{tmp.name}/bodies.jsonl"))
    before = asyncio.run(count_ratings(url))
    env = {**os.environ, "HAILONG_DB": url, "HAILONG_ACCESS_LOG": "0", "PYTHONPATH": str(ROOT)} | UNLIMITED
    logs = Path(tmp.name) / "product.log", Path(tmp.name) / "reference.log"
    ports = free_port(), free_port()
    stack = contextlib.ExitStack()
    product = stack.enter_context(
        served(server_command("api.serve:asgi_app", ports[0], args.workers, True), env, ports[0], logs[0])
    )
    reference = stack.enter_context(
        served(
            server_command("bench.reference:app", ports[1], args.workers, False),
            env,
            ports[1],
            logs[1],
            ready="/schema/openapi.json",
        )
    )
    servers = {"product": (ports[0], product.proc.pid), "reference": (ports[1], reference.proc.pid)}
    acknowledged = offset = 0
    runs: dict[str, list[Run]] = {"reference": [], "product": []}

    def measure(name: str, seconds: int) -> Run:
        nonlocal acknowledged, offset
        run = wrk(servers[name], args, setup, offset, seconds)
        if name == "product":
            acknowledged += run.statuses.get("201", 0)
            offset += run.dossiers
        if run.statuses.get("5xx") or run.statuses.get("4xx"):
            print(f"  {name}: unexpected statuses {run.statuses}", flush=True)
        return run

    try:
        for name in ("reference", "product"):  # warm-up, not reported
            measure(name, 2)
        for _ in range(args.rounds):
            for name in ("reference", "product"):
                runs[name].append(measure(name, args.duration))
        health = wrk(servers["product"], args, setup, 0, min(args.duration, 5), script=False)
    finally:
        stack.close()
    stored = asyncio.run(count_ratings(url)) - before
    ref_rate = statistics.median(r.rate for r in runs["reference"])
    prod_rate = statistics.median(r.rate for r in runs["product"])
    p99 = statistics.median(r.p99_ms for r in runs["product"])
    ratio = prod_rate / ref_rate if ref_rate else 0.0
    cpu_ref = statistics.median(r.cpu_us for r in runs["reference"])
    cpu_prod = statistics.median(r.cpu_us for r in runs["product"])
    print(
        f"\ningest: {args.concurrency} connections, wrk -t{args.threads}, {args.duration:g} s x {args.rounds} rounds,"
        f" {args.workers} worker(s), {url.split('://')[0]}, {args.client} requests"
    )
    print(line("reference (no storage)", runs["reference"]))
    print(line("product POST /ratings", runs["product"]))
    print(line("GET /healthz", [health]))
    cpu_ratio = cpu_ref / cpu_prod if cpu_prod else 0.0
    verdict = "ok" if cpu_ratio >= RATIO_BAR else "BELOW"
    print(f"CPU ratio reference/product  {cpu_ratio:.2f}   (bar >= {RATIO_BAR}, aim 0.9)   {verdict}")
    pairs = [r.cpu_us / p.cpu_us for r, p in zip(runs["reference"], runs["product"], strict=True) if p.cpu_us]
    print(f"CPU ratio per round          {' '.join(f'{x:.2f}' for x in pairs)}   (two back to back each)")
    print(f"req/s ratio product/reference {ratio:.2f}   (noisier: the machine is shared)")
    verdict = "ok" if p99 <= P99_BAR_MS else "ABOVE"
    print(f"product p99              {p99:.2f} ms (bar <= {P99_BAR_MS:g} ms)   {verdict}")
    print(f"acknowledged (201)       {acknowledged:,}")
    print(f"stored (new rows)        {stored:,}   {'ok' if stored >= acknowledged else 'MISSING'}")
    tmp.cleanup()
    return 1 if acknowledged > stored else 0


if __name__ == "__main__":
    raise SystemExit(main())
