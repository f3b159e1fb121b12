"""Constrained types shared by the domains, defined once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from msgspec import Meta

Code = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$(?!\n)",  # $ alone would let a trailing newline in
        description="Stable human code: letters, digits, '.', '_', '-', '/'",
    ),
]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Limit = Annotated[int, Meta(ge=1, le=1000)]
Title = Annotated[str, Meta(max_length=200, description="at most 200 characters")]
TimeZone = Annotated[str, Meta(min_length=1, max_length=64, description="an IANA time zone, e.g. Asia/Ho_Chi_Minh")]


def to_ms(value: datetime) -> int:
    """An aware datetime as UTC epoch milliseconds (naive datetimes are refused earlier)."""
    return int(value.timestamp() * 1000)


def from_ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)


# Every instant the API takes in lies in [1970-01-01, 2200-01-01) UTC once its offset is applied, so that
# everything stored can be read back and shown (0001-01-01+14:00 or 9999-12-31-14:00 cannot).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def aware(value: datetime, field: str) -> datetime:
    """``value`` if it has an offset and lies in the sane range; Invalid (422) otherwise."""
    from api.errors import Invalid  # here, not at the top: this module stays free of the web framework

    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"{field} needs a time zone offset, e.g. 2026-03-01T08:30:00+07:00")
    if not EARLIEST <= value < LATEST:  # compared as instants: the offset is applied first
        raise Invalid(
            f"{field} {value.isoformat()} is out of range: instants lie from {EARLIEST:%Y-%m-%d} to before"
            f" {LATEST:%Y-%m-%d} (UTC).",
            code="out-of-range",
            errors=[{"key": field, "message": "out of range"}],
        )
    return value
