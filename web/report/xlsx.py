"""The monthly report's tables as one XLSX workbook (one sheet per section), small enough to build in memory.
Text that a spreadsheet would run as a formula stays text (``analysis.report.files.runs_as_formula``)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from analysis.report.files import runs_as_formula
from api.monthly.schemas import MonthlyReport
from web.i18n import Text


@dataclass(frozen=True)
class Sheet:
    title: str
    head: Sequence[str]
    rows: Sequence[Sequence[Any]]
    shares: frozenset[int] = frozenset()  # columns holding shares in [0, 1]


def workbook(sheets: Sequence[Sheet]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    bold = book.add_format({"bold": True, "text_wrap": True})
    share = book.add_format({"num_format": "0.0%"})
    quoted = book.add_format({"quote_prefix": True})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.title[:31])
        ws.freeze_panes(1, 0)
        for col, name in enumerate(sheet.head):
            ws.write_string(0, col, name, bold)
            ws.set_column(col, col, 14 if col else 36)
        for r, row in enumerate(sheet.rows, start=1):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(r, col, value)
                elif isinstance(value, int | float):
                    ws.write_number(r, col, value, share if col in sheet.shares else None)
                else:
                    text = str(value)
                    ws.write_string(r, col, text, quoted if runs_as_formula(text) else None)
    book.close()
    return out.getvalue()


def report_sheets(r: MonthlyReport, t: Text, name: Any) -> list[Sheet]:
    """The page's tables, in its order: timeliness first."""
    bands = ("early_share", "on_time_share", "late_share")
    figures = r.overview.figures
    interval = (t("95 % interval: low"), t("95 % interval: high"))
    return [
        Sheet(
            t("Timeliness of dossiers"),
            (t("Result"), "n", "x", t("Share"), *interval),
            [(name(f.measure), f.n, f.x, f.value, f.ci_low, f.ci_high) for f in figures if f.measure in bands],
            frozenset({3, 4, 5}),
        ),
        Sheet(
            t("Satisfaction"),
            (t("Criterion"), "n", "x", t("Value"), *interval, t("Significant change")),
            [
                (name(f.measure), f.n, f.x, f.value, f.ci_low, f.ci_high, bool(f.change and f.change.significant))
                for f in figures
                if f.measure not in bands
            ],
            frozenset({3, 4, 5}),
        ),
        Sheet(
            t("Units"),
            (t("Unit"), t("Criterion"), "n", t("Value"), *interval, t("Variation"), t("Assurance")),
            [
                (u.unit.name, name(f.measure), f.n, f.value, f.ci_low, f.ci_high, u.spc.variation, u.spc.assurance)
                for u in r.units
                for f in u.figures
            ],
            frozenset({3, 4, 5}),
        ),
        Sheet(
            t("Officers"),
            (t("Officer"), t("Unit"), "n", t("Position")),
            [(o.name, o.unit, o.n, o.funnel) for group in (r.officers.above, r.officers.below) for o in group]
            + [(t("Within the expected range: {n}", n=len(r.officers.within)), None, None, "within")]
            + [(t("Not shown (too few ratings): {n}", n=r.officers.suppressed), None, None, None)],
        ),
        Sheet(
            t("Themes in dissatisfied comments"),
            (t("Theme"), "n", t("Share"), t("Quote")),
            [
                (th.en if t.lang == "en" else th.vi, th.n, th.share, th.examples[0] if th.examples else "")
                for th in r.themes
            ],
            frozenset({2}),
        ),
        Sheet(
            t("Integrity flags"),
            (t("Flag"), t("Where"), t("Count"), t("Detail")),
            [(f.kind, f.scope, f.count, f.detail) for f in r.flags],
        ),
        Sheet(
            t("Feedback handled on time"),
            (t("On time"), t("Late"), t("Pending"), t("Indicator 8 points")),
            [(r.handling.on_time, r.handling.late, r.handling.pending, r.handling.points)],
        ),
    ]
