"""Issue #14 (3): a hostile spreadsheet (blank rows by the ten thousand, a zip bomb, one giant shared
string, endless columns) is refused with a translated message, before parsing or after bounded work.

No timings: "bounded" is shown by counting what the XML parser was made to read, and "before
parsing" by openpyxl never being called.
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.worksheet._reader import WorkSheetParser

from eventapp import spreadsheets
from eventapp.accounts.models import Role
from eventapp.events.models import EventMode
from eventapp.extensions import db
from eventapp.registrations.imports import MAX_IMPORT_ROWS
from eventapp.registrations.models import Registration
from tests.conftest import PASSWORD

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The workbook with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
        for name in set(replace) - set(source.namelist()):
            target.writestr(name, replace[name])
    return buffer.getvalue()


def blank_rows_workbook(blank_rows: int, last_column: str = "Z") -> bytes:
    """A header, one person, then `blank_rows` empty <row/> elements: ~30 KB once compressed."""
    rows = "".join(f'<row r="{n}"/>' for n in range(3, blank_rows + 3))
    sheet = (f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:{last_column}{blank_rows + 2}"/><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>Nguyễn An</t></is></c></row>'
             f"{rows}</sheetData></worksheet>").encode()
    return rezip(workbook_bytes([["x"]]), {SHEET: sheet})


def zip_bomb() -> bytes:
    """The sheet inflates to 40 MB from about 40 KB."""
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode() + b" " * 40_000_000 + b"</sheetData></worksheet>"
    return rezip(workbook_bytes([["Họ và tên"], ["An"]]), {SHEET: sheet})


def giant_shared_string() -> bytes:
    """One shared string of 20 million characters (~20 KB compressed), used by cell A2: hundreds of
    MB once parsed. (openpyxl writes inline strings, so the table is added by hand.)"""
    base = workbook_bytes([["Họ và tên"], ["An"]])
    types = zipfile.ZipFile(io.BytesIO(base)).read("[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
    strings = (f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode() + b"A" * 20_000_000
               + b"</t></si></sst>")
    sheet = (f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c></row>'
             '<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>').encode()
    return rezip(base, {"xl/sharedStrings.xml": strings, "[Content_Types].xml": types, SHEET: sheet})


@pytest.fixture
def parsed_rows(monkeypatch):
    """How many rows openpyxl's sheet parser produced (the work a file costs)."""
    count = {"rows": 0}
    original = WorkSheetParser.parse

    def counting(self):
        for item in original(self):
            count["rows"] += 1
            yield item
    monkeypatch.setattr(WorkSheetParser, "parse", counting)
    return count


@pytest.fixture
def openpyxl_calls(monkeypatch):
    calls = []
    original = openpyxl.load_workbook

    def spy(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)
    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    return calls


