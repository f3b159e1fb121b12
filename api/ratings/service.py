"""Counter ratings: stored once per idempotency key and once per dossier; the officer is the server's call."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from functools import cache
from typing import Any

from api.auth import Principal
from api.counters.service import require as require_counter
from api.db import Row, Store, Tx, now_ms
from api.errors import Conflict, DomainError, Forbidden, Invalid, TooManyRequests
from api.instruments.loader import counter_instrument
from api.officers.service import require as require_officer
from api.ratelimits import Buckets
from api.ratings import queries
from api.ratings.schemas import RatingIn, RatingOut, RatingPage
from api.settings import Settings
from api.types import aware, from_ms, to_ms
from api.units.service import require_id as require_unit


@cache
def reason_codes(scale: int) -> frozenset[str]:
    """The reason codes of the counter instrument for this scale, from its checked instrument file."""
    return frozenset(reason.code for reason in counter_instrument(scale).reasons)


def to_out(row: Row, reasons: list[str], created: datetime | None = None) -> RatingOut:
    """The answer for a stored rating; ``created`` spares the conversion when a batch shares one instant."""
    created = created or from_ms(row["created_at"])
    assert created is not None
    return RatingOut(
        id=int(row["id"]),
        idempotency_key=row["idempotency_key"],
        instrument=row["instrument"],
        unit=row["unit"],
        counter=row["counter"],
        officer=row["officer"],
        dossier_code=row["dossier_code"],
        level=int(row["level"]),
        scale=int(row["scale"]),
        reasons=reasons,
        comment=row["comment"],
        source=row["source"],
        device=row["device"],
        created_at=created,
        client_time=from_ms(row["client_time"]),
        time_to_tap_ms=row["time_to_tap_ms"],
    )


async def _existing(tx: Tx, key: str) -> RatingOut | None:
    row = await queries.by_key(tx, key)
    if row is None:
        return None
    return to_out(row, (await queries.reasons_of(tx, [int(row["id"])])).get(int(row["id"]), []))


Item = tuple[Principal, RatingIn]
Result = tuple[RatingOut, bool]


def _check(who: Principal, data: RatingIn) -> None:
    if who.role != "device" and data.counter is None:
        raise Invalid("counter is required", errors=[{"key": "counter", "message": "required"}])
    if data.reasons:
        unknown = sorted(set(data.reasons) - reason_codes(3) - reason_codes(5))
        if unknown:
            raise Invalid(f"unknown reason codes: {', '.join(unknown)}", code="unknown-reason")


async def store_batch(tx: Tx, items: list[Item]) -> list[Result | BaseException]:
    """Store many ratings in ``tx``: one result per item, (rating, created) or the error for that item.

    The common case costs two small look-ups for the whole batch (its counters with their unit and
    officer on duty, its dossiers) and one multi-row INSERT. Anything unusual (a replayed key, a bad
    code, a second rating for a dossier, a level above the scale) is handled one by one by
    ``_submit_checked``, which finds out what and says so. Domain errors are raised before anything
    is written, so one item's error leaves the others' rows alone.
    """
    results: list[Result | BaseException | None] = [None] * len(items)
    slow: list[int] = []
    for n, (who, data) in enumerate(items):
        try:
            _check(who, data)
        except DomainError as exc:
            results[n] = exc
    live = [n for n in range(len(items)) if results[n] is None]
    counters = await queries.counters_for(
        tx,
        ids={items[n][0].counter_id for n in live if items[n][0].role == "device"} - {None},  # type: ignore[arg-type]
        codes={items[n][1].counter for n in live if items[n][0].role != "device"} - {None},  # type: ignore[arg-type]
    )
    wanted = {items[n][1].dossier_code for n in live} - {None}
    dossiers = await queries.dossiers_for(tx, wanted) if wanted else {}  # type: ignore[arg-type]
    rows: list[dict[str, Any]] = []
    fresh: dict[str, tuple[int, dict[str, Any]]] = {}
    seen: dict[str, int] = {}
    now = now_ms()
    created = from_ms(now)
    for n in live:
        who, data = items[n]
        key = str(data.idempotency_key)
        if key in seen:  # the same key twice in one batch: settled as a replay below
            continue
        try:
            row = _fast_row(who, data, key, counters, dossiers, now)
        except DomainError as exc:
            results[n] = exc
            continue
        if row is None:
            slow.append(n)
            continue
        seen[key] = n
        rows.append(row)
        fresh[key] = (n, row)
    inserted = await queries.insert_many(tx, rows) if rows else {}
    reasons: list[tuple[int, str]] = []
    first: dict[str, RatingOut] = {}
    for key, (n, row) in fresh.items():
        rating_id = inserted.get(key)
        if rating_id is None:  # lost to a stored key or a rated dossier: find out which, alone
            slow.append(n)
            continue
        who, data = items[n]
        chosen = sorted(set(data.reasons))
        reasons += [(rating_id, code) for code in chosen]
        row["id"] = rating_id
        first[key] = to_out(row, chosen, created)
        results[n] = (first[key], True)
    if reasons:
        await queries.insert_reasons_many(tx, reasons)
    for n in sorted(slow):
        try:
            results[n] = await _submit_checked(tx, *items[n])
        except DomainError as exc:
            results[n] = exc
    for n in live:
        if results[n] is None:  # a repeated key in the batch
            key = str(items[n][1].idempotency_key)
            results[n] = (first[key], False) if key in first else results[seen[key]]
    return [r for r in results if r is not None]


def _fast_row(
    who: Principal, data: RatingIn, key: str, counters: dict[Any, Row], dossiers: dict[str, Row], now: int
) -> dict[str, Any] | None:
    """The row to insert, or None when the slow path must look at this rating. A kiosk sends its own
    counter's code in every rating: that is the common case, checked here; another counter is refused."""
    device = who.role == "device"
    counter = counters.get(("id", who.counter_id) if device else ("code", data.counter))
    if counter is None or not counter["active"] or data.level > int(counter["rating_scale"]):
        return None
    if device and data.counter is not None and data.counter != counter["code"]:
        raise _foreign_counter(counter["code"], data.counter)
    dossier = None
    if data.dossier_code is not None:
        dossier = dossiers.get(data.dossier_code)
        if dossier is None or dossier["unit_id"] != counter["unit_id"]:  # elsewhere in the tree: slow path
            return None
    return _build_row(who, data, key, counter, dossier, now)


