"""Exports for a scope and period: CSV (streamed, any size, constant memory) and XLSX (XlsxWriter in
constant_memory mode), each with a data dictionary in Vietnamese and English.

A table is a name, its columns (each with its kind and its meaning in both languages) and pages of rows.
CSV: UTF-8 with a byte-order mark (Excel on Windows reads Vietnamese right only with it), comma-separated,
shares as 0-1 with six decimals and instants in the unit's local time with their offset, cells written by
analysis.report.files.cell (the report's own writer: a text a spreadsheet would run as a formula is kept as
text). The dictionary of a CSV is its own file, ``<table>-dictionary.csv``; in XLSX it is a second sheet.
XLSX: texts are written as strings, never as formulas or links, and a text a spreadsheet would run carries
Excel's quote prefix (it stays text even when the cell is edited); shares are numbers shown as percentages.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import anyio.to_thread
import msgspec
import xlsxwriter

from analysis.comments.redact import officer_keys, redact
from analysis.report.files import cell, runs_as_formula
from api.comments.service import may_read_names
from api.dashboard import views
from api.db import Row, Store, Tx
from api.errors import Invalid, NotFound
from api.insights import queries as insights
from api.insights.periods import months
from api.officers import queries as officers
from api.ratings import queries as ratings
from api.viewer import Viewer, subtree
from web.dashboard.picker import own_unit

Kind = Literal["text", "int", "share", "time", "bool"]
PAGE = 2000  # ratings read per keyset page
EXCEL_ROWS = 1_048_576  # a worksheet's rows, the header included
BOM = "\ufeff".encode()
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    vi: str
    en: str


@dataclass(frozen=True)
class Table:
    name: str
    vi: str
    en: str
    columns: tuple[Column, ...]
    values: tuple[tuple[str, str, str, str], ...] = ()  # (column, value, vi, en): what a coded value means


RATINGS = Table(
    "ratings",
    "Các lượt đánh giá tại quầy trong phạm vi và kỳ đã chọn, mỗi dòng một lượt.",
    "Counter ratings of the chosen scope and period, one row each.",
    (
        Column("id", "int", "Mã số của lượt đánh giá", "Rating id"),
        Column("created_at", "time", "Thời điểm đánh giá, giờ địa phương của đơn vị", "When it was given, local time"),
        Column("unit", "text", "Mã đơn vị", "Unit code"),
        Column("counter", "text", "Mã quầy", "Counter code"),
        Column("officer", "text", "Mã công chức trực quầy (nếu biết)", "Code of the officer on duty (if known)"),
        Column("dossier", "text", "Mã hồ sơ (nếu có)", "Dossier code (if any)"),
        Column(
            "source",
            "text",
            "Nguồn: kiosk (máy tại quầy), integrator (hệ thống một cửa), staff (cán bộ nhập, không tính cho công chức)",
            "Source: kiosk, integrator (one-stop system), staff (entered by staff; never counts for an officer)",
        ),
        Column(
            "level",
            "int",
            "Mức đánh giá: 1 = Không hài lòng … cao nhất = Rất hài lòng",
            "Level: 1 = not satisfied … highest = very satisfied",
        ),
        Column("scale", "int", "Số mức của thang (3 hoặc 5)", "Levels on the scale (3 or 5)"),
        Column("reasons", "text", "Lý do đã chọn, cách nhau bởi dấu ;", "Reasons tapped, separated by ;"),
        Column(
            "comment",
            "text",
            "Ý kiến, đã che thông tin cá nhân ([SĐT], [CCCD], [TÊN] …); để trống với vai trò không được đọc ý kiến"
            " nhắc đến một người",
            "Comment, personal data redacted ([SĐT], [CCCD], [TÊN] …); empty for a role that may not read comments"
            " naming a person",
        ),
        Column(
            "comment_mentions_person",
            "bool",
            "Ý kiến có nhắc đến một người (true/false)",
            "The comment mentions a person (true/false)",
        ),
        Column("time_to_tap_ms", "int", "Thời gian từ khi hiện màn hình đến khi chạm (ms)", "Screen to tap (ms)"),
        Column("device", "text", "Mã máy kiosk", "Kiosk device code"),
        Column("instrument", "text", "Mẫu phiếu (phiên bản)", "Instrument (version)"),
    ),
)


def dictionary_rows(table: Table) -> list[dict[str, str]]:
    """One row per column, then one per coded value ("measure = counter_rate")."""
    rows = [{"column": c.name, "type": c.kind, "meaning_vi": c.vi, "meaning_en": c.en} for c in table.columns]
    rows += [
        {"column": f"{c} = {v}", "type": "value", "meaning_vi": vi, "meaning_en": en} for c, v, vi, en in table.values
    ]
    return rows


DICTIONARY = Table(
    "dictionary",
    "Từ điển dữ liệu",
    "Data dictionary",
    (
        Column("column", "text", "Tên cột", "Column"),
        Column(
            "type",
            "text",
            "Kiểu: text, int, share (0-1), time, bool; value: ý nghĩa của một giá trị mã",
            "Type: text, int, share (0-1), time, bool; value: what a coded value means",
        ),
        Column("meaning_vi", "text", "Ý nghĩa (tiếng Việt)", "Meaning (Vietnamese)"),
        Column("meaning_en", "text", "Ý nghĩa (tiếng Anh)", "Meaning (English)"),
    ),
)


@dataclass(frozen=True)
class Scope:
    """What an export covers: a unit the viewer may see (its whole subtree) and a period of local days."""

    unit_id: int
    unit_code: str
    timezone: str
    first: date
    last: date

    @property
    def label(self) -> str:
        code = re.sub(r"[^A-Za-z0-9._-]", "_", self.unit_code)  # a safe file name whatever the code holds
        return f"{code}_{self.first.isoformat()}_{self.last.isoformat()}"


async def scope(store: Store, viewer: Viewer, unit_code: str | None, first: date, last: date) -> Scope:
    """The scope (no unit: the viewer's own, else the root), or 404 for an unknown unit, 403 outside the
    viewer's units, 422 for a reversed period."""
    if last < first:
        raise Invalid(f"The period ends ({last}) before it starts ({first}).", code="bad-period")
    rows = await store.read(insights.units)
    found = next((u for u in rows if u["code"] == unit_code), None) if unit_code else own_unit(rows, viewer)
    if found is None:
        raise NotFound(f"There is no unit with code {unit_code!r}." if unit_code else "Name a unit with ?unit=CODE.")
    viewer.check_sees(int(found["id"]))
    return Scope(int(found["id"]), str(found["code"]), str(found["timezone"]), first, last)


def _csv_text(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerows(rows)
    return buffer.getvalue().encode()


async def primed(pages: AsyncIterator[Sequence[Mapping[str, Any]]]) -> AsyncIterator[Sequence[Mapping[str, Any]]]:
    """The pages, the first one already read: a refusal or a failure while computing it (a period too long,
    a store that cannot answer) is still a clear answer, not a download cut short after its headers."""
    try:
        first: Sequence[Mapping[str, Any]] | None = await anext(pages)
    except StopAsyncIteration:
        first = None

    async def rest() -> AsyncIterator[Sequence[Mapping[str, Any]]]:
        if first is not None:
            yield first
        async for page in pages:
            yield page

    return rest()


async def csv_stream(table: Table, pages: AsyncIterator[Sequence[Mapping[str, Any]]]) -> AsyncIterator[bytes]:
    """The table as CSV, one chunk per page of rows."""
    names = [c.name for c in table.columns]
    yield BOM + _csv_text([names])
    async for page in pages:
        yield _csv_text([cell(_plain(row.get(name))) for name in names] for row in page)


def _plain(value: Any) -> Any:
    """An instant as ISO 8601 with its offset ("2026-03-04T09:15:02+07:00"); anything else as it is."""
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value


async def dictionary_csv(table: Table) -> AsyncIterator[bytes]:
    async def one() -> AsyncIterator[Sequence[Mapping[str, Any]]]:
        yield dictionary_rows(table)

    async for chunk in csv_stream(DICTIONARY, one()):
        yield chunk


class _Sheet:
    """One worksheet written row by row (constant_memory: rows in order, never revisited)."""

    def __init__(self, book: Any, table: Table, title: str, formats: dict[str, Any]) -> None:
        self.sheet = book.add_worksheet(title)
        self.columns = table.columns
        self.formats = formats
        self.row = 0
        self.sheet.freeze_panes(1, 0)
        for i, c in enumerate(self.columns):
            self.sheet.set_column(i, i, 12 if c.kind != "text" else 18)
        self.write([{c.name: c.name for c in self.columns}], header=True)

    def write(self, rows: Iterable[Mapping[str, Any]], *, header: bool = False) -> None:
        for values in rows:
            if self.row >= EXCEL_ROWS:
                raise Invalid("More rows than a spreadsheet holds; export CSV instead.", code="too-many-rows")
            for i, c in enumerate(self.columns):
                self._cell(i, "text" if header else c.kind, values.get(c.name))
            self.row += 1

    def _cell(self, col: int, kind: Kind, value: Any) -> None:
        if value is None or value == "":
            return
        if kind in ("int", "share") and isinstance(value, int | float) and not isinstance(value, bool):
            self.sheet.write_number(self.row, col, value, self.formats.get(kind))
        elif kind == "time" and isinstance(value, datetime):
            self.sheet.write_datetime(self.row, col, value.replace(tzinfo=None), self.formats["time"])
        else:
            text = cell(value) if not isinstance(value, str) else value
            quoted = self.formats["quoted"] if runs_as_formula(text) else None
            self.sheet.write_string(self.row, col, text, quoted)


def _xlsx_file(path: str) -> tuple[Any, dict[str, Any]]:
    book = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": os.path.dirname(path),
        },
    )
    formats = {
        "share": book.add_format({"num_format": "0.0%"}),
        "time": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "quoted": book.add_format({"quote_prefix": True}),
    }
    return book, formats


