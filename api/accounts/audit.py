"""The audit log: who did what, when and from where. Every domain writes to it through :func:`audit`.

``who`` is the :class:`~api.viewer.Viewer` behind the request (a signed-in user or an admin API key), a
string naming the operator of a command-line action (``"cli:root"``), or None for an anonymous caller
(a refused sign-in). ``detail`` is anything JSON can hold; it is stored as JSON text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from api.accounts import queries
from api.db import Row, Store, Tx, now_ms
from api.viewer import Viewer

MAX_DETAIL_CHARS = 4000
CONSOLE_VIA: dict[str, str] = {"console": "cli"}


class AuditEntry(msgspec.Struct, frozen=True):
    id: int
    at: int  # UTC epoch milliseconds
    user_id: int | None
    username: str
    via: str  # session | key | cli | anonymous
    action: str
    detail: dict[str, Any]
    client: str


def _values(who: Viewer | str | None, action: str, detail: Mapping[str, Any] | None, client: str) -> dict[str, Any]:
    via: str
    if isinstance(who, Viewer):  # the server's own console (api.viewer.CONSOLE) is the command line here
        user_id, username, via = (who.id if who.via == "session" else None), who.name, CONSOLE_VIA.get(who.via, who.via)
    elif isinstance(who, str):
        user_id, username, via = None, who, "cli"
    else:
        user_id, username, via = None, "", "anonymous"
    text = msgspec.json.encode(dict(detail or {})).decode()
    if len(text) > MAX_DETAIL_CHARS:
        text = msgspec.json.encode({"truncated": text[:MAX_DETAIL_CHARS]}).decode()
    return {
        "at": now_ms(),
        "user_id": user_id,
        "username": username[:200],
        "via": via,
        "action": action[:100],
        "detail": text,
        "client": client[:100],
    }


async def audit(
    target: Tx | Store,
    who: Viewer | str | None,
    action: str,
    detail: Mapping[str, Any] | None = None,
    *,
    client: str = "",
) -> None:
    """Write one audit row: inside the caller's write transaction (a ``Tx``: it commits with the change it
    records), or in a transaction of its own (a ``Store``, e.g. for an export that changes nothing)."""
    values = _values(who, action, detail, client)
    if isinstance(target, Store):

        async def run(tx: Tx) -> None:
            await queries.insert_audit(tx, values)

        await target.write(run)
    else:
        await queries.insert_audit(target, values)


def to_entry(row: Row) -> AuditEntry:
    try:
        detail = msgspec.json.decode(row["detail"])
    except msgspec.DecodeError:
        detail = {"text": row["detail"]}
    return AuditEntry(
        id=int(row["id"]),
        at=int(row["at"]),
        user_id=None if row["user_id"] is None else int(row["user_id"]),
        username=row["username"],
        via=row["via"],
        action=row["action"],
        detail=detail if isinstance(detail, dict) else {"value": detail},
        client=row["client"],
    )


async def entries(
    store: Store, *, before: int | None = None, limit: int = 100, action: str | None = None
) -> list[AuditEntry]:
    """The newest entries first; ``before`` (an entry id) pages back."""
    rows = await store.read(lambda tx: queries.audit_rows(tx, before, limit, action))
    return [to_entry(r) for r in rows]


async def actions(store: Store) -> list[str]:
    """Every action the log holds, for the page's filter."""
    return await store.read(queries.audit_actions)
