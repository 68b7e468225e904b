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

MAX_ROWS = 20_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def _table(raw_rows: Iterable[Sequence[Any]]) -> Table:
    iterator = iter(raw_rows)
    try:
        header_row = next(iterator)
    except StopIteration:
        raise SpreadsheetError("empty") from None
    headers = [_header_key(h) for h in header_row]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise SpreadsheetError("no_header")
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(iterator, start=2):
        values = [_clean(v) for v in raw]
        if not any(values):
            continue  # blank lines are not errors
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetError("too_many_rows")
        record = {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers) if h}
        rows.append((number, record))
    return Table(headers=headers, rows=rows)


def read_table(stream: IO[bytes], filename: str) -> Table:
    """Parse an uploaded .csv (UTF-8, with or without BOM) or .xlsx file into a Table."""
    name = (filename or "").lower()
    data = stream.read()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
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
            return _table(csv.reader(io.StringIO(text), dialect))
        except csv.Error:
            raise SpreadsheetError("malformed") from None
    raise SpreadsheetError("unsupported_type")


def _read_xlsx(data: bytes) -> Table:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        # read_only streams the sheet; data_only takes cached values, never evaluating formulas.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise SpreadsheetError("malformed") from None
    try:
        sheet = workbook.worksheets[0]
        return _table(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula (= + - @) with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
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
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

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
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = XLSX_DATETIME if isinstance(value, datetime) else XLSX_DATE
                line.append(cell)
            else:
                line.append(neutralise(value))
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
