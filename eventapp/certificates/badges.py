"""Name badges for the people expected in person: their name, organisation and ticket QR code
(the same text as the ticket page's code, so the desk can scan a badge like a ticket)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventapp.directory.collation import person_key
from eventapp.directory.models import Person
from eventapp.documents import badges as layout
from eventapp.events.models import Event, EventMode
from eventapp.extensions import db
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.registrations.tickets import current_ticket


def in_person(event: Event) -> list[Registration]:
    """Approved registrations that come to the venue (not through a site), in name order."""
    if event.mode == EventMode.ONLINE:
        return []
    rows = db.session.scalars(
        sa.select(Registration)
        .options(selectinload(Registration.person).selectinload(Person.organisation))
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.APPROVED,
               Registration.site_id.is_(None))).all()
    return sorted(rows, key=lambda r: person_key(r.person.full_name))


def badge(registration: Registration, caption: str) -> layout.Badge:
    """One badge; a ticket whose link cannot be recomputed (issued before derived tickets) prints
    without a code, and the desk finds its holder by name."""
    person = registration.person
    return layout.Badge(name=person.full_name, organisation=person.organisation.name if person.organisation else "",
                        qr_payload=current_ticket(registration), caption=caption)


def sheet(event: Event) -> tuple[bytes, int]:
    """The event's badge sheets as one PDF, and how many badges it holds."""
    people = in_person(event)
    pdf = layout.render([badge(r, event.title) for r in people], title=_("Name badges") + " · " + event.title)
    return pdf, len(people)
