"""``hailong user …``: add, list, disable, enable and set the password of dashboard users. ``api.cli``
registers :func:`add_cli`; ``api.serve`` prints :func:`demo_hint` on a demo start."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime
from typing import Any

from api.db import Store
from api.viewer import ROLES


def operator() -> str:
    """Who ran the command, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated): one line from standard input with --password-stdin, else a new random one."""
    from api.accounts.service import generate_password

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return generate_password(), True


def cmd_user(args: argparse.Namespace) -> int:
    from api.accounts import service
    from api.commands import with_store

    async def work(store: Store) -> int:
        who = operator()
        if args.action == "add":
            password, generated = read_password(args)
            user = await service.add_user(
                store, args.username, args.role, args.unit, password, display_name=args.name, actor=who
            )
            where = f" of unit {user.unit}" if user.unit else ""
            print(f"added {user.username} ({user.role}{where})")
            if generated:
                print(f"password (shown once): {password}")
        elif args.action == "set-password":
            password, generated = read_password(args)
            ended = await service.set_password(store, args.username, password, actor=who)
            print(f"new password set for {service.normalise(args.username)}; {ended} session(s) ended")
            if generated:
                print(f"password (shown once): {password}")
        elif args.action in ("disable", "enable"):
            ended = await service.set_disabled(store, args.username, args.action == "disable", actor=who)
            print(f"{args.action}d {service.normalise(args.username)}; {ended} session(s) ended")
        else:
            for u in await service.list_users(store):
                state = "disabled" if u.disabled else "active"
                changed = datetime.fromtimestamp(u.updated_at / 1000, UTC)
                print(
                    f"{u.username:<24} {u.role:<9} {u.unit or '(all units)':<16} {state:<8} "
                    f"changed {changed:%Y-%m-%d %H:%M}  {u.display_name}"
                )
        return 0

    return asyncio.run(with_store(args, work))


def add_cli(sub: Any) -> None:
    """Register ``hailong user add|list|disable|enable|set-password`` on the main parser's subparsers."""
    from api.commands import db_option

    user = sub.add_parser("user", help="dashboard users: add, list, disable, enable, set-password")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user; prints a generated password once unless --password-stdin")
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--role", required=True, choices=ROLES, help="admin, province (all units), manager or viewer")
    add.add_argument("--unit", metavar="CODE", default=None, help="a manager's or viewer's unit (and its subtree)")
    add.add_argument("--name", default="", help="the person's full name, shown in the dashboard")
    listing = actions.add_parser("list", help="list users (never their passwords)")
    disable = actions.add_parser("disable", help="disable a user; their sessions end at once")
    enable = actions.add_parser("enable", help="let a disabled user sign in again")
    setpw = actions.add_parser("set-password", help="a new password; the user's sessions end at once")
    for p in (disable, enable, setpw):
        p.add_argument("username", metavar="USERNAME")
    for p in (add, setpw):
        p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    for p in (add, listing, disable, enable, setpw):
        db_option(p)
    user.set_defaults(func=cmd_user)


# (role, the name shown in the dashboard; {unit} is the district's name), one demo login each.
DEMO_USERS = (
    ("admin", "Quản trị hệ thống (demo)", False),
    ("province", "Sở Nội vụ (demo)", False),
    ("manager", "Lãnh đạo {unit} (demo)", True),
    ("viewer", "Chuyên viên {unit} (demo)", True),
)


async def demo_hint(store: Store, settings: Any) -> list[str]:
    """For ``hailong serve --demo`` (``api.serve.DEMO_HINTS``): on a database without users, one user per
    role (the manager and the viewer of the first district), each with a new password, printed once."""
    from api.accounts import service

    if await service.has_users(store):
        return ["  Dashboard users:      made on the first demo start; another: hailong user add NAME --role ROLE"]
    district = await store.fetch_one("SELECT code, name FROM units WHERE kind = 'district' ORDER BY code LIMIT 1")
    lines = [f"  Dashboard:            {settings.base_url}/login   (passwords shown once)"]
    for role, shown, of_district in DEMO_USERS:
        if of_district and district is None:
            continue
        code = district["code"] if of_district and district else None
        password = service.generate_password()
        name = shown.format(unit=district["name"] if district else "")
        await service.add_user(store, f"demo-{role}", role, code, password, display_name=name, actor="cli:demo")
        scope = f"{district['name']} ({code})" if code and district else "all units"
        lines.append(f"    {role:<9} demo-{role:<10} {password}   {scope}")
    return lines
