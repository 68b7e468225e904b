"""Reading CSV/XLSX uploads and writing safe CSV/XLSX exports (shared by every domain)."""

from __future__ import annotations

import csv
import io
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


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula (= + - @) with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
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
