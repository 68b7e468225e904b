"""`flask demo` loads a realistic network and is idempotent."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from eventapp.accounts.models import Role, User
from eventapp.demo import demo_counts
from eventapp.events.models import Event, EventKind, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.registrations import tickets
from eventapp.registrations.models import Registration


def test_demo_twice_gives_the_same_counts(app) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = demo_counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert demo_counts() == counts

    assert counts["sites"] == 66 and counts["series"] == 1
    assert 75 <= counts["people"] - 27 <= 85  # ~80 journalists plus site staff
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == set(Role)
    training = db.session.scalar(sa.select(Event).where(Event.kind == EventKind.TRAINING))
    assert training.status == EventStatus.PUBLISHED and len(training.agenda_items) >= 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSite)
                             .where(EventSite.event_id == training.id)) == 66
    statuses = set(db.session.scalars(sa.select(Registration.status).distinct()))
    assert len(statuses) >= 3  # mixed states
    assert "admin@demo.eventapp.vn" in first.output
    # Every demo registrant has a real ticket link (e-mails, badges and the day-after links work),
    # and the output names two to click through, which open.
    assert all(tickets.current_ticket(r) for r in db.session.scalars(sa.select(Registration)))
    links = [line.split(": ", 1)[1] for line in second.output.splitlines() if line.strip().startswith("ticket of")]
    assert len(links) == 2
    client = app.test_client()
    for link in links:
        assert client.get(urlsplit(link).path).status_code == 200


def test_the_demos_people_hold_their_invitations(app) -> None:
    """As if invited when they registered: the first organiser change after `make run` tells each
    journalist what changed, not every session they already hold."""
    from eventapp.directory.models import Person
    from eventapp.events.models import Event
    from eventapp.models import utcnow
    from eventapp.registrations.models import CalendarDelivery, Registration, RegistrationStatus

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    seated = set(db.session.scalars(
        sa.select(Registration.person_id).join(Person, Person.id == Registration.person_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.status == RegistrationStatus.APPROVED, Person.email.is_not(None),
               Event.ends_at > utcnow())))
    told = set(db.session.scalars(sa.select(CalendarDelivery.person_id)))
    assert seated and seated <= told
