"""Write the CSV files and summary.json: proportions as 0-1 with six decimals, empty when suppressed."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6f}"
    text = str(value)
    if isinstance(value, str) and runs_as_formula(text):  # keep it text (OWASP): a leading apostrophe
        return "'" + text
    return text


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would run this text as a formula (OWASP "CSV injection")."""
    return text[:1] in FORMULA


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns)
        for row in rows:
            out.writerow([cell(row.get(c)) for c in columns])
            count += 1
    return count


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
