"""Registration e-mails, written into the outbox in the registrant's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import segno
import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _

from eventapp.events.models import Event, EventMode, EventSite
from eventapp.extensions import db
from eventapp.mail import drafts
from eventapp.mail.models import OutboxMessage
from eventapp.mail.rendering import rendering
from eventapp.mail.sender import one_line
from eventapp.mail.services import queue_message
from eventapp.models import utcnow
from eventapp.registrations import calendar_sync, capacity
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.registrations.tickets import current_ticket, public_url, renewal_url, ticket_url

RECEIVED = "registration.received"
APPROVED = "registration.approved"
WAITLISTED = "registration.waitlisted"
PROMOTED = "registration.promoted"
REJECTED = "registration.rejected"
CANCELLED = "registration.cancelled"
TICKET_RESENT = "registration.ticket_resent"
RENEWAL_REQUESTED = "registration.ticket_renewal"
TICKET_RENEWED = "registration.ticket_renewed"
REMINDER = "registration.reminder"
ANNOUNCEMENT = "event.announcement"
FULL = "registration.full"

# kind -> (subject, first paragraph); called inside force_locale so gettext picks the language.
WORDING: dict[str, tuple[Callable[[], str], Callable[[], str]]] = {
    RECEIVED: (lambda: _("Registration received"),
               lambda: _("We have received your registration. The organiser will review it and "
                         "write to you again.")),
    APPROVED: (lambda: _("Registration confirmed"),
               lambda: _("Your registration is confirmed. Please show the QR code on your ticket "
                         "page at the entrance.")),
    WAITLISTED: (lambda: _("You are on the waiting list"),
                 lambda: _("All seats are taken, so you are on the waiting list. If a seat frees up "
                           "you will be moved up automatically and we will write to you.")),
    PROMOTED: (lambda: _("A seat is now yours"),
               lambda: _("A seat has freed up and it is now yours: your registration is confirmed.")),
    REJECTED: (lambda: _("Registration not accepted"),
               lambda: _("We are sorry: your registration could not be accepted.")),
    CANCELLED: (lambda: _("Registration cancelled"),
                lambda: _("Your registration has been cancelled.")),
    TICKET_RESENT: (lambda: _("Your ticket link"),
                    lambda: _("A registration with this e-mail address already exists for this "
                              "event, so no new one was made and nothing was changed. Here is your "
                              "ticket link again; it has not changed.")),
    RENEWAL_REQUESTED: (lambda: _("Confirm: a new ticket link"),
                        lambda: _("Someone, hopefully you, asked for a new link to your ticket. "
                                  "Nothing changes unless you confirm with the link below.")),
    TICKET_RENEWED: (lambda: _("Your new ticket link"),
                     lambda: _("As you asked, your ticket has a new link; earlier links no longer "
                               "work.")),
    FULL: (lambda: _("Event full"),
           lambda: _("We are sorry: all seats for this event are taken and it has no waiting "
                     "list, so we could not register you.")),
    REMINDER: (lambda: _("Reminder: tomorrow"),
               lambda: _("This is a reminder that the event takes place tomorrow. This e-mail "
                         "carries your ticket.")),
}

# Kinds that offer the "give me a new ticket link" confirmation link (signed, short-lived).
OFFERS_RENEWAL = frozenset({TICKET_RESENT, RENEWAL_REQUESTED})

# Messages that confirm a seat.
SEATED = frozenset({APPROVED, PROMOTED})

STATUS_KIND = {
    RegistrationStatus.PENDING: RECEIVED,
    RegistrationStatus.APPROVED: APPROVED,
    RegistrationStatus.WAITLISTED: WAITLISTED,
    RegistrationStatus.REJECTED: REJECTED,
    RegistrationStatus.CANCELLED: CANCELLED,
}
STATUS_KINDS = frozenset(STATUS_KIND.values())


def subject_line(text: str) -> str:
    return one_line(text)[:300]  # no CR/LF in a header, whatever the event title holds


def site_place(registration: Registration) -> EventSite | None:
    """Where a site's participant takes part: their site's participation in the event (room, link)."""
    if registration.site_id is None:
        return None
    return capacity.participation(registration.event_id, registration.site_id)


def join_url(event: Event, registration: Registration, place: EventSite | None = None) -> str | None:
    """The online link is for confirmed registrants only: their site's own link where it has one,
    else the event's for online and hybrid events."""
    if not registration.holds_seat:
        return None
    place = place or site_place(registration)
    if place is not None and place.join_url:
        return place.join_url
    if event.mode == EventMode.IN_PERSON:
        return None
    return event.online_url


