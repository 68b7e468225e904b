"""One attendance window for the desk and the roll-call: before it opens every change is refused with
the same message saying when it opens, and the screens say so beforehand."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.audit import AuditEntry
from eventapp.events.models import ATTENDANCE_OPENS_BEFORE, EventMode, SiteParticipationStatus
from eventapp.extensions import db
from eventapp.registrations.models import Registration


def opens_text(event) -> str:
    """What a Vietnamese user must read: "Điểm danh mở lúc HH:mm dd/MM" in the event's zone."""
    local = event.attendance_opens_at.astimezone(ZoneInfo(event.tz))
    return f"Điểm danh mở lúc {local:%H:%M %d/%m}"


@pytest.fixture
def early(make_event, make_site, add_site_to_event, make_registration, make_user, client, login):
    """A hybrid event eight days ahead; its site's coordinator is signed in."""
    event = make_event(title="Hội nghị tập huấn", mode=EventMode.HYBRID, starts_in=timedelta(days=8))
    site = make_site(name="Sở TT&TT Lào Cai")
    participation = add_site_to_event(event, site)
    registration = make_registration(event, site=site)
    login(make_user(Role.SITE_COORDINATOR, site=site))
    db.session.commit()
    return {"event": event, "site": site, "participation": participation, "registration": registration,
            "url": f"/console/rollcall/events/{event.id}/sites/{site.id}"}


def test_roll_call_before_the_window_refuses_everything_with_the_opening_time(client, early) -> None:
    event, url = early["event"], early["url"]
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert opens_text(event) in page  # the screen says when it opens, before anyone tries
    assert "<fieldset disabled>" in page

    posts = {"connect": {"tested": "1"}, "present": {"present": [str(early["registration"].id)]},
             "headcount": {"headcount": "12"}, "report": {},
             "walk-in": {"full_name": "Trần Văn Khách", "phone": "0912000444"}}
    for action, data in posts.items():
        answer = client.post(f"{url}/{action}", data=data, follow_redirects=True)
        assert opens_text(event) in html.unescape(answer.get_data(as_text=True)), action

    db.session.expire_all()
    participation = early["participation"]
    assert participation.status == SiteParticipationStatus.INVITED  # the board stays grey
    assert participation.headcount is None and participation.reported_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1  # no walk-in
    assert db.session.get(Registration, early["registration"].id).checked_in_at is None
    assert not db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.action.like("rollcall.%"))).all()


def test_roll_call_opens_with_the_desk_a_day_before(client, early) -> None:
    event = early["event"]
    event.starts_at = event.starts_at - timedelta(days=8) + ATTENDANCE_OPENS_BEFORE - timedelta(minutes=5)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    assert event.is_attendance_open()
    client.post(early["url"] + "/connect", data={"tested": "1"})
    db.session.expire_all()
    assert early["participation"].status == SiteParticipationStatus.CONNECTED
    answer = client.post(early["url"] + "/walk-in", data={"full_name": "Trần Văn Khách"}, follow_redirects=True)
    assert "Điểm danh mở lúc" not in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_the_desk_says_when_it_opens(make_event, make_user, make_registration, client, login) -> None:
    from eventapp.registrations.tickets import issue_ticket

    event = make_event(starts_in=timedelta(days=8))
    token = issue_ticket(make_registration(event))
    login(make_user(Role.CHECKIN_STAFF))
    db.session.commit()
    desk = html.unescape(client.get(f"/console/attendance/events/{event.id}/desk").get_data(as_text=True))
    assert opens_text(event) in desk
    assert f'data-msg-closed="{opens_text(event)}"' in desk  # what a refused scan shows
    listing = html.unescape(client.get("/console/attendance/").get_data(as_text=True))
    assert opens_text(event) in listing
    answer = client.post(f"/console/attendance/api/events/{event.id}/scan", json={"payload": token})
    assert answer.get_json()["result"]["code"] == "closed"


def test_the_coordinators_list_says_when_roll_call_opens(client, early) -> None:
    listing = html.unescape(client.get("/console/rollcall/").get_data(as_text=True))
    assert opens_text(early["event"]) in listing
