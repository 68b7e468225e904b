"""The shipped network (63 Sở + 3 Ministry sites) and `flask directory import` (all rows or none)."""

from __future__ import annotations

import io
import unicodedata

import sqlalchemy as sa
from openpyxl import Workbook

from eventapp.directory.models import Organisation, OrganisationKind, Person, Site
from eventapp.directory.services import seed_network
from eventapp.extensions import db


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_seed_ships_63_departments_and_3_ministry_sites_idempotently(app) -> None:
    seed_network()
    seed_network()
    db.session.commit()
    assert _count(Site, ~Site.is_ministry_location) == 63
    assert _count(Site, Site.is_ministry_location) == 3
    assert _count(Organisation, Organisation.kind == OrganisationKind.PROVINCIAL_DEPARTMENT) == 63
    units = set(db.session.scalars(sa.select(Organisation.name).where(
        Organisation.kind == OrganisationKind.MINISTRY_UNIT)))
    assert len(units) == 32
    assert {"Trung tâm Thông tin", "Cục Báo chí", "Cục An toàn thông tin", "Vụ Kinh tế số - Xã hội số"} <= units
    hcm = db.session.scalar(sa.select(Site).where(Site.code == "P79"))
    assert hcm.name == "Sở TT&TT Thành phố Hồ Chí Minh" and hcm.region.value == "southeast"


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def test_import_people_csv_keeps_vietnamese_and_updates_by_email(app, tmp_path, make_organisation) -> None:
    make_organisation(OrganisationKind.PRESS_OUTLET, name="Báo Thanh tra")
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    path = _write(tmp_path, "people.csv",
                  "full_name,email,organisation,position\n"
                  f"{decomposed},nhung@example.vn,Báo Thanh tra,Phóng viên\n"
                  "Lê Văn Đức,duc@example.vn,,Biên tập viên\n")
    result = app.test_cli_runner().invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "created 2" in result.output
    person = db.session.scalar(sa.select(Person).where(Person.email_normalised == "nhung@example.vn"))
    assert person.full_name == "Nguyễn Thị Hồng Nhung"  # stored NFC
    assert person.organisation.name == "Báo Thanh tra"

    again = _write(tmp_path, "again.csv", "full_name,email,position\nNguyễn Thị Hồng Nhung,NHUNG@example.vn,Trưởng ban\n")
    result = app.test_cli_runner().invoke(args=["directory", "import", str(again)])
    assert "created 0, updated 1" in result.output
    db.session.refresh(person)
    assert person.position == "Trưởng ban" and _count(Person) == 2


def test_file_with_bad_rows_imports_nothing_and_names_rows(app, tmp_path) -> None:
    path = _write(tmp_path, "bad.csv",
                  "full_name,email,organisation\n"
                  "Hoàng Văn Em,em@example.vn,\n"
                  ",missing-name@example.vn,\n"
                  "Vũ Thị Phương,not-an-email,\n"
                  "Đặng Văn Giang,em@example.vn,\n"
                  "Bùi Thị Hạnh,hanh@example.vn,Không tồn tại\n")
    result = app.test_cli_runner().invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 1
    for row in ("row 3 [full_name]", "row 4 [email]", "row 5 [email]", "row 6 [organisation]"):
        assert row in result.output
    assert "row 2" not in result.output
    assert _count(Person) == 0


def test_import_sites_from_xlsx(app, tmp_path, make_organisation) -> None:
    org = make_organisation(name="Sở TT&TT Hà Tây")
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "organisation", "region", "address", "is_ministry_location"])
    sheet.append(["P99", "Sở TT&TT Hà Tây", org.name, "Đồng bằng sông Hồng", "Hà Đông", "không"])
    sheet.append(["BO-HP", "Văn phòng Bộ tại Hải Phòng", None, None, "Hải Phòng", "có"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "sites.xlsx"
    path.write_bytes(buffer.getvalue())
    result = app.test_cli_runner().invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0, result.output
    site = db.session.scalar(sa.select(Site).where(Site.code == "P99"))
    assert site.organisation_id == org.id and site.region.value == "red_river_delta"
    assert db.session.scalar(sa.select(Site).where(Site.code == "BO-HP")).is_ministry_location


def test_malformed_xlsx_is_a_clear_error(app, tmp_path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    result = app.test_cli_runner().invoke(args=["directory", "import", str(path)])
    assert result.exit_code != 0 and "cannot read broken.xlsx" in result.output


def test_unknown_columns_are_reported(app, tmp_path) -> None:
    path = _write(tmp_path, "odd.csv", "foo,bar\n1,2\n")
    result = app.test_cli_runner().invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 1 and "row 1" in result.output
