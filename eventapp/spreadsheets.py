"""Reading CSV/XLSX uploads and writing safe CSV/XLSX exports (shared by every domain)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from zipfile import BadZipFile, ZipFile

from flask import Response
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MAX_ROWS = 20_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Limits:
    """What one file may hold, checked before and while reading so that a hostile file (a zip bomb,
    a million blank rows, one giant shared string) costs bounded time and memory. Blank rows count
    toward max_rows: skipping them unbounded is what made a 29 KB file take seconds."""

    max_rows: int = MAX_ROWS          # data rows, blank ones included
    max_columns: int = 50
    max_cells: int = 500_000          # cells per sheet, empty ones written in the file included
    max_entries: int = 200            # files inside an .xlsx (a real one has about a dozen)
    max_part_bytes: int = 32 << 20    # the uncompressed size of any one of them (sheet, shared strings)
    max_total_bytes: int = 64 << 20   # all of them together


# A person-sized upload from the console: 2,000 rows of the 4-column template are ~0.4 MB of XML.
# openpyxl spends ~40 µs and ~1 KB per cell it parses, so cells are what bounds the cost.
UPLOAD_LIMITS = Limits(max_rows=2_000, max_columns=20, max_cells=24_000, max_entries=100,
                       max_part_bytes=3 << 19, max_total_bytes=4 << 20)
# A row or a cell element of a worksheet, with or without a namespace prefix.
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]")


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; the message is shown to the user."""


@dataclass(frozen=True)
class Table:
    """Headers (normalised to lower snake case) and data rows with their 1-based sheet row numbers."""

    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _header_key(value: Any) -> str:
    return _clean(value).lower().replace(" ", "_").replace("-", "_")


def _table(raw_rows: Iterable[Sequence[Any]], limits: Limits) -> Table:
    iterator = iter(raw_rows)
    try:
        header_row = next(iterator)
    except StopIteration:
        raise SpreadsheetError("empty") from None
    if len(header_row) > limits.max_columns and any(v not in (None, "") for v in header_row[limits.max_columns:]):
        raise SpreadsheetError("too_many_columns")
    headers = [_header_key(h) for h in header_row[:limits.max_columns]]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise SpreadsheetError("no_header")
    rows: list[tuple[int, dict[str, str]]] = []
    cells = 0
    for number, raw in enumerate(iterator, start=2):
        if number - 1 > limits.max_rows:  # blank rows count too: each one costs reading
            raise SpreadsheetError("too_many_rows")
        if len(raw) > limits.max_columns and any(v not in (None, "") for v in raw[limits.max_columns:]):
            raise SpreadsheetError("too_many_columns")
        values = [_clean(v) for v in raw[:limits.max_columns]]
        cells += sum(1 for v in values if v)
        if cells > limits.max_cells:
            raise SpreadsheetError("too_many_cells")
        if not any(values):
            continue  # blank lines are not errors
        record = {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers) if h}
        rows.append((number, record))
    return Table(headers=headers, rows=rows)


def read_table(stream: IO[bytes], filename: str, limits: Limits = Limits()) -> Table:
    """Parse an uploaded .csv (UTF-8, with or without BOM) or .xlsx file into a Table, within `limits`
    (SpreadsheetError with a code otherwise)."""
    name = (filename or "").lower()
    data = stream.read()
    if name.endswith(".xlsx"):
        return _read_xlsx(data, limits)
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SpreadsheetError("not_utf8") from None
        if "\x00" in text:
            raise SpreadsheetError("binary")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            return _table(csv.reader(io.StringIO(text), dialect), limits)
        except csv.Error:
            raise SpreadsheetError("malformed") from None
    raise SpreadsheetError("unsupported_type")


def check_xlsx_before_parsing(data: bytes, limits: Limits) -> None:
    """Refuse a workbook before openpyxl sees it. From the zip directory alone: too many entries or
    too much uncompressed data (a zip bomb, one giant shared string) — zipfile never inflates an
    entry beyond the size its directory declares (it stops and fails the CRC), so those sizes hold.
    Then a byte scan of each worksheet (bounded by the above) counts rows and cell elements, so
    that a row of 100,000 cells or a million blank rows never reaches the XML parser."""
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > limits.max_entries:
                raise SpreadsheetError("too_large_inside")
            if any(e.file_size > limits.max_part_bytes for e in entries) or \
                    sum(e.file_size for e in entries) > limits.max_total_bytes:
                raise SpreadsheetError("too_large_inside")
            for entry in entries:
                # Every XML part, not only xl/worksheets/: a workbook may name its sheet anywhere
                # (its relationships say where), and openpyxl follows them.
                if entry.filename.endswith(".xml"):
                    _scan_sheet(archive.read(entry), limits)
    except (BadZipFile, ValueError, OSError, EOFError) as error:
        if isinstance(error, SpreadsheetError):
            raise
        raise SpreadsheetError("malformed") from None