def _build_row(who: Principal, data: RatingIn, key: str, counter: Row, dossier: Row | None, now: int) -> dict[str, Any]:
    """The ratings row, and the codes the answer shows: the officer is the dossier's receiving officer,
    else the one on duty at the counter; never the client's say."""
    officer_id, officer = counter["officer_id"], counter["officer"]
    if dossier is not None and dossier["officer_id"] is not None:
        officer_id, officer = dossier["officer_id"], dossier["officer"]
    device = who.role == "device"
    scale = int(counter["rating_scale"])
    return {
        "idempotency_key": key,
        "instrument": f"counter-{scale}",
        "unit_id": counter["unit_id"],
        "counter_id": counter["id"],
        "officer_id": officer_id,
        "dossier_id": None if dossier is None else int(dossier["id"]),
        "device_id": who.id if device else None,
        "source": "kiosk" if device else "staff",
        "level": data.level,
        "scale": scale,
        "comment": (data.comment or "").strip() or None,
        "created_at": now,
        "client_time": to_ms(aware(data.client_time, "client_time")) if data.client_time else None,
        "time_to_tap_ms": data.time_to_tap_ms,
        # for the answer only
        "unit": counter["unit"],
        "counter": counter["code"],
        "officer": officer,
        "dossier_code": data.dossier_code,
        "device": who.name if device else data.device,
    }


