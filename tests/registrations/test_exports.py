"""Exports are for people: Vietnamese headers and labels, local times, a frozen header with a
filter, and file names that say which event they hold (opened with openpyxl, as Excel would)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.registrations.models import RegistrationChannel, RegistrationStatus
from eventapp.spreadsheets import export_filename, slug

STARTS = datetime(2027, 1, 7, 1, 30, tzinfo=UTC)  # 08:30 on 07/01/2027 in Hà Nội
TITLE = "Hội nghị tập huấn kỹ năng phát ngôn — Đà Nẵng"
HEADERS = ["Mã đăng ký", "Họ và tên", "E-mail", "Điện thoại", "Cơ quan, đơn vị", "Chức vụ", "Số thẻ nhà báo",
           "Điểm cầu", "Kênh đăng ký", "Trạng thái", "Thời điểm đăng ký", "Thời điểm điểm danh"]


@pytest.fixture
def organiser(client, make_user, login):
    user = make_user(Role.ORGANISER)
    login(user)
    client.post("/language/vi")
    return user


@pytest.fixture
def event(make_event, make_person, make_registration, make_site):
    event = make_event(title=TITLE, starts_at=STARTS)
    make_registration(event, make_person(full_name="Nguyễn Thị Hằng", phone="0912000444"),
                      created_at=datetime(2026, 12, 31, 17, 30, tzinfo=UTC),  # 00:30 on 01/01 locally
                      checked_in_at=datetime(2027, 1, 7, 1, 20, tzinfo=UTC))
    make_registration(event, make_person(full_name="Trần Văn Bình"), status=RegistrationStatus.PENDING,
                      site=make_site(name="Sở TT&TT Đà Nẵng"), channel=RegistrationChannel.SITE,
                      created_at=datetime(2027, 1, 2, 3, 0, tzinfo=UTC))
    db.session.commit()
    return event


def _filename(response) -> str:
    return response.headers["Content-Disposition"].split('filename="', 1)[1].rstrip('"')


def test_xlsx_export_has_vietnamese_headers_local_times_and_a_frozen_filtered_header(
        client, organiser, event) -> None:
    response = client.get(f"/console/registrations/events/{event.id}/export.xlsx")
    assert response.status_code == 200
    assert _filename(response) == "dang-ky-hoi-nghi-tap-huan-ky-nang-phat-ngon-da-nang-2027-01-07.xlsx"
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "Đăng ký"
    assert [c.value for c in sheet[1]] == HEADERS and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"  # the header stays in view while scrolling
    assert sheet.auto_filter.ref == "A1:L3"  # every column can be filtered and sorted
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    hang, binh = rows["Nguyễn Thị Hằng"], rows["Trần Văn Bình"]
    assert hang[3] == "0912000444"  # the leading 0 is kept
    assert hang[8:10] == ("Biểu mẫu công khai", "Đã xác nhận")
    assert binh[7:10] == ("Sở TT&TT Đà Nẵng", "Điều phối viên điểm cầu", "Chờ xét duyệt")
    # Local wall times as real date cells (not UTC ISO text): 17:30 UTC on 31/12 is 00:30 on 01/01.
    assert hang[10] == datetime(2027, 1, 1, 0, 30) and hang[11] == datetime(2027, 1, 7, 8, 20)
    assert sheet["K2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet.column_dimensions["B"].width >= len("Nguyễn Thị Hằng")


def test_csv_export_is_vietnamese_with_local_times(client, organiser, event) -> None:
    response = client.get(f"/console/registrations/events/{event.id}/export.csv")
    assert _filename(response) == "dang-ky-hoi-nghi-tap-huan-ky-nang-phat-ngon-da-nang-2027-01-07.csv"
    text = response.data.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == HEADERS
    assert "2027-01-01 00:30" in text and "2027-01-07 08:20" in text
    assert "+00:00" not in text and "T17:30" not in text and "approved" not in text


def test_attendance_export_has_local_check_in_times_and_a_named_file(client, organiser, event) -> None:
    response = client.get(f"/console/attendance/events/{event.id}/report?format=xlsx")
    assert _filename(response).startswith("tinh-hinh-tham-du-hoi-nghi-tap-huan")
    assert _filename(response).endswith("-2027-01-07.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2"
    checked = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "Nguyễn Thị Hằng"]
    assert datetime(2027, 1, 7, 8, 20) in checked[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("Hội nghị Đà Nẵng", "hoi-nghi-da-nang"), ("  Họp báo: Q1/2027 — (Bộ TT&TT) ", "hop-bao-q1-2027-bo-tt-tt"),
    ("", ""), ("ưỡữ", "uou")])
def test_slugs_are_plain_ascii(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_export_filename_has_what_title_and_date() -> None:
    assert export_filename("Đăng ký", "Họp báo", datetime(2027, 1, 7).date()) == "dang-ky-hop-bao-2027-01-07"
    assert export_filename("", "") == "export"
