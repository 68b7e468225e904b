"""The rules that live on the models: the registration window, the site deadline, holding a seat."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from eventapp.events.models import EventStatus, RegistrationWindow
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations import services
from eventapp.registrations.models import Registration, RegistrationStatus


def test_registration_window(make_event) -> None:
    now = utcnow()
    assert make_event().registration_window(now) == RegistrationWindow.OPEN
    assert make_event(status=EventStatus.DRAFT).registration_window(now) == RegistrationWindow.NOT_OPEN
    assert make_event(starts_in=-timedelta(hours=1)).registration_window(now) == RegistrationWindow.NOT_OPEN
    later = make_event(registration_opens_at=now + timedelta(days=1))
    assert later.registration_window(now) == RegistrationWindow.NOT_YET_OPEN
    assert later.registration_window(now + timedelta(days=1)) == RegistrationWindow.OPEN
    closed = make_event(registration_closes_at=now - timedelta(minutes=1))
    assert closed.registration_window(now) == RegistrationWindow.CLOSED
    assert not closed.is_registration_open(now) and later.is_registration_open(now + timedelta(days=2))


def test_check_window_raises_the_windows_code(make_event) -> None:
    now = utcnow()
    event = make_event(registration_closes_at=now - timedelta(minutes=1))
    try:
        services.check_window(event, now)
    except services.RegistrationError as error:
        assert error.code == "closed"
    else:
        raise AssertionError("a closed window was accepted")


def test_site_deadline_is_the_close_of_registration_or_the_start(make_event) -> None:
    now = utcnow()
    plain = make_event()
    assert plain.site_deadline == plain.starts_at and plain.site_changes_open(now)
    assert not plain.site_changes_open(plain.starts_at)
    closes = now + timedelta(days=1)
    early = make_event(registration_closes_at=closes)
    assert early.site_deadline == closes
    assert early.site_changes_open(now) and not early.site_changes_open(closes)
    assert not make_event(status=EventStatus.CANCELLED).site_changes_open(now)


def test_holds_seat_is_the_same_rule_in_python_and_in_sql(make_event, make_registration) -> None:
    event = make_event()
    made = {status: make_registration(event, status=status) for status in RegistrationStatus}
    db.session.commit()
    in_sql = set(db.session.scalars(sa.select(Registration.id).where(Registration.holds_seat)))
    in_python = {r.id for r in made.values() if r.holds_seat}
    assert in_sql == in_python == {made[RegistrationStatus.APPROVED].id}
    active = set(db.session.scalars(sa.select(Registration.id).where(Registration.is_active)))
    assert active == {r.id for r in made.values() if r.is_active} == {
        made[s].id for s in (RegistrationStatus.PENDING, RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED)}