def series_sessions(registration: Registration) -> list[Event]:
    """The upcoming sessions a whole-series registrant holds a seat for (listed in their e-mail)."""
    if registration.enrolment_id is None:
        return []
    return list(db.session.scalars(
        sa.select(Event).join(Registration, Registration.event_id == Event.id)
        .where(Registration.enrolment_id == registration.enrolment_id,
               Registration.holds_seat, Event.starts_at > utcnow())
        .order_by(Event.starts_at)))


def notify(registration: Registration, kind: str, *, reason: str | None = None) -> bool:
    """Queue one registration e-mail with the current ticket link; False when there is no address."""
    person = registration.person
    if not person.email:
        return False  # registered by a site without an e-mail: the coordinator sees the status
    subject, body_text, body_html, locale = _compose(registration, kind, reason)
    message = queue_message(kind=kind, to_address=person.email, to_name=person.full_name, subject=subject,
                            body_text=body_text, body_html=body_html, locale=locale)
    # The calendar part (REQUEST or CANCEL, or none) is worked out by the reconciler before the
    # transaction commits, from what this person's calendar was told and what now holds.
    calendar_sync.note_message(person.id, message)
    return True


def notify_after_commit(registration: Registration, kind: str) -> bool:
    """The same e-mail, written now as a draft and rendered (QR image, calendar parts) only after
    this transaction commits, by `mail.drafts`: the seat decision's lock is not held meanwhile.
    The ticket's hash is stored now, with the registration; this person's calendar is reconciled
    when the draft is rendered, not at this commit."""
    person = registration.person
    if not person.email:
        return False
    if kind not in (CANCELLED, RENEWAL_REQUESTED):
        current_ticket(registration)
    drafts.queue_draft(kind=kind, to_address=person.email, to_name=person.full_name,
                       source_id=registration.id, locale=registration.locale or person.locale or "vi")
    calendar_sync.defer(person.id)
    return True


def render_draft(message: OutboxMessage) -> bool:
    """A registration e-mail's draft rendered as `notify` would have; its calendar parts are
    attached by the reconciler when the rendering transaction commits. False: the registration
    (or its address) is gone, so there is nothing to tell."""
    registration = db.session.get(Registration, message.source_id)
    if registration is None or not registration.person.email:
        return False
    if _superseded(registration, message.kind):
        # The registration changed before the draft was rendered (a promotion, a rejection, a
        # cancellation): that change wrote its own e-mail, which tells the truth and went first;
        # this one would contradict it. The person's calendar is still settled at this commit.
        calendar_sync.touch(registration.person_id)
        return False
    message.subject, message.body_text, message.body_html, message.locale = _compose(
        registration, message.kind, None)
    calendar_sync.note_message(registration.person_id, message)
    return True


def _superseded(registration: Registration, kind: str) -> bool:
    """Whether a draft written for the registration's status then no longer says its status."""
    if kind == TICKET_RESENT:
        return not registration.is_active  # no ticket to remind of any more
    return kind in STATUS_KINDS and STATUS_KIND[registration.status] != kind


