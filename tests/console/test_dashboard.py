"""The console dashboard: real counts, and each role's next events lead to its own screen."""

from __future__ import annotations

import re

from eventapp.accounts.models import Role
from eventapp.events.models import EventStatus
from eventapp.extensions import db
from eventapp.registrations.models import RegistrationStatus


def _stat(html: str, label: str) -> int:
    match = re.search(re.escape(label) + r".*?stat-value[^>]*>\s*(\d+)", html, re.S)
    assert match, label
    return int(match.group(1))


def test_counts_are_the_database_counts(client, login, make_user, make_event, make_site, make_person,
                                        make_registration) -> None:
    client.post("/language/en")
    make_site(), make_site()
    event = make_event(title="Họp báo quý IV", capacity=60)
    make_event(title="Bản nháp", status=EventStatus.DRAFT)
    make_event(title="Đã hủy", status=EventStatus.CANCELLED)
    make_registration(event, make_person(), status=RegistrationStatus.PENDING)
    make_registration(event, make_person(), status=RegistrationStatus.APPROVED)
    db.session.commit()
    login(make_user(Role.ORGANISER))
    html = client.get("/console/").get_data(as_text=True)
    assert _stat(html, "Upcoming events") == 2  # drafts being prepared count, cancelled ones do not
    assert _stat(html, "Active sites") == 2
    assert _stat(html, "People in the directory") == 2
    assert _stat(html, "Registrations awaiting a decision") == 1
    assert f'href="/console/registrations/events/{event.id}"' in html and "1 / 60" in html  # approved of seats


def test_check_in_staff_get_links_to_the_desk(client, login, make_user, make_event) -> None:
    event = make_event(title="Tập huấn trực tuyến")
    db.session.commit()
    login(make_user(Role.CHECKIN_STAFF))
    html = client.get("/console/").get_data(as_text=True)
    assert "Tập huấn trực tuyến" in html
    assert f"/console/registrations/events/{event.id}" not in html  # organisers' screen
    assert f'href="/console/attendance/events/{event.id}/desk"' in html


def test_coordinators_start_on_their_own_site(client, login, make_user, make_event, make_site,
                                              add_site_to_event) -> None:
    site, other = make_site(name="Sở TT&TT Hà Giang"), make_site(name="Sở TT&TT Cà Mau")
    ours = make_event(title="Tập huấn trực tuyến")
    add_site_to_event(ours, site)
    theirs = make_event(title="Tập huấn khác")
    add_site_to_event(theirs, other)
    make_event(title="Bản nháp đang soạn", status=EventStatus.DRAFT)
    db.session.commit()
    login(make_user(Role.SITE_COORDINATOR, site=site))
    response = client.get("/console/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/site/")
    html = client.get("/console/site/").get_data(as_text=True)
    assert "Tập huấn trực tuyến" in html
    assert "Tập huấn khác" not in html and "Bản nháp đang soạn" not in html
    assert "Bảng điều khiển" not in html  # no network-wide dashboard in their menu
