"""The console dashboard: real counts, and each role's next events lead to its own screen."""

from __future__ import annotations

import re

import pytest

from eventapp.accounts.models import Role
from eventapp.events.models import EventStatus
from eventapp.extensions import db
from eventapp.registrations.models import RegistrationStatus


def _stat(html: str, label: str) -> int:
    match = re.search(re.escape(label) + r".*?stat-value[^>]*>\s*(\d+)", html, re.S)
    assert match, label
    return int(match.group(1))


def test_counts_are_the_database_counts(client, login, make_user, make_event, make_site, make_person,
                                        make_registration) -> None:  # noqa: ANN001
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


@pytest.mark.parametrize(("role", "link"), [(Role.CHECKIN_STAFF, "/console/attendance/events/{id}/desk"),
                                            (Role.SITE_COORDINATOR, None)])
def test_other_roles_get_their_own_links(client, login, make_user, make_event, make_site, role, link) -> None:  # noqa: ANN001
    event = make_event(title="Tập huấn trực tuyến")
    site = make_site() if role == Role.SITE_COORDINATOR else None
    db.session.commit()
    login(make_user(role, site=site))
    html = client.get("/console/").get_data(as_text=True)
    assert "Tập huấn trực tuyến" in html
    assert f"/console/registrations/events/{event.id}" not in html  # organisers' screen
    if link:
        assert f'href="{link.format(id=event.id)}"' in html
