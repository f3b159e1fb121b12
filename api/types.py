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


def to_ms(value: datetime) -> int:
    """An aware datetime as UTC epoch milliseconds (naive datetimes are refused earlier)."""
    return int(value.timestamp() * 1000)


def from_ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)


def aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        from api.errors import Invalid  # here, not at the top: this module stays free of the web framework

        raise Invalid(f"{field} needs a time zone offset, e.g. 2026-03-01T08:30:00+07:00")
    return value
