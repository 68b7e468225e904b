"""Reading CSV/XLSX uploads and writing safe CSV/XLSX exports (shared by every domain)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM so Excel shows Vietnamese correctly; formula-injection safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1") -> bytes:
    """An .xlsx workbook with one sheet; formula-like text is neutralised."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    sheet.append([neutralise(h) for h in headers])
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Full Content-Type values, passed as `content_type` so Flask does not append a second charset.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
             title: str = "Sheet1"):  # noqa: ANN201 - a flask.Response
    """Every export's response: CSV (UTF-8 with BOM) or XLSX, formula-safe, never cached."""
    from flask import Response

    body = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows, title=title)
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
