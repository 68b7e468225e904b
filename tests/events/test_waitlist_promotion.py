"""Raising an event's capacity or a site's quota hands the new seats to the waiting list, first
come first served, and tells each person promoted (as a cancellation does)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from eventapp.events import occurrences, services, sites
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.models import utcnow
from eventapp.registrations import emails
from eventapp.registrations.models import Registration, RegistrationStatus

APPROVED, WAITLISTED = RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED


def _waiting(make_registration, event, count: int, site=None) -> list[Registration]:
    """`count` wait-listed registrations, the first on the list first."""
    return [make_registration(event, status=WAITLISTED, site=site,
                              status_changed_at=utcnow() - timedelta(minutes=30 - i)) for i in range(count)]


def _statuses(registrations: list[Registration]) -> list[RegistrationStatus]:
    db.session.expire_all()
    return [db.session.get(Registration, r.id).status for r in registrations]


def _promoted_to() -> list[str]:
    return sorted(db.session.scalars(sa.select(OutboxMessage.to_address)
                                     .where(OutboxMessage.kind == emails.PROMOTED)))


def test_raising_capacity_promotes_in_order_and_tells_them(app, make_event, make_registration) -> None:
    event = make_event(capacity=1)
    make_registration(event)
    waiting = _waiting(make_registration, event, 3)
    db.session.commit()
    occurrences.update_event(event, {"capacity": 3})
    db.session.commit()
    assert _statuses(waiting) == [APPROVED, APPROVED, WAITLISTED]
    assert _promoted_to() == sorted(r.person.email for r in waiting[:2])
    message = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == emails.PROMOTED)).first()
    assert message.ics_method == "REQUEST" and message.body_html


def test_lowering_or_keeping_capacity_moves_nobody(app, make_event, make_registration) -> None:
    event = make_event(capacity=2)
    make_registration(event)
    make_registration(event)
    waiting = _waiting(make_registration, event, 1)
    db.session.commit()
    occurrences.update_event(event, {"capacity": 2, "venue": "Hội trường B"})
    occurrences.update_event(event, {"capacity": 1})
    db.session.commit()
    assert _statuses(waiting) == [WAITLISTED] and _promoted_to() == []


def test_raising_a_site_quota_promotes_that_sites_list_only(app, make_event, make_site, add_site_to_event,
                                                             make_registration) -> None:
    event = make_event(capacity=None)
    mine, other = make_site(), make_site()
    add_site_to_event(event, mine, quota=1)
    add_site_to_event(event, other, quota=1)
    make_registration(event, site=mine)
    make_registration(event, site=other)
    mine_waiting = _waiting(make_registration, event, 2, site=mine)
    other_waiting = _waiting(make_registration, event, 1, site=other)
    db.session.commit()
    sites.update_sites(event, [sites.SiteChange(site_id=mine.id, quota=2),
                               sites.SiteChange(site_id=other.id, quota=1)])
    db.session.commit()
    assert _statuses(mine_waiting) == [APPROVED, WAITLISTED]
    assert _statuses(other_waiting) == [WAITLISTED]
    assert _promoted_to() == [mine_waiting[0].person.email]


def test_raising_the_series_capacity_promotes_on_each_occurrence(make_series, make_registration) -> None:
    series = make_series(capacity=1)
    first, second = services.upcoming_occurrences(series, utcnow())[:2]
    make_registration(first)
    waiting = _waiting(make_registration, first, 2) + _waiting(make_registration, second, 1)
    db.session.commit()
    occurrences.update_series(series, replace(services.spec_from_series(series), capacity=2))
    db.session.commit()
    assert _statuses(waiting) == [APPROVED, WAITLISTED, APPROVED]


def test_no_promotion_for_an_event_that_has_started(app, make_event, make_registration) -> None:
    event = make_event(capacity=1, starts_in=timedelta(minutes=-30))
    make_registration(event)
    waiting = _waiting(make_registration, event, 1)
    db.session.commit()
    occurrences.update_event(event, {"capacity": 2})
    db.session.commit()
    assert _statuses(waiting) == [WAITLISTED]
