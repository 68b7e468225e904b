"""Reports for people: outlets by name (not codes), heat-map rows that tell sites apart, a colour legend."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from eventapp.attendance import svg
from eventapp.directory.models import OrganisationKind
from eventapp.events.models import EventMode, EventSeries
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import CheckinMethod


def test_event_report_names_outlets_not_codes(organiser, make_event, make_organisation, make_person,
                                              make_registration) -> None:
    event = make_event(starts_in=timedelta(hours=-3))
    outlet = make_organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo điện tử VietNamNet",
                               short_name="VNN")
    make_registration(event, person=make_person("Phóng viên A", organisation_id=outlet.id))
    db.session.commit()
    page = html.unescape(organiser.get(f"/console/attendance/events/{event.id}/report").get_data(as_text=True))
    assert "Báo điện tử VietNamNet" in page
    assert not re.search(r">\s*VNN\s*<", page)


def test_heat_map_rows_tell_sites_apart_and_have_a_legend(organiser, make_event, make_site, add_site_to_event,
                                                          make_registration) -> None:
    series = EventSeries(kind="training", title="Tập huấn định kỳ", rrule="FREQ=WEEKLY",
                         dtstart_local=datetime(2024, 1, 4, 9, 0), duration_minutes=120)
    db.session.add(series)
    db.session.flush()
    names = ["Sở Thông tin và Truyền thông Thừa Thiên Huế", "Sở Thông tin và Truyền thông Thái Nguyên",
             "Sở Thông tin và Truyền thông Thái Bình"]
    sites = [make_site(name=name) for name in names]
    start = utcnow().replace(microsecond=0) - timedelta(days=7)
    event = make_event(mode=EventMode.HYBRID, starts_at=start, series_id=series.id, original_start=start)
    for site in sites:
        add_site_to_event(event, site)
        make_registration(event, site=site, checked_in_at=start, checkin_method=CheckinMethod.ROLL_CALL)
    db.session.commit()
    page = organiser.get(f"/console/attendance/series-report?series_id={series.id}").get_data(as_text=True)
    chart = html.unescape(page[page.index('<svg'):page.index("</svg>")])
    labels = re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', chart)
    assert sorted(labels) == ["Thái Bình", "Thái Nguyên", "Thừa Thiên Huế"]  # whole, and all different
    assert all(f"<title>{name}</title>" in chart for name in names)  # the full name as a tooltip
    assert "0% có mặt" in chart and "100% có mặt" in chart and "không tham gia" in chart
    assert svg.heat_colour(0.0) in chart and svg.heat_colour(1.0) in chart  # the scale's two ends
    assert "Đã đăng ký, chưa được duyệt" in html.unescape(page)  # what the "·" mark means
