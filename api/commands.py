"""What every command of ``hailong`` shares: the --db option, the store it opens, one-line usage errors.

Domains that bring their own commands (api/devices/cli.py, api/surveys/cli.py) import from here, and
api/cli.py registers them: no command module imports api/cli.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable

from api.db import Store, open_store
from api.db.migrate import migrate
from api.settings import load_settings


def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="sqlite:///path (default ./hailong.db; env HAILONG_DB) or postgresql://…",
    )


async def with_store(args: argparse.Namespace, work: Callable[[Store], Awaitable[int]]) -> int:
    """Open the store named by --db / HAILONG_DB, apply migrations, run ``work``, close."""
    settings = load_settings({"db_url": args.db})
    store = open_store(settings.db_url)
    await store.open()
    try:
        await migrate(store)
        return await work(store)
    finally:
        await store.close()


class UsageError(Exception):
    """A mistake on the command line: one line on stderr, exit status 2."""


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
