"""Series and period reports with past, running and future sessions: numbers, exports, limits, bad dates."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from eventapp.attendance import reports
from eventapp.directory.models import OrganisationKind
from eventapp.events.models import EventMode, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationStatus

URL = "/console/attendance/series-report"


@pytest.fixture
def mixed(make_event, make_site, make_organisation, make_person, add_site_to_event, make_registration):
    """A series with two completed sessions, one running now, one next week, plus a draft and a cancelled one."""
    series = EventSeries(kind="press_briefing", title="Họp báo định kỳ", rrule="FREQ=WEEKLY",
                         dtstart_local=datetime(2024, 1, 4, 9, 0), duration_minutes=120)
    db.session.add(series)
    db.session.flush()
    outlet = make_organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Tuổi Trẻ")
    sites = [make_site(), make_site()]
    people = [make_person(f"Phóng viên {i}", organisation_id=outlet.id) for i in range(8)]
    now = utcnow().replace(microsecond=0)
    starts = [now - timedelta(days=20), now - timedelta(days=10), now - timedelta(minutes=30),
              now + timedelta(days=7)]
    extra = [(EventStatus.DRAFT, now - timedelta(days=5)), (EventStatus.CANCELLED, now - timedelta(days=3))]
    sessions, others = [], []
    for n, (status, start) in enumerate([(EventStatus.PUBLISHED, s) for s in starts] + extra):
        event = make_event(title=f"Họp báo kỳ {n + 1}", mode=EventMode.HYBRID, starts_at=start, status=status,
                           series_id=series.id, original_start=start)
        (sessions if status == EventStatus.PUBLISHED else others).append(event)
        for site in sites:
            add_site_to_event(event, site)
        for i, person in enumerate(people):
            site = [None, sites[0], sites[1]][i % 3]
            checked = start <= now and i % 2 == 0  # the running session has arrivals too
            make_registration(
                event, person=person, site=site,
                status=RegistrationStatus.WAITLISTED if i == 7 else RegistrationStatus.APPROVED,
                checked_in_at=start + timedelta(minutes=5) if checked else None,
                checkin_method=CheckinMethod.SCAN if checked else None)
    db.session.commit()
    return {"series": series, "sessions": sessions, "others": others, "completed": sessions[:2],
            "upcoming": sessions[2:], "sites": sites}


def direct(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(*where))


APPROVED = Registration.status == RegistrationStatus.APPROVED
CHECKED = Registration.checked_in_at.is_not(None)


def test_only_published_sessions_are_reported(mixed) -> None:
    expected = [s.id for s in mixed["sessions"]]
    sessions, truncated = reports.fetch_sessions(series_id=mixed["series"].id)
    assert [s.id for s in sessions] == expected and not truncated
    now = utcnow()
    period, _ = reports.fetch_sessions(start=now - timedelta(days=30), end=now + timedelta(days=30))
    assert [s.id for s in period] == expected  # the draft and the cancelled session are left out
    assert reports.upcoming_ids(sessions) == {s.id for s in mixed["upcoming"]}


def test_matrix_and_participation_count_only_completed_sessions(mixed) -> None:
    sessions, _ = reports.fetch_sessions(series_id=mixed["series"].id)
    ids = [s.id for s in sessions]
    done = [s.id for s in mixed["completed"]]
    rows, sites = reports.fetch_rows(ids), reports.fetch_sites(ids)
    matrix = reports.site_matrix(sessions, rows, sites)
    assert len(matrix) == 2
    for site_row, cells in matrix:
        at_site = Registration.site_id == site_row.site_id
        for session, cell in zip(sessions, cells, strict=True):
            in_session = Registration.event_id == session.id
            assert cell.registered == direct(in_session, at_site, APPROVED)
            assert cell.upcoming == (session.id not in done)
            if cell.upcoming:
                assert cell.rate is None
            else:
                assert cell.present == direct(in_session, at_site, CHECKED)
                assert cell.rate == cell.present / cell.registered
        total = reports.total(cells)
        assert total.registered == direct(Registration.event_id.in_(done), at_site, APPROVED)
        assert total.present == direct(Registration.event_id.in_(done), at_site, CHECKED)
    people = reports.participation(sessions, rows)
    assert len(people) == 8
    for person in people:
        mine = Registration.person_id == person.person_id
        assert person.registered == direct(mine, Registration.event_id.in_(done), APPROVED)
        assert person.attended == direct(mine, Registration.event_id.in_(done), CHECKED)
        assert set(person.marks[2:]) == ({"other"} if person.name.endswith("7") else {"upcoming"})


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_people_csv_never_calls_a_future_session_a_no_show(organiser, mixed) -> None:
    lines = _csv(organiser.get(URL, query_string={"series_id": mixed["series"].id, "format": "csv",
                                                 "table": "people"}))
    body = lines[1:]
    assert len(body) == 8
    past_marks = {line[i] for line in body for i in (2, 3)} - {""}
    future_marks = {line[i] for line in body for i in (4, 5)} - {""}
    assert len(past_marks) == 3 and len(future_marks) == 2  # attended, no-show, not approved / upcoming
    assert not future_marks & (past_marks - {body[-1][2]})  # the last line is the not-approved one
    for line in body:  # totals: the two completed sessions only
        number = int(line[0].rsplit(" ", 1)[1])
        assert line[-2:] == (["0", "0"] if number == 7 else [str(2 * (number % 2 == 0)), "2"]), line


def test_matrix_exports_numbers_in_separate_cells(organiser, mixed) -> None:
    query = {"series_id": mixed["series"].id, "table": "matrix"}
    lines = _csv(organiser.get(URL, query_string={**query, "format": "csv"}))
    headers, body = lines[0], lines[1:]
    assert len(headers) == 1 + 3 * 4 + 3 and len(body) == 2
    done = [s.id for s in mixed["completed"]]
    for line in body:
        site_id = next(s.id for s in mixed["sites"] if s.name == line[0])
        at_site = Registration.site_id == site_id
        for n, session in enumerate(mixed["sessions"]):
            present, registered, rate = line[1 + 3 * n: 4 + 3 * n]
            assert registered == str(direct(Registration.event_id == session.id, at_site, APPROVED))
            if session.id in done:
                assert present == str(direct(Registration.event_id == session.id, at_site, CHECKED))
                assert rate == str(round(int(present) * 100 / int(registered)))
            else:
                assert not present.isdigit() and present and rate == ""
        present, registered, rate = line[-3:]
        assert present == str(direct(Registration.event_id.in_(done), at_site, CHECKED))
        assert registered == str(direct(Registration.event_id.in_(done), at_site, APPROVED))
        assert rate == str(round(int(present) * 100 / int(registered)))
        assert not any("/" in value for value in line)
    xlsx = organiser.get(URL, query_string={**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).worksheets[0]
    first = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert all(isinstance(v, int) for v in first[1:7] + first[-3:])


def test_page_marks_upcoming_sessions(organiser, mixed) -> None:
    page = organiser.get(URL, query_string={"series_id": mixed["series"].id}).get_data(as_text=True)
    assert 'data-session-count="4"' in page and 'data-upcoming-count="2"' in page
    assert page.count("session-upcoming") == 2 and "data-truncated" not in page
    assert ">—</text>" in page  # the heat map's upcoming cells


def test_truncated_session_list_is_announced(organiser, mixed, monkeypatch) -> None:
    monkeypatch.setattr(reports, "MAX_SESSIONS", 3)
    sessions, truncated = reports.fetch_sessions(series_id=mixed["series"].id)
    assert [s.id for s in sessions] == [s.id for s in mixed["sessions"][:3]] and truncated
    page = organiser.get(URL, query_string={"series_id": mixed["series"].id}).get_data(as_text=True)
    assert 'data-session-count="3"' in page and "data-truncated" in page


@pytest.mark.parametrize("dates", [
    {"start": "0001-01-01"}, {"end": "9999-12-31"}, {"start": "1999-12-31"}, {"end": "2101-01-01"},
    {"start": "nonsense"}, {"start": "2026-13-01"}, {"start": "2027-01-01", "end": "2026-01-01"},
])
def test_bad_periods_are_a_form_error_not_a_500(organiser, dates) -> None:
    for fmt in ({}, {"format": "csv"}):
        response = organiser.get(URL, query_string={**dates, **fmt})
        assert response.status_code == 400
        assert "data-period-error" in response.get_data(as_text=True)


def test_the_widest_period_is_accepted(organiser, mixed) -> None:
    response = organiser.get(URL, query_string={"start": "2000-01-01", "end": "2100-12-31"})
    assert response.status_code == 200 and 'data-session-count="4"' in response.get_data(as_text=True)
    assert reports.period("2000-01-01", "2100-12-31", "Asia/Ho_Chi_Minh")[1].year == 2100
