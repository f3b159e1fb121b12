"""``hailong qr DOSSIER --out FILE`` and ``hailong survey-key rotate``: registered by ``add_commands``."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from api.db import Store
from api.instruments.loader import load_all
from api.settings import load_settings
from api.surveys import qr, service

FORMATS = (".png", ".svg")


def cmd_qr(args: argparse.Namespace) -> int:
    from api.commands import UsageError, with_store

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise UsageError(f"--out must end in .png or .svg, not {out.name!r}")
    if not out.parent.is_dir():
        raise UsageError(f"no such folder: {out.parent}")

    async def work(store: Store) -> int:
        settings = load_settings({"db_url": args.db})
        surveys = service.Surveys(settings, load_all(), await service.load_keys(store))
        url = await service.dossier_url(store, surveys, args.dossier)
        code = qr.encode(url)
        drawing = qr.png(code, args.size) if out.suffix.lower() == ".png" else qr.svg(code).encode()
        await asyncio.to_thread(out.write_bytes, drawing)
        print(f"{out}: QR version {code.version} ({len(code.modules)} modules) for {url}")
        return 0

    return asyncio.run(with_store(args, work))


def cmd_rotate(args: argparse.Namespace) -> int:
    from api.commands import with_store

    async def work(store: Store) -> int:
        kid = await service.rotate_key(store)
        print(f"survey links are now signed with key {kid}; links already printed keep working")
        return 0

    return asyncio.run(with_store(args, work))


def add_commands(sub: Any) -> None:
    """Add the survey commands to the ``hailong`` sub-parsers (``api.cli.EXTENSIONS``)."""
    from api.commands import db_option as _db_option

    p = sub.add_parser("qr", help="write a dossier's survey QR code (PNG or SVG) for its receipt")
    p.add_argument("dossier", metavar="DOSSIER", help="dossier code, as registered by the one-stop system")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.png or FILE.svg")
    p.add_argument("--size", type=int, default=200, help="PNG width in pixels, at most (default 200: 25 mm at 203 dpi)")
    _db_option(p)
    p.set_defaults(func=cmd_qr)

    key = sub.add_parser("survey-key", help="rotate the key that signs survey links")
    key.add_argument("action", choices=("rotate",))
    _db_option(key)
    key.set_defaults(func=cmd_rotate)


async def demo_lines(store: Store, settings: Any) -> list[str]:
    """For ``hailong serve --demo`` (``api.serve.DEMO_HINTS``): one receipt link to try."""
    row = await store.fetch_one("SELECT id, code FROM dossiers ORDER BY id DESC LIMIT 1")
    if row is None:
        return []
    keys = await service.load_keys(store)
    return [f"  Receipt survey (dossier {row['code']}): {service.survey_url(settings, keys, int(row['id']))}"]
