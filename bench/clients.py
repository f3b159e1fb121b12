"""What the ingest benchmark sends: the bodies real clients send, with a province's mix.

``KIOSK_FIELDS`` is the body the kiosk page builds in ``finish()`` (kiosk/static/app.js), in its order;
tests/unit/test_bench_clients.py reads app.js and fails when the two differ. Bodies are written as
templates, one JSON object a line, with ``@KEY@`` where wrk puts a fresh time-ordered key (UUIDv7, as the
kiosk makes them) and ``@DOSSIER@`` where it puts the next registered, not yet rated dossier code.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from api.demo.comments import comment

# Always sent, then sent when present: the order of finish() in kiosk/static/app.js.
KIOSK_FIELDS = ("idempotency_key", "counter", "level", "reasons", "client_time", "time_to_tap_ms")
KIOSK_OPTIONAL = ("comment", "dossier_code")
INTEGRATOR_FIELDS = ("idempotency_key", "counter", "level", "reasons", "client_time")
INTEGRATOR_OPTIONAL = ("comment", "dossier_code")

KIOSK_REASONS = ("waiting", "guidance", "attitude", "documents", "fees", "late", "facilities", "online")
NOT_SATISFIED_SHARE = 0.10  # "Không hài lòng", with reasons and a comment
DOSSIER_SHARE = 0.20  # the code of a registered dossier not yet rated (scanned from the receipt)
DOSSIER_CODE = "000.00.99.H36-261201-{:07d}"  # the bench's dossiers, registered at the kiosk's unit


def _client_time(rng: random.Random) -> str:
    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC) + timedelta(seconds=rng.randrange(8 * 3600))
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # as toISOString() writes it


def _unhappy(rng: random.Random) -> tuple[int, list[str], str]:
    reasons = sorted(rng.sample(KIOSK_REASONS, rng.choice((1, 1, 2, 3))))
    return 1, reasons, comment(rng, reasons[0])[:500]


def kiosk_bodies(counter: str, count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """Bodies as the kiosk page builds them for its own counter."""
    rng = random.Random(seed)
    for _ in range(count):
        level, reasons, text = 0, [], ""
        if rng.random() < NOT_SATISFIED_SHARE:
            level, reasons, text = _unhappy(rng)
        else:
            level = rng.choice((2, 3, 3))
        values: dict[str, object] = {
            "idempotency_key": "@KEY@",
            "counter": counter,
            "level": level,
            "reasons": reasons,
            "client_time": _client_time(rng),
            "time_to_tap_ms": rng.randint(1500, 9000),
        }
        body = {name: values[name] for name in KIOSK_FIELDS}
        if text:
            body["comment"] = text
        if rng.random() < DOSSIER_SHARE:
            body["dossier_code"] = "@DOSSIER@"
        yield body


def integrator_bodies(counters: Sequence[str], home: str, count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """Bodies as the one-stop system posts them: any counter of the province; those carrying a dossier
    name a counter of the unit the bench's dossiers belong to (``home``)."""
    rng = random.Random(seed)
    for _ in range(count):
        with_dossier = rng.random() < DOSSIER_SHARE
        level, reasons, text = _unhappy(rng) if rng.random() < NOT_SATISFIED_SHARE else (rng.choice((2, 3)), [], "")
        values: dict[str, object] = {
            "idempotency_key": "@KEY@",
            "counter": home if with_dossier else rng.choice(counters),
            "level": level,
            "reasons": reasons,
            "client_time": _client_time(rng),
        }
        body = {name: values[name] for name in INTEGRATOR_FIELDS}
        if text:
            body["comment"] = text
        if with_dossier:
            body["dossier_code"] = "@DOSSIER@"
        yield body


def write_templates(path: str, bodies: Iterator[dict[str, object]]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for body in bodies:
            out.write(json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count