def _compose(registration: Registration, kind: str, reason: str | None) -> tuple[str, str, str, str]:
    """(subject, text, HTML, locale) of one registration e-mail."""
    person = registration.person
    event = registration.event
    # Sending never changes the ticket link: every message repeats the current one (a cancellation
    # and a request for a new link carry none). Tickets that can't be repeated (issued before links
    # were derived) get the confirmation link for a new one instead.
    token = None if kind in (CANCELLED, RENEWAL_REQUESTED) else current_ticket(registration)
    offer_renewal = kind in OFFERS_RENEWAL or (token is None and kind != CANCELLED)
    locale = registration.locale or person.locale or "vi"
    subject_text, intro = WORDING[kind]
    place = site_place(registration)
    with rendering(locale):
        text = intro()
        if place is not None and kind in SEATED:
            # Site participants come to their own site, not the main hall's entrance.
            text = _("Your registration is confirmed. You take part from %(site)s, where your "
                     "coordinator records who is present.", site=place.site.name)
        context = {
            "lang": locale, "person": person, "event": event, "registration": registration, "intro": text,
            "place": place,
            "reason": reason, "ticket_url": ticket_url(token) if token else None,
            "renewal_url": renewal_url(registration) if offer_renewal else None,
            "ticket_elsewhere": token is None and kind not in (CANCELLED, RENEWAL_REQUESTED),
            # The QR code travels in the message itself, for the door even without a connection.
            "qr_data_uri": segno.make(token, error="m").png_data_uri(scale=5, border=2)
            if token and registration.holds_seat else None,
            "event_url": public_url("events.detail", event_id=event.id),
            "join_url": join_url(event, registration, place),
            "series_sessions": series_sessions(registration) if kind in SEATED else [],
        }
        subject = subject_line(f"{subject_text()}: {event.title}")
        body_text = render_template("registrations/emails/registration.txt", **context)
        body_html = render_template("registrations/emails/registration.html", **context)
    return subject, body_text, body_html, locale


def notify_status(registration: Registration, *, reason: str | None = None) -> bool:
    return notify(registration, STATUS_KIND[registration.status], reason=reason)


def init_app() -> None:
    """Drafts of registration e-mails (public submissions) are rendered here (see mail.drafts)."""
    drafts.register_renderer(WORDING, render_draft)


@dataclass(frozen=True)
class Announced:
    """One recipient of an announcement; a coordinator comes with their sites' places (quota)."""

    address: str
    name: str | None
    locale: str = "vi"
    places: tuple[EventSite, ...] = ()


def render_announcement(event: Event, recipient: Announced, note: str | None = None) -> tuple[str, str, str]:
    """(subject, text, HTML) of the "registration is open" announcement for one recipient:
    a coordinator is sent to their site's page with their quota, everyone else to the form."""
    with rendering(recipient.locale):
        places = [(place, public_url("site_console.event", site_id=place.site_id, event_id=event.id))
                  for place in recipient.places]
        context = {"lang": recipient.locale, "event": event, "name": recipient.name, "note": note,
                   "places": places,
                   "register_url": public_url("registrations.register", event_id=event.id),
                   "event_url": public_url("events.detail", event_id=event.id)}
        subject = subject_line(_("Registration open: %(title)s", title=event.title))
        return (subject, render_template("registrations/emails/announcement.txt", **context),
                render_template("registrations/emails/announcement.html", **context))


def announce(event: Event, recipient: Announced, note: str | None = None) -> None:
    """Queue the announcement to one member of the network."""
    subject, body_text, body_html = render_announcement(event, recipient, note)
    queue_message(kind=ANNOUNCEMENT, to_address=recipient.address, to_name=recipient.name, subject=subject,
                  body_text=body_text, body_html=body_html, locale=recipient.locale)


def event_full(event: Event, to_address: str, to_name: str, locale: str = "vi") -> None:
    """Told by e-mail, not on screen, so the page never reveals whether an address is registered."""
    subject_text, intro = WORDING[FULL]
    with rendering(locale):
        context = {"lang": locale, "event": event, "name": to_name, "intro": intro(),
                   "event_url": public_url("events.detail", event_id=event.id)}
        subject = subject_line(f"{subject_text()}: {event.title}")
        body_text = render_template("registrations/emails/notice.txt", **context)
        body_html = render_template("registrations/emails/notice.html", **context)
    queue_message(kind=FULL, to_address=to_address, to_name=to_name, subject=subject,
                  body_text=body_text, body_html=body_html, locale=locale)
