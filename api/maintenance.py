"""``hailong backup``, ``hailong restore`` and ``hailong purge``: copies of the database, and a retention policy
for free-text comments (the one place where a citizen may have written something identifying).

SQLite is copied with its online backup API: a consistent copy while the service runs, page by page. A
PostgreSQL deployment uses PostgreSQL's own tools, whose command lines these commands print.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.db import Store, StoreError, Tx, now_ms
from api.db.open import parse_db_url
from api.db.postgres import split_url, target
from api.instruments.loader import Questionnaire, TextItem, load_all
from api.settings import load_settings

DAY_MS = 86_400_000
PAGES_PER_STEP = 1024  # the backup copies this many pages at a time, letting writers in between


class MaintenanceError(StoreError):
    """One line for the operator (``api.cli`` prints it and exits 2)."""


def _sqlite_path(db: str | None) -> tuple[str, str]:
    url = load_settings({"db_url": db}).db_url
    dialect, path = parse_db_url(url)
    return dialect, path if dialect == "sqlite" else url


def pg_dump_line(url: str, out: str) -> str:
    dsn = split_url(url)[0]
    return f"pg_dump --format=custom --no-owner --file {out} '{dsn}'"


def pg_restore_line(url: str, file: str) -> str:
    dsn = split_url(url)[0]
    return f"pg_restore --clean --if-exists --no-owner --dbname '{dsn}' {file}"


def _is_hailong(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
    except sqlite3.Error:
        return False
    return True


def backup(db: str | None, out: Path) -> str:
    """Copy the SQLite database to ``out`` (which must not exist); the line to print."""
    dialect, path = _sqlite_path(db)
    if dialect != "sqlite":
        raise MaintenanceError(
            f"{target(split_url(path)[0])} is PostgreSQL: back it up with its own tool, e.g."
            f" {pg_dump_line(path, str(out))}"
        )
    if not Path(path).is_file():
        raise MaintenanceError(f"no SQLite database at {path}")
    if out.exists():
        raise MaintenanceError(f"{out} already exists: give a new file name")
    if not out.parent.is_dir():
        raise MaintenanceError(f"no such folder: {out.parent}")
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dst = sqlite3.connect(out)
    try:
        if not _is_hailong(src):
            raise MaintenanceError(f"{path} is not a hailong database")
        src.backup(dst, pages=PAGES_PER_STEP)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        src.close()
        dst.close()
    if check != "ok":
        out.unlink(missing_ok=True)
        raise MaintenanceError(f"the copy failed its integrity check ({check}); nothing kept")
    return f"backed up {path} to {out} ({out.stat().st_size:,} bytes, integrity ok)"


def restore(db: str | None, file: Path, *, force: bool) -> str:
    """Replace the SQLite database with the backup ``file``; the line to print. Stop the service first."""
    dialect, path = _sqlite_path(db)
    if dialect != "sqlite":
        raise MaintenanceError(f"restore into PostgreSQL with its own tool, e.g. {pg_restore_line(path, str(file))}")
    if not file.is_file():
        raise MaintenanceError(f"no such file: {file}")
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        ok = _is_hailong(src) and src.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if not ok:
            raise MaintenanceError(f"{file} is not a sound hailong backup")
        if Path(path).exists() and not force:
            raise MaintenanceError(f"{path} exists: stop the service, then restore with --force to replace it")
        dst = sqlite3.connect(path)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
        finally:
            dst.close()
    finally:
        src.close()
    return f"restored {path} from {file}"


@dataclass
class Purged:
    ratings: int
    answers: int

    def line(self, days: int) -> str:
        return (
            f"removed the comment text of {self.ratings} rating(s) and {self.answers} survey answer(s)"
            f" older than {days} day(s)"
        )


def text_items(q: Questionnaire) -> list[str]:
    return [item.code for item in q.items if isinstance(item, TextItem)]


async def purge_comments(store: Store, days: int, now: int | None = None) -> Purged:
    """Remove free-text comments older than ``days``: ratings keep their level and reasons, survey responses
    keep every other answer."""
    cutoff = (now_ms() if now is None else now) - days * DAY_MS
    questionnaires = [q for q in load_all().by_code.values() if isinstance(q, Questionnaire)]

    async def run(tx: Tx) -> Purged:
        ratings = await tx.execute(
            "UPDATE ratings SET comment = NULL WHERE comment IS NOT NULL AND created_at < :cut", {"cut": cutoff}
        )
        await tx.execute(  # the analysis's redacted copies go with them
            "DELETE FROM comment_results WHERE rating_id IN (SELECT id FROM ratings WHERE created_at < :cut)",
            {"cut": cutoff},
        )
        await tx.execute(  # and a questionnaire response's, whose comment answers go below
            "DELETE FROM comment_results WHERE response_id IN (SELECT id FROM responses WHERE submitted_at < :cut)",
            {"cut": cutoff},
        )
        answers = 0
        for q in questionnaires:
            codes = text_items(q)
            if not codes:
                continue
            marks = ", ".join(f":c{n}" for n in range(len(codes)))
            params: dict[str, Any] = {"cut": cutoff, "i": q.code} | {f"c{n}": c for n, c in enumerate(codes)}
            answers += await tx.execute(
                f"DELETE FROM answers WHERE item IN ({marks}) AND response_id IN"  # noqa: S608 - placeholders only
                " (SELECT id FROM responses WHERE instrument = :i AND submitted_at < :cut)",
                params,
            )
        return Purged(ratings, answers)

    return await store.write(run)


def cmd_backup(args: argparse.Namespace) -> int:
    print(backup(args.db, Path(args.out)))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    print(restore(args.db, Path(args.file), force=args.force))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from api.commands import UsageError, with_store

    if args.comments_older_than < 0:
        raise UsageError("--comments-older-than takes a number of days, 0 or more")

    async def work(store: Store) -> int:
        print((await purge_comments(store, args.comments_older_than)).line(args.comments_older_than))
        return 0

    return asyncio.run(with_store(args, work))


def add_commands(sub: Any) -> None:
    """``hailong backup|restore|purge`` (``api.cli.EXTENSIONS``)."""
    from api.commands import db_option as _db_option

    p = sub.add_parser("backup", help="copy the SQLite database to a file, while it runs (PostgreSQL: pg_dump)")
    p.add_argument("--out", required=True, metavar="FILE", help="a new file")
    _db_option(p)
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="replace the SQLite database with a backup (stop the service first)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace an existing database")
    _db_option(p)
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("purge", help="remove comment text older than a number of days (ratings and surveys)")
    p.add_argument("--comments-older-than", type=int, required=True, metavar="DAYS")
    _db_option(p)
    p.set_defaults(func=cmd_purge)
