"""``hailong``: the command line. Every command that touches data takes ``--db``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.accounts.cli import add_cli as user_commands
from api.commands import UsageError, db_option, progress, with_store
from api.db import Store, StoreError
from api.devices.cli import add_cli as kiosk_commands
from api.insights.cli import add_commands as analyze_commands
from api.maintenance import add_commands as maintenance_commands
from api.settings import ENV, SettingsError, load_settings
from api.surveys.cli import add_commands as survey_commands

Command = Callable[[argparse.Namespace], int]


def cmd_migrate(args: argparse.Namespace) -> int:
    async def work(store: Store) -> int:
        print(f"migrations up to date on {store.url}")
        return 0

    return asyncio.run(with_store(args, work))


def cmd_apikey(args: argparse.Namespace) -> int:
    from api.apikeys.service import create_key, list_keys, revoke_key

    async def work(store: Store) -> int:
        if args.action == "create":
            print(await create_key(store, args.name, args.role))
        elif args.action == "revoke":
            count = await revoke_key(store, args.prefix)
            print(f"revoked {count} key(s) starting {args.prefix}")
            return 0 if count else 1
        else:
            for row in await list_keys(store):
                state = "revoked" if row["revoked_at"] else "active"
                print(f"{row['prefix']}…  {row['role']:<10} {state:<8} {row['name']}")
        return 0

    return asyncio.run(with_store(args, work))


def cmd_import(args: argparse.Namespace) -> int:
    from api.dossiers.importer import import_dossiers

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")

    async def work(store: Store) -> int:
        report = await import_dossiers(store, path, load_settings().timezone)
        for line, message in report.errors:
            print(f"{path}:{line}: {message}", file=sys.stderr)
        print(
            f"{report.created} dossier(s) created, {report.unchanged} already present, {len(report.errors)} bad row(s)"
        )
        return 1 if report.errors else 0

    return asyncio.run(with_store(args, work))


def cmd_demo_data(args: argparse.Namespace) -> int:
    from api.demo.generate import fill_demo

    async def work(store: Store) -> int:
        summary = await fill_demo(store, scale=args.scale, seed=args.seed, progress=progress)
        print(summary)
        return 0

    return asyncio.run(with_store(args, work))


def cmd_serve(args: argparse.Namespace) -> int:
    from api.serve import serve

    settings = load_settings({"db_url": args.db, "host": args.host, "port": args.port})
    return serve(settings, workers=args.workers, demo=args.demo)


def cmd_store_copy(args: argparse.Namespace) -> int:
    from api.db.copy import copy_store

    last = [0.0]

    def copied(table: str, done: int, total: int) -> None:
        import time

        if time.monotonic() - last[0] > 2 or done == total:
            last[0] = time.monotonic()
            progress(f"{table}: {done}/{total}")

    report = asyncio.run(copy_store(args.src, args.dst, force=args.force, batch=args.batch, progress=copied))
    for table in report.tables:
        print(table.line())
    print(f"{report.rows} rows in {report.seconds:.1f} s: {'verified' if report.ok else 'MISMATCH'}")
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hailong",
        description="Satisfaction feedback for public administrative service centres.",
        epilog="Settings come from the environment: " + ", ".join(var for var, _ in ENV.values()),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the web service")
    db_option(serve)
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="API worker processes (PostgreSQL only for >1)")
    serve.add_argument("--demo", action="store_true", help="fill an empty database with demo data; print URLs")
    serve.set_defaults(func=cmd_serve)

    mig = sub.add_parser("migrate", help="apply database migrations")
    db_option(mig)
    mig.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo-data", help="fill an empty database with a demo province")
    db_option(demo)
    demo.add_argument("--scale", choices=("small", "province"), default="small")
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(func=cmd_demo_data)

    imp = sub.add_parser("import", help="import data from files")
    imp.add_argument("kind", choices=("dossiers",))
    imp.add_argument("file", help="CSV with columns code,unit,procedure,channel,received_at,due_at[,officer]")
    db_option(imp)
    imp.set_defaults(func=cmd_import)

    key = sub.add_parser("apikey", help="create, list or revoke API keys")
    key_sub = key.add_subparsers(dest="action", required=True)
    create = key_sub.add_parser("create", help="print a new key (shown once)")
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=("admin", "integrator"), required=True)
    revoke = key_sub.add_parser("revoke", help="revoke keys by their first characters")
    revoke.add_argument("prefix")
    listing = key_sub.add_parser("list", help="list keys (never their secrets)")
    for p in (create, revoke, listing):
        db_option(p)
    key.set_defaults(func=cmd_apikey)

    store = sub.add_parser("store", help="move a deployment between databases")
    store_sub = store.add_subparsers(dest="store_cmd", required=True)
    cp = store_sub.add_parser(
        "copy", help="copy every table SRC → DST (SQLite ⇄ PostgreSQL), verify counts and checksums"
    )
    cp.add_argument("src", metavar="SRC_URL")
    cp.add_argument("dst", metavar="DST_URL")
    cp.add_argument("--force", action="store_true", help="delete the destination's data first")
    cp.add_argument("--batch", type=int, default=5000, help="rows per batch (memory holds two batches)")
    cp.set_defaults(func=cmd_store_copy)

    for add in EXTENSIONS:
        add(sub)
    return parser


# Each domain that brings its own commands registers ``add(subparsers)`` here.
EXTENSIONS: list[Callable[[Any], None]] = [
    kiosk_commands,
    survey_commands,
    maintenance_commands,
    analyze_commands,
    user_commands,
]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["analyze", "comments"]:  # comment analysis: batch-only code, imported lazily
        from analysis.comments.cli import main as analyze_comments

        return analyze_comments(argv[2:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except (StoreError, SettingsError, UsageError) as exc:
        print(f"hailong: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a domain error from a command: one line, no traceback
        from api.errors import DomainError

        if isinstance(exc, DomainError):
            print(f"hailong: {exc.detail}", file=sys.stderr)
            return 1
        raise
    return code


if __name__ == "__main__":
    raise SystemExit(main())
