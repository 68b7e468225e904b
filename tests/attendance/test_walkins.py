"""Walk-ins at the desk and at a site: registered through the registrations service's seat rule."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.events.models import EventMode, SiteParticipationStatus
from eventapp.extensions import db
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationChannel


def registrations(event_id: int) -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Registration).where(Registration.event_id == event_id)))


def test_desk_walk_in_registers_and_checks_in_while_seats_allow(as_desk, make_event, make_registration) -> None:
    event = make_event(starts_in=timedelta(minutes=15), capacity=2)
    make_registration(event)
    db.session.commit()
    path = f"/console/attendance/api/events/{event.id}/walk-in"
    first = as_desk.post(path, json={"full_name": "Đỗ Thị Mai", "phone": "0903 111 222"}).get_json()
    assert first["result"]["code"] == "checked_in" and first["counters"]["checked_in"] == 1
    walk_in = [r for r in registrations(event.id) if r.channel == RegistrationChannel.WALK_IN]
    assert len(walk_in) == 1 and walk_in[0].checkin_method == CheckinMethod.WALK_IN
    full = as_desk.post(path, json={"full_name": "Hoàng Văn Nam"}).get_json()
    assert full["result"]["code"] == "full"
    assert len(registrations(event.id)) == 2  # nothing written without a seat


def test_desk_walk_in_bad_input_is_a_clear_400(as_desk, door_event) -> None:
    path = f"/console/attendance/api/events/{door_event.id}/walk-in"
    for body, field in (({"full_name": ""}, "full_name"), ({"full_name": 5}, "full_name"),
                        ({"full_name": "An", "phone": "=cmd|' /C calc'!A0"}, "phone"),
                        ({"full_name": "An", "email": "not-an-email"}, "email")):
        response = as_desk.post(path, json=body)
        assert response.status_code == 400 and response.get_json()["result"]["field"] == field
    assert registrations(door_event.id) == []


def test_site_walk_in_uses_the_site_quota(client, login, make_user, make_event, make_site,
                                          add_site_to_event, make_registration) -> None:
    event = make_event(mode=EventMode.HYBRID, starts_in=timedelta(minutes=-5))
    site = make_site()
    participation = add_site_to_event(event, site, quota=2)
    participation.status = SiteParticipationStatus.CONNECTED
    make_registration(event, site=site)
    db.session.commit()
    login(make_user(Role.SITE_COORDINATOR, site=site))
    path = f"/console/rollcall/events/{event.id}/sites/{site.id}/walk-in"
    client.post(path, data={"full_name": "Vũ Quang Huy", "phone": "0211 3822 000"})
    added = [r for r in registrations(event.id) if r.channel == RegistrationChannel.WALK_IN]
    assert len(added) == 1 and added[0].site_id == site.id and added[0].checked_in_at is not None
    assert added[0].checkin_method == CheckinMethod.ROLL_CALL
    client.post(path, data={"full_name": "Người thứ ba"})
    assert len(registrations(event.id)) == 2  # quota of 2 used up: refused
    client.post(path, data={"full_name": ""})
    assert len(registrations(event.id)) == 2
