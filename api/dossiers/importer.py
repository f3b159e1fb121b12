"""``hailong import dossiers FILE.csv``: for one-stop systems without an API. Bad rows are reported by line."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from api.db import Store, Tx
from api.dossiers.schemas import DossierIn
from api.dossiers.service import register_in
from api.errors import DomainError

COLUMNS = ("code", "unit", "procedure", "channel", "received_at", "due_at")
OPTIONAL = ("officer",)
CHUNK = 1000


class ImportReport(msgspec.Struct):
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = []


def _parse(row: dict[str, str], tz: ZoneInfo) -> DossierIn:
    values: dict[str, object] = {k: (v or "").strip() for k, v in row.items() if k in COLUMNS + OPTIONAL}
    if not values.get("officer"):
        values.pop("officer", None)
    for name in ("received_at", "due_at"):
        text = str(values.get(name) or "")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{name} {text!r} is not a date-time like 2026-03-01T08:30:00+07:00") from None
        values[name] = moment if moment.tzinfo else moment.replace(tzinfo=tz)
    try:
        return msgspec.convert(values, DossierIn, strict=False)
    except msgspec.ValidationError as exc:
        raise ValueError(str(exc).replace("$.", "")) from None


def _rows(path: Path, tz: ZoneInfo, report: ImportReport) -> Iterator[tuple[int, DossierIn]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            report.errors.append((1, f"header lacks column(s): {', '.join(missing)}"))
            return
        for row in reader:
            try:
                yield reader.line_num, _parse(row, tz)
            except ValueError as exc:
                report.errors.append((reader.line_num, str(exc)))


async def import_dossiers(store: Store, path: Path, timezone: str) -> ImportReport:
    report = ImportReport()
    tz = ZoneInfo(timezone)

    async def run(tx: Tx, chunk: list[tuple[int, DossierIn]]) -> None:
        for line, data in chunk:
            try:
                _, created = await register_in(tx, data)
            except DomainError as exc:
                report.errors.append((line, exc.detail))
            else:
                if created:
                    report.created += 1
                else:
                    report.unchanged += 1

    chunk: list[tuple[int, DossierIn]] = []
    for item in _rows(path, tz, report):
        chunk.append(item)
        if len(chunk) >= CHUNK:
            await store.write(lambda tx, c=chunk: run(tx, c))  # type: ignore[misc]
            chunk = []
    if chunk:
        await store.write(lambda tx: run(tx, chunk))
    report.errors.sort()
    return report
