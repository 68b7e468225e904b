"""Outbox messages to registrants about schedule changes: cancellation, rescheduling, or a new place,
link or end time (site coordinators' notices are the events' own: events.site_notices)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventapp.events.models import Event
from eventapp.events.signals import ScheduleChange
from eventapp.events.site_notices import event_link, when_text
from eventapp.extensions import db
from eventapp.mail.rendering import rendering
from eventapp.mail.services import queue_message
from eventapp.registrations import calendar_sync, emails
from eventapp.registrations.models import (
    ACTIVE_STATUSES,
    CancelledBy,
    Registration,
    RegistrationStatus,
)


def active_registrations(events: list[Event]) -> list[Registration]:
    """Active registrations of these events, with their people, in one query."""
    ids = [e.id for e in events if e.id is not None]
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Registration).options(selectinload(Registration.person))
        .where(Registration.event_id.in_(ids), Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)))


def has_registrations(event: Event) -> bool:
    """Whether any registration (in any state) hangs off the event: then it is never deleted."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Registration.event_id == event.id))))


def cancel_registrations(event: Event, reason: str) -> int:
    """Cancel the event's active registrations on the organiser's behalf and tell each registrant.
    Nothing is deleted: the registrations stay, marked cancelled by the organiser."""
    count = 0
    for registration in active_registrations([event]):
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_by = CancelledBy.ORGANISER
        registration.status_reason = (reason or "")[:500]
        _tell_registrant(registration, event, "event_cancelled", reason=reason)
        count += 1
    db.session.flush()
    return count


def tell_changes(notices: list[ScheduleChange]) -> int:
    """Tell each event's active registrants about its change, with one query for all the events
    (a series edit touches a year of occurrences); returns how many messages were queued."""
    by_event: dict[int, list[Registration]] = defaultdict(list)
    for registration in active_registrations([notice.event for notice in notices]):
        by_event[registration.event_id].append(registration)
    count = 0
    for notice in notices:
        for registration in by_event[notice.event.id]:
            _tell_registrant(registration, notice.event, notice.kind, old_start=notice.old_start,
                             changed=list(notice.changed))
            count += 1
    return count


def _changed_text(changed: list[str]) -> str:
    """What changed, in the current language ("the venue, the end time")."""
    labels = {"title": _("the title"), "venue": _("the venue"), "venue_address": _("the address"), "online_url": _("the online link"),
              "mode": _("the format"), "ends_at": _("the end time")}
    return ", ".join(dict.fromkeys(labels[name] for name in changed if name in labels))


def _tell_registrant(registration: Registration, event: Event, kind: str, *, reason: str = "",
                     old_start: datetime | None = None, changed: list[str] | None = None) -> None:
    """One registrant's message, text and HTML, in their language."""
    person = registration.person
    if not person.email:
        return  # registered by a site without an e-mail: the coordinator sees the status
    locale = registration.locale or "vi"
    with rendering(locale):
        if kind == "event_cancelled":
            subject = _("Cancelled: %(title)s (%(when)s)", title=event.title, when=when_text(event))
            intro = _("The organiser has cancelled \"%(title)s\" planned for %(when)s. Your registration "
                      "is cancelled; you do not need to do anything.", title=event.title, when=when_text(event))
        elif kind == "event_updated":
            subject = _("Changed: %(title)s (%(when)s)", title=event.title, when=when_text(event))
            intro = _("The organiser has changed %(what)s of \"%(title)s\" on %(when)s. Your registration "
                      "stays valid; the details below are up to date.", what=_changed_text(changed or []),
                      title=event.title, when=when_text(event))
        else:
            subject = _("New time: %(title)s (%(when)s)", title=event.title, when=when_text(event))
            intro = _("\"%(title)s\" has moved from %(old)s to %(new)s. Your registration stays valid "
                      "for the new time.", title=event.title, old=when_text(event, old_start), new=when_text(event))
        context = {"lang": locale, "event": event, "name": person.full_name, "intro": intro,
                   "reason": reason, "event_url": event_link(event),
                   "join_url": emails.join_url(event, registration)}
        body_text = render_template("registrations/emails/notice.txt", **context)
        body_html = render_template("registrations/emails/notice.html", **context)
    message = queue_message(kind=kind, to_address=person.email, to_name=person.full_name,
                            subject=emails.subject_line(subject), body_text=body_text, body_html=body_html,
                            locale=locale)
    # The updated invitation or its CANCEL (for those whose calendar holds it) is attached by the
    # reconciler before commit; several notices to one person in one change become one e-mail.
    calendar_sync.note_message(person.id, message)
