"""``hailong analyze --db URL --out DIR [--from DATE] [--to DATE] [--unit CODE]``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn


class AnalyzeUsage(Exception):
    """A bad argument to ``hailong analyze``: one line on stderr."""


def add_commands(sub: Any) -> None:
    p = sub.add_parser(
        "analyze",
        help="compute indices, officer scores, trends and integrity flags; write reports; store the run",
        description="Writes indices.csv, officers.csv, trends.csv, flags.csv, summary.json and report.html to "
        "--out and stores the run in the database. Dates are YYYY-MM-DD in the unit's time zone; the period "
        "defaults to the 24 months ending on --to (default: the day of the newest rating).",
    )
    p.add_argument("--db", default=None, metavar="URL", help="sqlite:///path or postgresql://… (env HAILONG_DB)")
    p.add_argument("--out", default=None, metavar="DIR", help="directory for the files (created if missing)")
    p.add_argument("--from", dest="first", default=None, metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="last", default=None, metavar="DATE", help="last day, YYYY-MM-DD")
    p.add_argument("--unit", default=None, metavar="CODE", help="analyse this unit and everything under it")
    p.set_defaults(func=cmd_analyze)
    p.error = _one_line  # type: ignore[method-assign]


def _one_line(message: str) -> NoReturn:
    """argparse's own complaints (an unknown option, a missing value) as one line, exit status 2."""
    print(f"hailong: analyze: {message}", file=sys.stderr)
    raise SystemExit(2)


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AnalyzeUsage(f"{flag} {value!r}: give a date as YYYY-MM-DD") from None


def cmd_analyze(args: argparse.Namespace) -> int:
    from api.commands import UsageError, with_store

    try:
        if not args.out:
            raise AnalyzeUsage("analyze needs --out DIR (where to write the report and the CSV files)")
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise AnalyzeUsage(f"--out {out}: exists and is not a directory")
        first, last = _date(args.first, "--from"), _date(args.last, "--to")
        if first and last and last < first:
            raise AnalyzeUsage(f"--to {last} is before --from {first}")
    except AnalyzeUsage as exc:
        raise UsageError(str(exc)) from None
    return asyncio.run(with_store(args, lambda store: _work(store, out, first, last, args.unit)))


async def _work(store: Any, out: Path, first: date | None, last: date | None, unit: str | None) -> int:
    from api.commands import UsageError
    from api.insights.batch import run_analysis
    from api.insights.gather import ScopeError, default_period

    try:
        first, last = await default_period(store, first, last)
        results, timing, run_id = await run_analysis(store, out, first, last, unit, _progress)
    except ScopeError as exc:
        raise UsageError(str(exc)) from None
    counts = results.summary["counts"]
    print(
        f"analysed {results.summary['scope']['unit'] or 'all units'} {first} to {last}: "
        f"{counts['ratings']:,} ratings ({counts['staff_entered_excluded']:,} staff-entered, excluded), "
        f"{len(results.flags)} flags, {counts['trend_signals']} trend signals; run {run_id}; files in {out}"
    )
    _progress(
        f"analyze: gather {timing.gather:.2f} s, compute {timing.compute:.2f} s, comments {timing.comments:.2f} s, "
        f"write {timing.write:.2f} s, store {timing.store:.2f} s"
    )
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
