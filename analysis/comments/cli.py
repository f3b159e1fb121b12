"""``hailong analyze comments INPUT.csv --history HISTORY.csv --out OUT.csv``.

HISTORY has ``text,rating`` (rating 1–5, or the counter's labels: Không hài lòng → 1, Hài lòng → 4,
Rất hài lòng → 5) and optionally ``reasons`` (semicolon-separated codes); INPUT has ``id,text``. OUT has
``id,p_dissatisfied,dissatisfied,themes,theme_terms,mentions_person,redacted_text`` (``--explain`` adds
``top_terms``). Files are UTF-8, with or without BOM. Problems are reported in one line, exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from analysis.comments.normalise import fold

OUT_COLUMNS = ("id", "p_dissatisfied", "dissatisfied", "themes", "theme_terms", "mentions_person", "redacted_text")
LABELS = {"khong hai long": 1, "hai long": 4, "rat hai long": 5}


class InputError(Exception):
    pass


def read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None
    csv.field_size_limit(1 << 24)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        columns = [c.strip().lower() for c in next(reader, [])]
        missing = [c for c in required if c not in columns]
        if missing:
            found = ", ".join(columns) or "none"
            raise InputError(f"{path} has no column {', '.join(repr(c) for c in missing)} (columns: {found})")
        width = len(columns)
        return [dict(zip(columns, row + [""] * (width - len(row)), strict=False)) for row in reader if row]
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None


def parse_rating(value: str, line: int, path: Path) -> int:
    if value in ("1", "2", "3", "4", "5"):
        return int(value)
    value = value.strip()
    label = LABELS.get(fold(value))
    if label is not None:
        return label
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = 0.0
    if number != int(number) or not 1 <= number <= 5:
        raise InputError(f"{path} line {line}: rating {value!r} is not 1–5 (or Không hài lòng / Hài lòng …)")
    return int(number)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="hailong analyze comments", description=__doc__.split("\n")[0])
    parser.add_argument("input", type=Path, metavar="INPUT.csv")
    parser.add_argument("--history", type=Path, required=True, metavar="HISTORY.csv")
    parser.add_argument("--out", type=Path, required=True, metavar="OUT.csv")
    parser.add_argument("--officers", type=Path, help="text file, one officer name per line (mentions_person)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--explain", action="store_true", help="add a top_terms column")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except InputError as exc:
        print(f"hailong: {exc}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    history = read_csv(args.history, ("text", "rating"))
    rows = read_csv(args.input, ("id", "text"))
    texts, ratings, reasons = [], [], []
    for line, row in enumerate(history, start=2):
        if not row["text"].strip() or not row["rating"].strip():
            continue
        texts.append(row["text"])
        ratings.append(parse_rating(row["rating"], line, args.history))
        reasons.append(parse_reasons(row.get("reasons", "")))
    officers: list[str] = []
    if args.officers:
        try:
            officers = args.officers.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {args.officers} as UTF-8 text: {exc}") from None
    from analysis.comments.pipeline import AnalysisError, analyse

    try:
        results = analyse(
            [r["text"] for r in rows],
            texts,
            ratings,
            reasons if any(reasons) else None,
            officers,
            args.seed,
            explain=args.explain,
        )
    except AnalysisError as exc:
        raise InputError(f"{args.history}: {exc}") from None
    columns = [*OUT_COLUMNS, "top_terms"] if args.explain else list(OUT_COLUMNS)
    try:
        with args.out.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            for row, result in zip(rows, results, strict=True):
                terms = ";".join(f"{c}:{'|'.join(result.theme_terms[c])}" for c in result.themes)
                cells: list[object] = [
                    row["id"],
                    f"{result.p_dissatisfied:.4f}",
                    int(result.dissatisfied),
                    ";".join(result.themes),
                    terms,
                    int(result.mentions_person),
                    result.redacted_text,
                ]
                writer.writerow([*cells, ";".join(result.top_terms)] if args.explain else cells)
    except OSError as exc:
        raise InputError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    flagged = sum(r.dissatisfied for r in results)
    print(f"{len(results)} comments analysed, {flagged} dissatisfied, written to {args.out}")
    return 0


def parse_reasons(value: str) -> list[str]:
    return [code.strip().lower() for code in value.replace(",", ";").split(";") if code.strip()]