async def xlsx_file(table: Table, pages: AsyncIterator[Sequence[Mapping[str, Any]]]) -> str:
    """The table as an XLSX workbook (a data sheet and a dictionary sheet) in a new temporary folder,
    written in a worker thread a page at a time; give its path to ``file_stream``, which removes it. Built
    whole before anything is sent, so a refusal (too many rows) is still a clear 4xx answer."""
    folder = tempfile.mkdtemp(prefix="hailong-export-")
    path = os.path.join(folder, f"{table.name}.xlsx")
    try:
        book, formats = _xlsx_file(path)
        data = _Sheet(book, table, table.name[:31], formats)
        async for page in pages:
            await anyio.to_thread.run_sync(data.write, page)
        words = _Sheet(book, DICTIONARY, "dictionary", formats)
        await anyio.to_thread.run_sync(words.write, dictionary_rows(table))
        await anyio.to_thread.run_sync(book.close)
    except BaseException:
        _remove(folder)
        raise
    return path


async def file_stream(path: str, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A file from ``xlsx_file`` in chunks; its folder is removed afterwards (also when the client leaves)."""
    try:
        with open(path, "rb") as f:  # noqa: ASYNC230 - a local temporary file, read in 64 KB chunks
            while block := f.read(chunk):
                yield block
    finally:
        _remove(os.path.dirname(path))


def _remove(folder: str) -> None:
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    os.rmdir(folder)


async def rating_pages(
    store: Store, viewer: Viewer, where: Scope, page: int = PAGE
) -> AsyncIterator[Sequence[Mapping[str, Any]]]:
    """The scope's ratings in id order, a keyset page at a time (constant memory at any size, one pass over
    the period's ids); comments redacted with the names of their unit's officers, and withheld when they name
    a person from a role that may not read names (as on the pages and the API: api/comments/service.py)."""
    m = months(where.first, where.last, where.timezone)
    tz = ZoneInfo(where.timezone)
    keys = await store.read(_officer_keys)
    names = may_read_names(viewer)
    units = sorted(await store.read(lambda tx: subtree(tx, where.unit_id)))
    span = await store.read(lambda tx: ratings.id_span(tx, m.lo, m.hi))
    if span is None:
        return
    after, last = span[0] - 1, span[1]
    while after < last:

        async def read(tx: Tx, after: int = after) -> tuple[list[Row], dict[int, list[str]]]:
            rows = await ratings.export_page(tx, units, m.lo, m.hi, after, last, page)
            return rows, await ratings.reasons_of(tx, [int(r["id"]) for r in rows])

        rows, reasons = await store.read(read)
        if not rows:
            return
        yield [_rating(r, reasons.get(int(r["id"]), []), tz, keys, names) for r in rows]
        after = int(rows[-1]["id"])
        if len(rows) < page:
            return


async def _officer_keys(tx: Tx) -> dict[str, tuple[set[str], set[str]]]:
    """Per unit code, the folded officer names that redaction looks for."""
    names: dict[str, list[str]] = {}
    for row in await officers.list_officers(tx, None):
        names.setdefault(str(row["unit"]), []).append(str(row["full_name"]))
    return {unit: officer_keys(found) for unit, found in names.items()}


def _rating(
    r: Row, reasons: list[str], tz: ZoneInfo, keys: Mapping[str, tuple[set[str], set[str]]], names: bool
) -> dict[str, Any]:
    comment, mentions = r["comment"], None
    if comment:
        found = redact(str(comment), keys=keys.get(str(r["unit"]), (set(), set())))
        comment, mentions = found.text, found.mentions_person
        if mentions and not names:
            comment = None
    return {
        "id": int(r["id"]),
        "created_at": datetime.fromtimestamp(int(r["created_at"]) / 1000, tz),
        "unit": r["unit"],
        "counter": r["counter"],
        "officer": r["officer"],
        "dossier": r["dossier_code"],
        "source": r["source"],
        "level": r["level"],
        "scale": r["scale"],
        "reasons": ";".join(reasons),
        "comment": comment,
        "comment_mentions_person": mentions,
        "time_to_tap_ms": r["time_to_tap_ms"],
        "device": r["device"],
        "instrument": r["instrument"],
    }


FIGURE_COLUMNS = (
    Column("measure", "text", "Chỉ số (xem các dòng measure = … bên dưới)", "Measure (see the measure = … rows below)"),
    Column("n", "int", "Số lượt (mẫu số)", "Count (denominator)"),
    Column("x", "int", "Số lượt đạt (tử số)", "Count meeting it (numerator)"),
    Column(
        "value",
        "share",
        "Giá trị, từ 0 đến 1; để trống khi quá ít để đánh giá",
        "Value from 0 to 1; empty when too few to judge",
    ),
    Column("ci_low", "share", "Cận dưới khoảng tin cậy 95 %", "Lower bound of the 95 % interval"),
    Column("ci_high", "share", "Cận trên khoảng tin cậy 95 %", "Upper bound of the 95 % interval"),
    Column("excluded", "int", "Số lượt không tính (cán bộ nhập, không áp dụng)", "Left out (staff-entered, n/a)"),
    Column("suppressed", "bool", "Quá ít để đánh giá (true/false)", "Too few to judge (true/false)"),
)
INDICES = Table(
    "indices",
    "Các chỉ số của đơn vị đã chọn (cả các đơn vị trực thuộc) và của từng đơn vị cấp dưới trực tiếp, trong kỳ.",
    "The figures of the chosen unit (with everything under it) and of each unit directly under it, for the period.",
    (
        Column("unit", "text", "Mã đơn vị", "Unit code"),
        Column("unit_name", "text", "Tên đơn vị", "Unit name"),
        Column("from", "text", "Ngày đầu kỳ", "First day of the period"),
        Column("to", "text", "Ngày cuối kỳ", "Last day of the period"),
        *FIGURE_COLUMNS,
    ),
)


def _measures() -> tuple[tuple[str, str, str, str], ...]:
    """Every measure an indices export holds, in both languages (the pages' own words)."""
    from web.dashboard.figures import MEASURES, factors, measure_name
    from web.i18n import text

    vi, en = text("vi"), text("en")
    codes = [*MEASURES, *(f"sipas_factor:{code}" for code in factors())]
    return tuple(("measure", m, measure_name(m, vi), measure_name(m, en)) for m in codes)


INDICES = replace(INDICES, values=_measures())
OFFICERS = Table(
    "officers",
    "Điểm của công chức: ước lượng Bayes thực nghiệm với khoảng tin cậy 95 %, vị trí trên biểu đồ phễu;"
    " công chức có quá ít đánh giá chỉ có n.",
    "Officer scores: empirical-Bayes estimate with its 95 % interval and funnel position; officers with too"
    " few ratings have their n only.",
    (
        Column("officer", "text", "Mã công chức", "Officer code"),
        Column("name", "text", "Họ tên", "Full name"),
        Column("unit", "text", "Mã đơn vị", "Unit code"),
        Column("from", "text", "Ngày đầu kỳ", "First day of the period"),
        Column("to", "text", "Ngày cuối kỳ", "Last day of the period"),
        Column("n", "int", "Số lượt đánh giá của người dân", "Citizen ratings"),
        Column("x", "int", "Số lượt hài lòng", "Satisfied ratings"),
        Column("raw_rate", "share", "Tỷ lệ hài lòng thô", "Raw share satisfied"),
        Column("estimate", "share", "Ước lượng (co về tỷ lệ chung của nhóm)", "Estimate (shrunk toward the group)"),
        Column("ci_low", "share", "Cận dưới khoảng tin cậy 95 %", "Lower bound of the 95 % interval"),
        Column("ci_high", "share", "Cận trên khoảng tin cậy 95 %", "Upper bound of the 95 % interval"),
        Column(
            "funnel",
            "text",
            "Vị trí trên biểu đồ phễu: within, above_95, above_998, below_95, below_998",
            "Funnel position: within, above_95, above_998, below_95, below_998",
        ),
        Column("suppressed", "bool", "Ẩn vì quá ít đánh giá (true/false)", "Hidden: too few ratings (true/false)"),
    ),
)


def _figure_row(unit: Any, where: Scope, f: Any) -> dict[str, Any]:
    period = {"from": where.first.isoformat(), "to": where.last.isoformat()}
    return {"unit": unit.code, "unit_name": unit.name, **period, **msgspec.structs.asdict(f), "change": None}


async def index_pages(store: Store, viewer: Viewer, where: Scope) -> AsyncIterator[Sequence[Mapping[str, Any]]]:
    """The unit's overview figures, then each child's drill-down figures (the children the viewer may see)."""
    whole = await views.overview(store, viewer, where.unit_code, where.first, where.last)
    yield [_figure_row(whole.unit, where, f) for f in whole.figures]
    down = await views.drilldown(store, viewer, where.unit_code, where.first, where.last)
    yield [_figure_row(child.unit, where, f) for child in down.children for f in child.figures]


async def officer_pages(store: Store, viewer: Viewer, where: Scope) -> AsyncIterator[Sequence[Mapping[str, Any]]]:
    found = await views.officer_scores(store, viewer, where.unit_code, where.first, where.last)
    period = {"from": where.first.isoformat(), "to": where.last.isoformat()}
    yield [{**msgspec.structs.asdict(o), **period, "limits": None} for o in found.officers]