@pytest.fixture
def coordinator(app, make_event, make_site, add_site_to_event, make_user):
    event = make_event(title="Hội nghị tập huấn", mode=EventMode.HYBRID, capacity=100,
                       online_url="https://meet.example/tap-huan")
    site = make_site()
    add_site_to_event(event, site, quota=50)
    user = make_user(Role.SITE_COORDINATOR, email="so@example.vn", site=site)
    db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302

    def upload(data: bytes, name: str) -> str:
        response = client.post(f"/console/site/{site.id}/events/{event.id}/import",
                               data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert response.status_code == 302, response.status_code  # back to the form, with the message
        return client.get(response.headers["Location"]).get_data(as_text=True)
    return upload


def _registrations() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_blank_rows_count_toward_the_limit_and_stop_the_reading(coordinator, parsed_rows) -> None:
    data = blank_rows_workbook(30_000)
    assert len(data) < 100_000  # a small upload, far under the 2 MB limit
    page = coordinator(data, "danh-sach.xlsx")
    assert "quá nhiều dòng" in page and str(MAX_IMPORT_ROWS) in page, page[page.find("alert"):][:600]
    assert parsed_rows["rows"] <= MAX_IMPORT_ROWS + 3  # stopped at the limit, not 30,002 rows later
    assert _registrations() == 0


def test_a_zip_bomb_is_refused_before_parsing(coordinator, openpyxl_calls) -> None:
    page = coordinator(zip_bomb(), "danh-sach.xlsx")
    assert "quá lớn khi giải nén" in page
    assert openpyxl_calls == []
    assert _registrations() == 0


def test_one_giant_shared_string_is_refused_before_parsing(coordinator, openpyxl_calls) -> None:
    data = giant_shared_string()
    assert len(data) < 100_000
    page = coordinator(data, "danh-sach.xlsx")
    assert "quá lớn khi giải nén" in page
    assert openpyxl_calls == []


def test_too_many_entries_in_the_zip_are_refused_before_parsing(coordinator, openpyxl_calls) -> None:
    extra = {f"xl/media/pad{i}.bin": b"" for i in range(500)}
    base = workbook_bytes([["Họ và tên"], ["An"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        source = zipfile.ZipFile(io.BytesIO(base))
        for name in source.namelist():
            target.writestr(name, source.read(name))
        for name, content in extra.items():
            target.writestr(name, content)
    page = coordinator(buffer.getvalue(), "danh-sach.xlsx")
    assert "quá lớn khi giải nén" in page
    assert openpyxl_calls == []


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_too_many_columns_get_a_message(coordinator, fmt) -> None:
    rows = [["Họ và tên", *[f"Cột {i}" for i in range(200)]], ["Nguyễn An", *["x"] * 200]]
    if fmt == "xlsx":
        data = workbook_bytes(rows)
    else:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        data = buffer.getvalue().encode()
    page = coordinator(data, f"danh-sach.{fmt}")
    assert "quá nhiều cột" in page
    assert _registrations() == 0


def test_a_csv_of_blank_lines_counts_them(coordinator) -> None:
    data = ("Họ và tên\nNguyễn An\n" + "\n" * 50_000).encode()
    page = coordinator(data, "danh-sach.csv")
    assert "quá nhiều dòng" in page


def test_a_full_but_honest_file_is_still_read(app) -> None:
    """The limits leave room for the largest real import: MAX_IMPORT_ROWS people and a few blank rows
    in between are fine."""
    from eventapp.registrations.imports import IMPORT_LIMITS

    rows = [["Họ và tên", "E-mail"]] + [[f"Người {i}", f"nguoi{i}@so.gov.vn"] for i in range(MAX_IMPORT_ROWS - 5)]
    rows[10:10] = [[None, None]] * 5
    table = spreadsheets.read_table(io.BytesIO(workbook_bytes(rows)), "danh-sach.xlsx", IMPORT_LIMITS)
    assert len(table.rows) == MAX_IMPORT_ROWS - 5


def test_a_row_of_thirty_thousand_cells_never_reaches_the_parser(coordinator, openpyxl_calls) -> None:
    """Each cell element costs the XML parser about 1 KB and 40 µs, empty or not: counted first."""
    row = '<row r="2">' + "<c><v>1</v></c>" * 30_000 + "</row>"
    sheet = (f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
             f'<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c></row>{row}'
             "</sheetData></worksheet>").encode()
    page = coordinator(rezip(workbook_bytes([["x"]]), {SHEET: sheet}), "danh-sach.xlsx")
    assert "quá nhiều cột" in page
    assert openpyxl_calls == []


def test_a_sheet_kept_outside_the_worksheets_folder_is_scanned_too(openpyxl_calls) -> None:
    """The workbook's relationships may put its sheet anywhere; openpyxl follows them, so the
    byte scan must look at every XML part (a row of 30,000 cells hidden in xl/s/sheet1.xml)."""
    import io
    import zipfile

    from openpyxl import Workbook

    from eventapp.spreadsheets import SpreadsheetError, read_table

    workbook = Workbook()
    workbook.active.append(["Họ và tên"] + [f"c{i}" for i in range(3)])
    plain = io.BytesIO()
    workbook.save(plain)
    hidden = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hidden, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                cells = b"".join(b'<c r="A1"><v>1</v></c>' for _ in range(30_000))
                data = data.replace(b"<sheetData>", b"<sheetData><row r=\"2\">" + cells + b"</row>")
                target.writestr("xl/s/sheet1.xml", data)
                continue
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet1.xml", b"s/sheet1.xml")
            target.writestr(item, data)
    try:
        read_table(io.BytesIO(hidden.getvalue()), "danh-sach.xlsx")
    except SpreadsheetError as error:
        assert str(error) in {"too_many_cells", "too_many_columns"}
    else:
        raise AssertionError("the hidden sheet was read")
    assert openpyxl_calls == []  # refused by the byte scan, before openpyxl
