"""Reports equal direct counts on a generated dataset; exports are safe; charts escape; no N+1."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from eventapp import spreadsheets
from eventapp.attendance import reports, svg
from eventapp.directory.models import OrganisationKind
from eventapp.events.models import EventMode, EventSeries, EventSite
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import (
    CheckinMethod,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)


@pytest.fixture
def dataset(make_event, make_site, make_organisation, make_person, add_site_to_event, make_registration):
    """A briefing series of 4 sessions, 5 sites, 3 outlets and 40 people, attendance drawn at random."""
    rng = random.Random(20231124)
    series = EventSeries(kind="press_briefing", title="Họp báo thường kỳ", rrule="FREQ=MONTHLY",
                         dtstart_local=datetime(2023, 1, 5, 9, 0), duration_minutes=90)
    db.session.add(series)
    db.session.flush()
    outlets = [make_organisation(kind=OrganisationKind.PRESS_OUTLET, name=n)
               for n in ("Báo Nhân Dân", "=HYPERLINK(\"x\")", "VnExpress")]
    units = [make_organisation(kind=OrganisationKind.MINISTRY_UNIT, name="Cục Báo chí")]
    sites = [make_site() for _ in range(5)]
    people = [make_person(f"Nhà báo {i}", organisation_id=rng.choice(outlets + units).id) for i in range(40)]
    sessions = []
    for n in range(4):
        start = (utcnow() - timedelta(days=30 * (4 - n))).replace(microsecond=0)
        event = make_event(title=f"Họp báo kỳ {n + 1}", mode=EventMode.HYBRID, starts_at=start,
                           series_id=series.id, original_start=start)
        sessions.append(event)
        chosen_sites = rng.sample(sites, 3)
        for site in chosen_sites:
            participation = add_site_to_event(event, site)
            if rng.random() < 0.3:
                participation.headcount = rng.randint(0, 12)
        for person in rng.sample(people, 25):
            status = rng.choice([RegistrationStatus.APPROVED] * 4 + [RegistrationStatus.WAITLISTED,
                                                                    RegistrationStatus.CANCELLED])
            site = rng.choice([None, None, *chosen_sites])
            channel = RegistrationChannel.SITE if site else rng.choice(
                [RegistrationChannel.PUBLIC, RegistrationChannel.CONSOLE])
            checked = status == RegistrationStatus.APPROVED and rng.random() < 0.7
            make_registration(
                event, person=person, status=status, channel=channel, site=site,
                checked_in_at=event.starts_at + timedelta(minutes=rng.randint(-20, 40)) if checked else None,
                checkin_method=(CheckinMethod.ROLL_CALL if site else CheckinMethod.SCAN) if checked else None)
    db.session.commit()
    return {"series": series, "sessions": sessions, "sites": sites}


def direct(event_id: int, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id, *where))


APPROVED = Registration.status == RegistrationStatus.APPROVED
CHECKED = Registration.checked_in_at.is_not(None)


def test_event_report_equals_direct_counts(dataset) -> None:
    for event in dataset["sessions"]:
        report = reports.event_report(event, reports.fetch_rows([event.id]), reports.fetch_sites([event.id]))
        assert report.totals.registered == direct(event.id, APPROVED)
        assert report.totals.attended == direct(event.id, CHECKED)
        assert report.totals.no_shows == direct(event.id, APPROVED, Registration.checked_in_at.is_(None))
        for channel, tally in report.by_channel.items():
            assert tally.registered == direct(event.id, APPROVED, Registration.channel == channel)
            assert tally.attended == direct(event.id, CHECKED, Registration.channel == channel)
        for site_row, tally, present in report.by_site:
            assert tally.registered == direct(event.id, APPROVED, Registration.site_id == site_row.site_id)
            names = direct(event.id, CHECKED, Registration.site_id == site_row.site_id)
            assert present == (site_row.headcount if site_row.headcount is not None else names)
        assert sum(t.registered for t in report.by_outlet.values()) + sum(
            t.registered for t in report.by_organisation.values()) == report.totals.registered
        late = direct(event.id, CHECKED, Registration.checkin_method != CheckinMethod.ROLL_CALL,
                      Registration.checked_in_at > event.starts_at + reports.LATE_AFTER)
        assert len(report.late) == late


def test_site_matrix_and_participation_equal_direct_counts(dataset) -> None:
    sessions, truncated = reports.fetch_sessions(series_id=dataset["series"].id)
    assert not truncated and [s.id for s in sessions] == [s.id for s in dataset["sessions"]]
    ids = [s.id for s in sessions]
    rows, sites = reports.fetch_rows(ids), reports.fetch_sites(ids)
    for site_row, cells in reports.site_matrix(sessions, rows, sites):
        for session, cell in zip(sessions, cells, strict=True):
            participation = db.session.scalar(sa.select(EventSite).where(
                EventSite.event_id == session.id, EventSite.site_id == site_row.site_id))
            if participation is None:
                assert cell is None
                continue
            assert cell.registered == direct(session.id, APPROVED, Registration.site_id == site_row.site_id)
            names = direct(session.id, CHECKED, Registration.site_id == site_row.site_id)
            assert cell.present == (participation.headcount if participation.headcount is not None else names)
    for person in reports.participation(sessions, rows):
        attended = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.person_id == person.person_id, Registration.event_id.in_(ids), CHECKED))
        assert person.attended == attended


def test_report_pages_render_with_charts(organiser, dataset) -> None:
    event = dataset["sessions"][0]
    page = organiser.get(f"/console/attendance/events/{event.id}/report").get_data(as_text=True)
    assert page.count("<svg") >= 3 and "Báo Nhân Dân" in page
    assert f'data-stat="registered">{direct(event.id, APPROVED)}<' in page
    series = organiser.get("/console/attendance/series-report",
                           query_string={"series_id": dataset["series"].id}).get_data(as_text=True)
    assert "heat-map" in series and 'data-session-count="4"' in series
    assert organiser.get("/console/attendance/series-report", query_string={"start": "nonsense"}).status_code == 400
    assert organiser.get("/console/attendance/series-report", query_string={"series_id": 999999}).status_code == 404
    period = organiser.get("/console/attendance/series-report", query_string={"start": "2000-01-01", "end": "2100-01-01"})
    assert period.status_code == 200 and 'data-session-count="4"' in period.get_data(as_text=True)
    assert organiser.get(f"/console/attendance/events/{event.id}/report?format=pdf").status_code == 400


def test_csv_and_xlsx_exports_are_safe_and_keep_vietnamese(organiser, dataset) -> None:
    event = dataset["sessions"][0]
    csv_response = organiser.get(f"/console/attendance/events/{event.id}/report?format=csv")
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = csv_response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "Nhà báo" in text and "\n=" not in text and ",=" not in text
    if "HYPERLINK" in text:
        assert "'=HYPERLINK" in text
    xlsx = organiser.get(f"/console/attendance/events/{event.id}/report?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)
    assert sheet.max_row == direct(event.id) + 1
    for table in ("matrix", "people"):
        for fmt in ("csv", "xlsx"):
            response = organiser.get("/console/attendance/series-report", query_string={
                "series_id": dataset["series"].id, "format": fmt, "table": table})
            assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
            assert response.headers.get_all("Content-Type") == [spreadsheets.CONTENT_TYPES[fmt]]


def test_report_query_count_does_not_grow(app, organiser, dataset, make_registration) -> None:
    event = dataset["sessions"][0]

    def count() -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            organiser.get(f"/console/attendance/events/{event.id}/report")
            organiser.get("/console/attendance/series-report", query_string={"series_id": dataset["series"].id})
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    before = count()
    for _ in range(30):
        make_registration(event)
    db.session.commit()
    assert count() == before


def test_svg_escapes_labels_and_colours_rates() -> None:
    chart = svg.bar_chart([("<script>alert(1)</script>", 3, 5), ("Sở TT&TT Hà Nội", 0, 0)], "Theo điểm cầu")
    assert "<script>" not in chart and "&lt;script&gt;" in chart and "Sở TT&amp;TT Hà Nội" in chart
    assert "style=" not in chart
    heat = svg.heat_map(["A"], ["01/11"], [[(0.5, "50%"), None]], "Tỉ lệ")
    assert heat.count("<rect") == 2 and "50%" in heat
    assert svg.heat_colour(None) == svg.EMPTY and svg.heat_colour(2.0) == svg.heat_colour(1.0) == "#0b4f8a"


def test_bar_chart_draws_a_long_department_name_whole() -> None:
    name = "Sở Thông tin và Truyền thông tỉnh Đắk Lắk"
    chart = str(svg.bar_chart([(name, 3, 5), ("Cục Báo chí", 1, 2)], "Theo điểm cầu"))
    assert f">{name}</text>" in chart and "…" not in chart
    # The bars start right of the whole label, so the name and its bar never overlap.
    first_bar = float(chart.split('<rect x="')[1].split('"')[0])
    assert first_bar >= len(name) * svg.BAR_CHAR_W
    longer = "Trung tâm Thông tin và Truyền thông thuộc Sở Thông tin tỉnh Bà Rịa - Vũng Tàu"
    clipped = str(svg.bar_chart([(longer, 1, 1)], "x"))
    assert f"<title>{longer}</title>" in clipped and "…" in clipped