def _scan_sheet(xml: bytes, limits: Limits) -> None:
    rows = cells = in_row = 0
    for match in _ROW_OR_CELL.finditer(xml):
        if match.group(1) == b"row":
            rows, in_row = rows + 1, 0
            if rows > limits.max_rows + 1:  # the header and max_rows rows, blank ones included
                raise SpreadsheetError("too_many_rows")
        else:
            cells, in_row = cells + 1, in_row + 1
            if in_row > limits.max_columns:
                raise SpreadsheetError("too_many_columns")
            if cells > limits.max_cells:
                raise SpreadsheetError("too_many_cells")


def _read_xlsx(data: bytes, limits: Limits) -> Table:
    check_xlsx_before_parsing(data, limits)
    try:
        # read_only streams the sheet; data_only takes cached values, never evaluating formulas.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise SpreadsheetError("malformed") from None
    try:
        sheet = workbook.worksheets[0]
        # Explicit bounds: openpyxl would otherwise pad every row (blank ones included) to the
        # sheet's declared dimension, up to 16,384 columns and 1,048,576 rows.
        rows = sheet.iter_rows(min_row=1, max_row=limits.max_rows + 2, max_col=limits.max_columns + 1,
                               values_only=True)
        return _table(rows, limits)
    finally:
        workbook.close()


# A formula trigger at the start of the text or after anything a spreadsheet may split a CSV
# line on: "," or ";" (the list separator where the decimal mark is a comma, as in Vietnamese
# locales), tab, "|", or a line break. Spaces in between are skipped by spreadsheets too.
FORMULA_START = re.compile(r"(^|[,;\t|\r\n])([ \u00a0]*)(?=[" + re.escape("".join(FORMULA_PREFIXES)) + "])")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, anywhere it may start a cell (first
    character, or after a separator), gets an apostrophe before the trigger. The one rule for
    every CSV and XLSX export."""
    if isinstance(value, str):
        return FORMULA_START.sub(lambda m: f"{m.group(1)}{m.group(2)}'", value)
    return value


CSV_DATETIME = "%Y-%m-%d %H:%M"  # read as a date-time by Excel and LibreOffice in any locale
XLSX_DATETIME = "dd/mm/yyyy hh:mm"  # a real date cell, shown the Vietnamese way
XLSX_DATE = "dd/mm/yyyy"
MAX_WIDTH = 60


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:{CSV_DATETIME}}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return neutralise(value)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM so Excel shows Vietnamese correctly; formula-injection safe.

    Date-times are given as naive local wall times (the caller converts from UTC).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet1"


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1") -> bytes:
    """An .xlsx workbook with one sheet for people to read: a bold header that stays in view, a
    filter on every column, readable widths, real date cells; formula-like text is neutralised.

    Date-times are given as naive local wall times (Excel has no time zones).
    """
    rows = [list(row) for row in rows]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    columns = max(len(headers), max((len(row) for row in rows), default=0), 1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{len(rows) + 1}"
    for index in range(columns):
        sample = [headers[index] if index < len(headers) else ""]
        sample += [row[index] for row in rows[:500] if index < len(row) and row[index] is not None]
        width = min(max(_width(v) for v in sample) + 3, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(width, 8)
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        line = []
        for value in row:
            if isinstance(value, datetime | date):
                # openpyxl writes dates too; its stubs list only datetime
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                cell.number_format = XLSX_DATETIME if isinstance(value, datetime) else XLSX_DATE
                line.append(cell)
            else:
                line.append(neutralise(value))
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Full Content-Type values, passed as `content_type` so Flask does not append a second charset.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
             title: str = "") -> Response:
    """Every export's response (the one download helper): CSV (UTF-8 with BOM) or XLSX (its sheet
    named `title`, else after the file), formula-safe, never cached."""
    title = title or filename[:31]
    body = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows, title=title)
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def slug(text: str, limit: int = 60) -> str:
    """ASCII words joined by hyphens ("Hội nghị Đà Nẵng" -> "hoi-nghi-da-nang") for file names."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return words[:limit].rstrip("-")


def export_filename(what: str, title: str, day: date | None = None) -> str:
    """A file name that says what it holds: "dang-ky-hop-bao-thuong-ky-2027-01-07" (no extension)."""
    parts = [slug(what, 30), slug(title), f"{day:%Y-%m-%d}" if day else ""]
    return "-".join(p for p in parts if p) or "export"
