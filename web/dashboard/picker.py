"""The unit and period a dashboard page shows: read from ``?unit=&from=&to=``, offered as a GET form that lists
only the units the viewer may see, and carried into every link of the page (other pages, exports, sorting)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from api.dashboard.handlers import default_period
from api.db import Store
from api.insights import queries
from api.viewer import Viewer

EXPORT_TABLES = ("indices", "officers", "ratings")


@dataclass(frozen=True)
class Option:
    code: str
    label: str  # indented by depth, for the <select>
    selected: bool


@dataclass(frozen=True)
class Picker:
    unit: str | None  # the code asked for (None: the viewer's own unit, else the root)
    first: date
    last: date
    options: list[Option]
    extra: dict[str, str] = field(default_factory=dict)  # other parameters a page keeps (sorting)
    units: list[dict[str, Any]] = field(default_factory=list)  # every unit (id, code, name, kind, parent_id)

    def query(self, **changes: str | None) -> str:
        """``?unit=…&from=…&to=…`` with some values changed (None drops one)."""
        values: dict[str, str | None] = {"unit": self.unit, "from": self.first.isoformat(), "to": self.last.isoformat()}
        values |= self.extra
        values |= changes
        return "?" + urlencode({k: v for k, v in values.items() if v})

    def href(self, path: str, **changes: str | None) -> str:
        return path + self.query(**changes)

    def exports(self, unit_code: str) -> list[tuple[str, str, str, str]]:
        """(table, CSV link, XLSX link, dictionary link) of the shown unit and period."""
        q = urlencode({"unit": unit_code, "from": self.first.isoformat(), "to": self.last.isoformat()})
        base = "/dashboard/export/"
        return [
            (t, f"{base}{t}.csv?{q}", f"{base}{t}.xlsx?{q}", f"{base}{t}-dictionary.csv?{q}") for t in EXPORT_TABLES
        ]


def own_unit(units: list[dict[str, Any]], viewer: Viewer) -> dict[str, Any] | None:
    """The unit a page shows when none is asked for: the viewer's own, else the one root (as the views do)."""
    if viewer.unit_id is not None:
        return next((u for u in units if int(u["id"]) == viewer.unit_id), None)
    roots = [u for u in units if u["parent_id"] is None]
    return roots[0] if len(roots) == 1 else None


def tree_options(units: list[dict[str, Any]], viewer: Viewer, chosen: str | None) -> list[Option]:
    """The units the viewer may see, depth-first by code under their parents, indented by depth."""
    visible = [u for u in units if viewer.sees(int(u["id"]))]
    ids = {int(u["id"]) for u in visible}
    children: dict[int | None, list[dict[str, Any]]] = {}
    for u in visible:
        parent = u["parent_id"]
        children.setdefault(int(parent) if parent is not None and int(parent) in ids else None, []).append(u)
    if chosen is None:
        own = own_unit(units, viewer)
        chosen = str(own["code"]) if own else None
    out: list[Option] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in sorted(children.get(parent, []), key=lambda u: str(u["code"])):
            label = "\u2003" * depth + str(u["name"])
            out.append(Option(str(u["code"]), label, str(u["code"]) == chosen))
            walk(int(u["id"]), depth + 1)

    walk(None, 0)
    return out


async def picker(
    store: Store, viewer: Viewer, unit: str | None, first: date | None, last: date | None, **extra: str
) -> Picker:
    first, last = default_period(first, last)
    units = await store.read(queries.units)
    kept = {k: v for k, v in extra.items() if v}
    return Picker(unit, first, last, tree_options(units, viewer, unit), kept, units)
