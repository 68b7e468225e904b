"""Invitation calendar parts for e-mails: an event row and a person in, iTIP text out."""

from __future__ import annotations

from email.utils import parseaddr

from flask import current_app

from eventapp.directory.models import Person
from eventapp.events.models import Event, EventStatus
from eventapp.feeds import ical, services
from eventapp.feeds.invitations import Party, build_invitation
from eventapp.models import utcnow


def organizer() -> Party:
    """The Information Centre's sending address, as the invitation's organiser."""
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return Party(email=address or "noreply@eventapp.local", name=name)


def invitation_for(event: Event, person: Person, method: str, *, sequence_bump: int = 0) -> str | None:
    """REQUEST or CANCEL for one person, with the UID the feeds use; None without an address.

    `sequence_bump` is for changes that belong to the attendee alone (their registration was
    cancelled while the event goes on): the CANCEL must still carry a higher SEQUENCE.
    """
    if not person.email:
        return None
    row = ical.FeedEvent(
        uid=event.uid, kind=event.kind.value, title=event.title, starts_at=event.starts_at,
        ends_at=event.ends_at, tz=event.tz, updated_at=event.updated_at or utcnow(),
        url=f"{services._base_url()}/events/{event.id}", sequence=event.sequence,
        cancelled=event.status == EventStatus.CANCELLED, description=event.description or "",
        mode=event.mode.value, venue=event.venue, venue_address=event.venue_address,
        online_url=event.online_url,
        agenda=tuple(ical.AgendaLine(i.starts_at, i.ends_at, i.title, i.speaker, i.speaker_organisation_name)
                     for i in event.agenda_items),
    )
    series = event.series
    if series is not None and event.original_start is not None:
        # An occurrence is an instance of the series' master in every calendar that has the feed.
        uid, recurrence_id = series.uid, event.original_start
        sequence = max(series.sequence, event.sequence)
    else:
        uid, recurrence_id, sequence = event.uid, None, event.sequence
    return build_invitation(
        method, row, uid=uid, recurrence_id=recurrence_id, sequence=sequence + sequence_bump,
        organizer=organizer(), attendee=Party(person.email, person.full_name),
        labels=services.feed_labels(), stamp=utcnow(),
        # Only confirmed registrants are sent a REQUEST (see registrations.emails, events.notify):
        # the join link is theirs. A CANCEL takes the event away and needs no link.
        join_link_visible=method == "REQUEST",
    )