async def _submit_checked(tx: Tx, who: Principal, data: RatingIn) -> tuple[RatingOut, bool]:
    key = str(data.idempotency_key)
    replay = await _existing(tx, key)
    if replay is not None:
        return replay, False
    if who.role == "device":
        counter = await queries.counter_context(tx, counter_id=who.counter_id)
        if data.counter is not None and counter is not None and data.counter != counter["code"]:
            raise _foreign_counter(counter["code"], data.counter)
    else:
        counter = await queries.counter_context(tx, code=data.counter)
    if counter is None:
        raise Invalid(f"There is no counter with code {data.counter!r}.", code="unknown-counter")
    if not counter["active"]:
        raise Invalid(f"Counter {counter['code']!r} is closed (inactive).", code="inactive-counter")
    scale = int(counter["rating_scale"])
    if data.level > scale:
        raise Invalid(f"level {data.level} is above this unit's {scale}-level scale.", code="level-out-of-scale")
    unknown = sorted(set(data.reasons) - reason_codes(scale))
    if unknown:
        raise Invalid(f"unknown reason codes: {', '.join(unknown)}", code="unknown-reason")
    dossier = None
    if data.dossier_code is not None:
        dossier = await queries.dossier_context(tx, data.dossier_code)
        if dossier is None:
            raise Invalid(f"There is no dossier with code {data.dossier_code!r}.", code="unknown-dossier")
        if not await queries.unit_within(tx, int(dossier["unit_id"]), int(counter["unit_id"])):
            raise Invalid(
                f"Dossier {data.dossier_code!r} was received by another unit: it can be rated only at a counter"
                f" of that unit ({counter['code']!r} is not one).",
                code="dossier-of-another-unit",
            )
        if await queries.dossier_rated(tx, int(dossier["id"]), f"counter-{scale}"):
            raise _already_rated(data.dossier_code)
    row = _build_row(who, data, key, counter, dossier, now_ms())
    rating_id = (await queries.insert_many(tx, [row])).get(key)
    if rating_id is None:  # lost a race with another worker: same key, or same dossier
        replay = await _existing(tx, key)
        if replay is not None:
            return replay, False
        raise _already_rated(data.dossier_code or "")
    reasons = sorted(set(data.reasons))
    if reasons:
        await queries.insert_reasons_many(tx, [(rating_id, code) for code in reasons])
    return to_out(row | {"id": rating_id}, reasons), True


def _foreign_counter(own: str, named: str) -> Forbidden:
    return Forbidden(f"This kiosk belongs to counter {own!r}, not {named!r}; nothing was stored.")


def _already_rated(code: str) -> Conflict:
    return Conflict(
        f"Dossier {code!r} has already been rated at the counter; one rating per dossier.", code="already-rated"
    )


class RatingLimits:
    """How fast one kiosk or one API key may send ratings (api/ratelimits.py), per API worker."""

    def __init__(self, settings: Settings) -> None:
        self.devices = Buckets(settings.device_burst, settings.device_per_minute)
        self.keys = Buckets(settings.key_burst, settings.key_per_minute)

    def check(self, who: Principal) -> None:
        device = who.role == "device"
        wait = (self.devices if device else self.keys).take(who.id)
        if wait:
            whose = "this kiosk" if device else "this API key"
            raise TooManyRequests(
                f"Too many ratings from {whose}; nothing was stored. Send again after the Retry-After seconds.",
                retry_after=wait,
            )


async def submit(store: Store, who: Principal, data: RatingIn, limits: RatingLimits) -> tuple[RatingOut, bool]:
    limits.check(who)
    result: Result = await store.write_batched(store_batch, (who, data))
    return result


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{last_id}".encode()).decode().rstrip("=")


CURSOR_MAX = 2**63 - 1  # a BIGINT id: larger would overflow the store's integer


def decode_cursor(cursor: str) -> int:
    """The id a cursor from ``encode_cursor`` carries; anything else is refused (one spelling per id)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, binascii.Error):
        text = ""
    digits = text[1:]
    canonical = digits.isascii() and digits.isdigit() and (digits == "0" or not digits.startswith("0"))
    if not (text.startswith("r") and canonical and int(digits) <= CURSOR_MAX and encode_cursor(int(digits)) == cursor):
        raise Invalid("cursor is not one this API gave out; start again without it.", code="bad-cursor")
    return int(digits)


async def list_page(
    store: Store,
    *,
    counter: str | None,
    officer: str | None,
    unit: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    cursor: str | None,
) -> RatingPage:
    async def run(tx: Tx) -> tuple[list[Row], dict[int, list[str]]]:
        filters: dict[str, Any] = {"after": decode_cursor(cursor) if cursor else 0}
        if counter:
            filters["counter_id"] = (await require_counter(tx, counter))["id"]
        if officer:
            filters["officer_id"] = (await require_officer(tx, officer))["id"]
        if unit:
            filters["unit_id"] = await require_unit(tx, unit)
        if start:
            filters["from_ms"] = to_ms(aware(start, "from"))
        if end:
            filters["to_ms"] = to_ms(aware(end, "to"))
        rows = await queries.page(tx, filters, limit + 1)
        return rows, await queries.reasons_of(tx, [int(r["id"]) for r in rows[:limit]])

    rows, reasons = await store.read(run)
    items = [to_out(r, reasons.get(int(r["id"]), [])) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return RatingPage(items, next_cursor)
