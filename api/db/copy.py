"""``hailong store copy SRC DST``: move a whole deployment between stores (SQLite ⇄ PostgreSQL).

The destination is migrated, then every data table is streamed in foreign-key order, in batches read
by keyset on the primary key (two batches in memory at most: one being read, one being written), ids
preserved. PostgreSQL identity sequences are moved past the copied ids. Each table is then verified:
its row count and an order-independent checksum (the sum mod 2**64 of a 64-bit BLAKE2b hash of each
row's canonical encoding) computed in Python from the source rows as they were read, and again from
a re-read of the destination. The table list and order come from the database catalogue, so tables
added by later migrations are copied without touching this module. Stop the service while copying.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from api.db.base import Row, Store, StoreError, Tx
from api.db.catalog import Table, load_tables
from api.db.migrate import load_migrations, migrate
from api.db.open import open_store, parse_db_url
from api.db.postgres import PostgresStore

Progress = Callable[[str, int, int], None]
_MASK = (1 << 64) - 1


class CopyError(StoreError):
    """The copy cannot start or cannot go on; one line for the operator."""


@dataclass
class TableReport:
    table: str
    source_rows: int = 0
    dest_rows: int = 0
    source_checksum: int = 0
    dest_checksum: int = 0
    counted_rows: int = 0  # COUNT(*) on the source before copying: detects writes during the copy

    @property
    def ok(self) -> bool:
        return self.source_rows == self.dest_rows == self.counted_rows and self.source_checksum == self.dest_checksum

    def line(self) -> str:
        verdict = "ok" if self.ok else "MISMATCH"
        return (
            f"{self.table:<24} {self.source_rows:>10} → {self.dest_rows:>10} rows  "
            f"checksum {self.source_checksum:016x} → {self.dest_checksum:016x}  {verdict}"
        )


@dataclass
class CopyReport:
    source: str
    destination: str
    tables: list[TableReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)

    @property
    def rows(self) -> int:
        return sum(t.dest_rows for t in self.tables)


class Checksum:
    """Row count and order-independent checksum, identical whichever store the rows came from."""

    def __init__(self) -> None:
        self.rows = 0
        self.value = 0

    def add(self, rows: Sequence[Row], columns: Sequence[str]) -> None:
        total = self.value
        for row in rows:
            values = tuple(_canonical(row[c]) for c in columns)
            digest = hashlib.blake2b(repr(values).encode(), digest_size=8).digest()
            total += int.from_bytes(digest, "big")
        self.value = total & _MASK
        self.rows += len(rows)


def _canonical(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    return value


def redact(url: str) -> str:
    """The URL without its password, for messages and reports."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_sql(table: Table, columns: Sequence[str], *, after: bool) -> str:
    cols = ", ".join(_q(c) for c in columns)
    key = ", ".join(_q(k) for k in table.key)
    where = ""
    if after:
        marks = ", ".join(f":k{i}" for i in range(len(table.key)))
        where = f" WHERE ({key}) > ({marks})" if len(table.key) > 1 else f" WHERE {key} > :k0"
    return f"SELECT {cols} FROM {_q(table.name)}{where} ORDER BY {key} LIMIT :limit"  # noqa: S608


async def _stream(store: Store, table: Table, columns: Sequence[str], batch: int) -> Any:
    """Yield the table's rows in key order, ``batch`` at a time (an async generator)."""
    params: dict[str, Any] = {"limit": batch}
    after = False
    while True:
        rows = await store.fetch_all(_select_sql(table, columns, after=after), params)
        if not rows:
            return
        yield rows
        last = rows[-1]
        params.update({f"k{i}": last[k] for i, k in enumerate(table.key)})
        after = True


async def _insert(dst: Store, table: Table, columns: Sequence[str], rows: list[Row]) -> None:
    nulled = set(table.self_refs)  # filled in by _link_self_refs once every row exists
    if isinstance(dst, PostgresStore):
        records = [tuple(None if c in nulled else row[c] for c in columns) for row in rows]
        await dst.copy_records(table.name, columns, records)
        return
    marks = ", ".join(f":p{i}" for i in range(len(columns)))
    sql = f"INSERT INTO {_q(table.name)} ({', '.join(_q(c) for c in columns)}) VALUES ({marks})"  # noqa: S608
    params = [{f"p{i}": None if c in nulled else row[c] for i, c in enumerate(columns)} for row in rows]

    async def insert(tx: Tx) -> None:
        await tx.execute_many(sql, params)

    await dst.write(insert)


async def _link_self_refs(src: Store, dst: Store, table: Table, batch: int) -> None:
    """Second pass for self-references (units.parent_id): the parent may come after the child."""
    columns = [*table.key, *table.self_refs]
    sets = ", ".join(f"{_q(c)} = :{c}" for c in table.self_refs)
    match = " AND ".join(f"{_q(k)} = :{k}" for k in table.key)
    sql = f"UPDATE {_q(table.name)} SET {sets} WHERE {match}"  # noqa: S608
    async for rows in _stream(src, table, columns, batch):
        linked = [r for r in rows if any(r[c] is not None for c in table.self_refs)]
        if linked:

            async def update(tx: Tx, linked: list[Row] = linked) -> None:
                await tx.execute_many(sql, linked)

            await dst.write(update)


