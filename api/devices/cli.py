"""``hailong kiosk …``: pair, list and revoke counter kiosks. ``api.cli`` calls :func:`add_cli`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from api.db import Store


def cmd_kiosk(args: argparse.Namespace) -> int:
    from api.commands import with_store
    from api.devices import service
    from api.viewer import CONSOLE

    async def work(store: Store) -> int:
        if args.action == "pair":
            out = await service.issue(store, args.counter)
            print(out.code)
            print(
                f"Type this code on the kiosk for counter {out.counter}; it works once, until "
                f"{out.expires_at:%H:%M} UTC.",
                file=sys.stderr,
            )
        elif args.action == "revoke":
            gone = await service.revoke(store, args.device)
            print(f"revoked {gone.code} (counter {gone.counter})")
        else:
            for d in await service.list_devices(store, CONSOLE, args.counter, None):
                seen = f"{d.last_seen_at:%Y-%m-%d %H:%M}" if d.last_seen_at else "never"
                state = "revoked" if d.revoked_at else "active"
                print(
                    f"{d.code:<16} {d.counter:<12} {state:<8} seen {seen}  backlog {d.backlog}  "
                    f"v{d.app_version or '?'}  {d.name}"
                )
        return 0

    return asyncio.run(with_store(args, work))


def add_cli(sub: Any) -> None:
    """Register ``hailong kiosk pair|list|revoke`` on the main parser's subparsers."""
    kiosk = sub.add_parser("kiosk", help="pair, list or revoke counter kiosks")
    actions = kiosk.add_subparsers(dest="action", required=True)
    pair = actions.add_parser("pair", help="print a one-time pairing code for a counter (8 digits, 15 minutes)")
    pair.add_argument("--counter", required=True, metavar="CODE", help="the counter the kiosk will serve")
    listing = actions.add_parser("list", help="list kiosks: counter, last seen, queue backlog, app version")
    listing.add_argument("--counter", default=None, metavar="CODE")
    revoke = actions.add_parser("revoke", help="revoke a kiosk; its token stops working at once")
    revoke.add_argument("device", metavar="DEVICE", help="the device code shown by 'hailong kiosk list'")
    for p in (pair, listing, revoke):
        p.add_argument("--db", default=None, metavar="URL", help="sqlite:///path or postgresql://… (env HAILONG_DB)")
    kiosk.set_defaults(func=cmd_kiosk)


async def demo_hint(store: Store, settings: Any) -> list[str]:
    """For ``hailong serve --demo`` (``api.serve.DEMO_HINTS``): where the kiosk is and a code to pair it."""
    from api.devices import service

    row = await store.fetch_one("SELECT code FROM counters WHERE active = 1 ORDER BY id LIMIT 1")
    if row is None:
        return []
    code = await service.issue_pairing_code(store, row["code"])
    return [f"  Kiosk (tablet page):  {settings.base_url}/kiosk   pairing code for counter {row['code']}: {code}"]
