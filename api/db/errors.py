"""Constraint violations from either store, recognised and described the same way.

SQLite raises ``sqlite3.IntegrityError`` ("UNIQUE constraint failed: ratings.idempotency_key");
asyncpg raises a subclass of ``IntegrityConstraintViolationError`` whose ``detail`` names the key
("Key (idempotency_key)=(k1) already exists."). Domain code catches ``Exception``, asks
``is_integrity_error`` and, when it needs to know which rule was broken, ``integrity_violation``::

    try:
        await store.write(insert_rating)
    except Exception as exc:
        if (v := integrity_violation(exc)) and v.kind == "unique" and v.columns == ("idempotency_key",):
            ...

asyncpg is never imported here: an asyncpg exception can only exist once asyncpg is loaded.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import sys

_SQLITE = re.compile(r"^(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?::\s*(.*))?$")
_PG_KINDS = {"23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check"}
_PG_KEY = re.compile(r"^Key \((.*?)\)=")
_log = logging.getLogger("hailong.db")


class IntegrityViolation(Exception):
    """A broken database constraint, in store-neutral terms.

    ``kind`` is "unique", "foreign_key", "not_null", "check" or "other"; ``table`` and ``columns``
    are filled in where the store says which (SQLite names no columns for a foreign key or a table
    CHECK); ``constraint`` is PostgreSQL's constraint name, or SQLite's own text after the colon.
    """

    def __init__(
        self,
        kind: str,
        *,
        table: str = "",
        columns: tuple[str, ...] = (),
        constraint: str = "",
        message: str = "",
    ) -> None:
        super().__init__(message or f"{kind} constraint violated")
        self.kind = kind
        self.table = table
        self.columns = columns
        self.constraint = constraint


def _asyncpg_integrity_class() -> type[BaseException] | None:
    asyncpg = sys.modules.get("asyncpg")
    return None if asyncpg is None else asyncpg.IntegrityConstraintViolationError  # type: ignore[no-any-return]


def is_integrity_error(exc: BaseException) -> bool:
    """True for a constraint violation raised by either store (or already an IntegrityViolation)."""
    if isinstance(exc, IntegrityViolation | sqlite3.IntegrityError):
        return True
    pg = _asyncpg_integrity_class()
    return pg is not None and isinstance(exc, pg)


def integrity_violation(exc: BaseException) -> IntegrityViolation | None:
    """Describe ``exc`` as an IntegrityViolation, or None when it is not one."""
    if isinstance(exc, IntegrityViolation):
        return exc
    if isinstance(exc, sqlite3.IntegrityError):
        return _from_sqlite(exc)
    pg = _asyncpg_integrity_class()
    if pg is not None and isinstance(exc, pg):
        return _from_asyncpg(exc)
    return None


def _from_sqlite(exc: sqlite3.IntegrityError) -> IntegrityViolation:
    message = str(exc)
    match = _SQLITE.match(message)
    if not match:
        return IntegrityViolation("other", message=message)
    kind = match[1].lower().replace(" ", "_")
    detail = (match[2] or "").strip()
    table = ""
    columns: tuple[str, ...] = ()
    if kind in ("unique", "not_null") and detail:
        qualified = [part.strip() for part in detail.split(",")]
        table = qualified[0].split(".", 1)[0]
        columns = tuple(part.split(".", 1)[-1] for part in qualified)
    return IntegrityViolation(kind, table=table, columns=columns, constraint=detail, message=message)


def _from_asyncpg(exc: BaseException) -> IntegrityViolation:
    kind = _PG_KINDS.get(str(getattr(exc, "sqlstate", "")), "other")
    table = str(getattr(exc, "table_name", "") or "")
    columns: tuple[str, ...] = ()
    key = _PG_KEY.match(str(getattr(exc, "detail", "") or ""))
    if key and kind in ("unique", "foreign_key"):
        columns = tuple(col.strip().strip('"') for col in key[1].split(","))
    elif kind == "not_null" and getattr(exc, "column_name", None):
        columns = (str(exc.column_name),)  # type: ignore[attr-defined]
    constraint = str(getattr(exc, "constraint_name", "") or "")
    return IntegrityViolation(kind, table=table, columns=columns, constraint=constraint, message=str(exc))


# SQLite's words for a store that cannot take writes now (the file, the disk or the lock), not for bad SQL.
_SQLITE_UNAVAILABLE = (
    "readonly",
    "read-only",
    "disk is full",
    "database or disk is full",
    "disk i/o error",
    "malformed",
    "not a database",
    "unable to open",
    "locked",
    "no such table",  # the file was replaced or emptied under the running service
)


def unavailable_reason(exc: BaseException) -> str | None:
    """One line saying why the store cannot take work now, or None when ``exc`` is something else
    (bad input, a bug). For SQLite: a read-only or damaged file, a full disk, I/O errors; for
    PostgreSQL: a lost or refused connection, a server shutting down, a read-only standby."""
    from api.db.base import StoreError

    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError
    ):
        text = str(exc).lower()
        return f"SQLite: {exc}" if any(word in text for word in _SQLITE_UNAVAILABLE) else None
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is not None:
        lost = (
            asyncpg.PostgresConnectionError,
            asyncpg.InterfaceError,
            asyncpg.CannotConnectNowError,
            asyncpg.TooManyConnectionsError,
            asyncpg.AdminShutdownError,
            asyncpg.ReadOnlySQLTransactionError,
            asyncpg.InsufficientResourcesError,
        )
        if isinstance(exc, lost):
            return f"PostgreSQL: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    if isinstance(exc, ConnectionError | TimeoutError | OSError):
        return f"{type(exc).__name__}: {exc}"
    return None


class StoreHealth:
    """Whether a store takes work: one log line when that changes, not a traceback per failed request."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.down: str | None = None
        self.failures = 0

    def failed(self, reason: str) -> None:
        self.failures += 1
        if reason != self.down:
            _log.error("store %s cannot take work: %s", self.name, reason)
            self.down = reason

    @property
    def damaged(self) -> bool:
        """The last failure said the file is damaged (only a restore mends that)."""
        down = (self.down or "").lower()
        return "malformed" in down or "not a database" in down

    def recovered(self) -> None:
        """Work succeeded again. A damaged file stays so (a write to a whole page proves nothing) until the
        service restarts, after a restore."""
        if self.down is not None and not self.damaged:
            _log.warning("store %s takes work again (%d failed requests meanwhile)", self.name, self.failures)
            self.down, self.failures = None, 0