async def _copy_table(src: Store, dst: Store, table: Table, batch: int, progress: Progress | None) -> TableReport:
    report = TableReport(table.name)
    report.counted_rows = int((await src.fetch_one(f"SELECT count(*) AS n FROM {_q(table.name)}"))["n"])  # type: ignore[index]  # noqa: S608
    columns = table.columns
    source = Checksum()
    writing: asyncio.Task[None] | None = None
    try:
        async for rows in _stream(src, table, columns, batch):
            source.add(rows, columns)
            if writing is not None:
                await writing
            writing = asyncio.create_task(_insert(dst, table, columns, rows))
            if progress:
                progress(table.name, source.rows, report.counted_rows)
        if writing is not None:
            await writing
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
    if table.self_refs:
        await _link_self_refs(src, dst, table, batch)
    dest = Checksum()
    async for rows in _stream(dst, table, columns, batch):
        dest.add(rows, columns)
    report.source_rows, report.source_checksum = source.rows, source.value
    report.dest_rows, report.dest_checksum = dest.rows, dest.value
    return report


async def _check_source_version(src: Store) -> None:
    known = {m.version for m in load_migrations()}
    try:
        rows = await src.fetch_all("SELECT version FROM schema_migrations")
    except Exception:
        raise CopyError(f"source {redact(src.url)} is not a hailong database (no schema_migrations table)") from None
    have = {int(r["version"]) for r in rows}
    if have - known:
        raise CopyError(f"source {redact(src.url)} has migrations this hailong does not know: upgrade hailong first")
    if known - have:
        raise CopyError(f"source {redact(src.url)} is not fully migrated: start hailong on it once, then copy")


async def _empty_destination(dst: Store, tables: list[Table], force: bool) -> None:
    used = []
    for t in tables:
        if await dst.fetch_one(f"SELECT 1 AS x FROM {_q(t.name)} LIMIT 1"):  # noqa: S608
            used.append(t.name)
    if not used:
        return
    if not force:
        raise CopyError(
            f"destination {redact(dst.url)} already holds data (tables: {', '.join(used)}); "
            "use --force to delete it and copy over it"
        )

    async def wipe(tx: Tx) -> None:
        if tx.dialect == "postgresql":
            await tx.execute(f"TRUNCATE {', '.join(_q(t.name) for t in tables)}")
            return
        for t in reversed(tables):
            await tx.execute(f"DELETE FROM {_q(t.name)}")  # noqa: S608

    await dst.write(wipe)


async def _reset_sequences(dst: Store, tables: list[Table]) -> None:
    async def reset(tx: Tx) -> None:
        for t in tables:
            for col in t.identity:
                await tx.execute(
                    f"SELECT setval(pg_get_serial_sequence(:t, :c),"  # noqa: S608
                    f" COALESCE((SELECT max({_q(col)}) FROM {_q(t.name)}), 0) + 1, false)",
                    {"t": _q(t.name), "c": col},
                )

    if dst.dialect == "postgresql":
        await dst.write(reset)


def _identity(url: str) -> tuple[str, str]:
    dialect, target = parse_db_url(url)
    if dialect == "sqlite" and target != ":memory:":
        return dialect, str(Path(target).expanduser().resolve())
    return dialect, target.rstrip("/")


def _check_urls(src_url: str, dst_url: str) -> None:
    source = _identity(src_url)
    if source == _identity(dst_url):
        raise CopyError("source and destination are the same database")
    if source[0] == "sqlite" and not Path(source[1]).is_file():
        raise CopyError(f"source database file {source[1]} does not exist")


async def copy_store(
    src_url: str, dst_url: str, *, force: bool = False, batch: int = 5000, progress: Progress | None = None
) -> CopyReport:
    """Copy every data table from ``src_url`` into ``dst_url``; see the module docstring."""
    if batch < 1:
        raise CopyError("batch size must be at least 1")
    _check_urls(src_url, dst_url)
    started = time.perf_counter()
    src, dst = open_store(src_url), open_store(dst_url)
    await src.open()
    try:
        await dst.open()
        try:
            await _check_source_version(src)
            await migrate(dst)
            tables = await load_tables(src)
            dst_tables = {t.name: t for t in await load_tables(dst)}
            for t in tables:
                other = dst_tables.get(t.name)
                if other is None or set(other.columns) != set(t.columns):
                    raise CopyError(f"table {t.name} differs between source and destination")
            await _empty_destination(dst, tables, force)
            report = CopyReport(redact(src_url), redact(dst_url))
            for table in tables:
                report.tables.append(await _copy_table(src, dst, table, batch, progress))
            await _reset_sequences(dst, [dst_tables[t.name] for t in tables])
        finally:
            await dst.close()
    finally:
        await src.close()
    report.seconds = time.perf_counter() - started
    return report
