"""Registration actions: public submissions, site and console entries, status changes, cancels.

Services take models and plain values, raise RegistrationError, flush and never commit. Every
seat decision happens after capacity.lock_event, in the caller's single transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from eventapp import audit
from eventapp.directory.models import (
    Organisation,
    OrganisationKind,
    Person,
    normalise_email,
    normalise_text,
)
from eventapp.errors import DomainError
from eventapp.events.models import Event, RegistrationWindow
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations import calendar_sync, capacity, emails, signals
from eventapp.registrations.models import (
    Accreditation,
    AccreditationStatus,
    CancelledBy,
    Enrolment,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)


class RegistrationError(DomainError):
    """A registration rule refused the action (worded by registrations.labels.ERRORS)."""


@dataclass
class Applicant:
    """A person's details as entered (already validated by a form or an import)."""

    full_name: str
    email: str | None = None
    phone: str | None = None
    position: str | None = None
    press_card_no: str | None = None
    organisation_id: int | None = None
    locale: str = "vi"


@dataclass
class Outcome:
    """What register() did: a new (or revived) registration, or the existing active one."""

    registration: Registration
    duplicate: bool = False


# ----------------------------------------------------------------------------- people, outlets

def find_person(email: str | None) -> Person | None:
    key = normalise_email(email)
    if key is None:
        return None
    return db.session.scalar(sa.select(Person).where(Person.email_normalised == key))


def find_or_create_person(applicant: Applicant, *, trusted_organisation_id: int | None = None,
                          anonymous: bool = False) -> Person:
    """The person with this e-mail, or a new one. An existing person's details are only filled in
    where blank, and never from an `anonymous` submission: the public form proves no ownership of
    the address, so it must not write into somebody else's record."""
    person = find_person(applicant.email)
    if person is not None and anonymous:
        return person
    if person is None and not applicant.email and trusted_organisation_id:
        # no e-mail (a site's staff): the same name and phone in the same organisation is the same person
        person = db.session.scalars(sa.select(Person).where(
            Person.email_normalised.is_(None), Person.organisation_id == trusted_organisation_id,
            Person.full_name == normalise_text(applicant.full_name),
            Person.phone == applicant.phone if applicant.phone else sa.true()).limit(1)).first()
    if person is None:
        person = Person(full_name=normalise_text(applicant.full_name), locale=applicant.locale)
        person.set_email(applicant.email)
        db.session.add(person)
    for name in ("phone", "position", "press_card_no", "organisation_id"):
        value = getattr(applicant, name)
        if value and not getattr(person, name):
            setattr(person, name, value)
    if trusted_organisation_id and person.organisation_id == trusted_organisation_id:
        # the person's own organisation (a coordinator, an organiser) may correct the record
        for name in ("full_name", "phone", "position"):
            if getattr(applicant, name):
                setattr(person, name, getattr(applicant, name))
    db.session.flush()
    return person


def outlet_for_name(name: str) -> Organisation:
    """A press outlet by name (case-insensitive, NFC); a new one waits for an organiser's confirmation."""
    name = normalise_text(name)
    existing = db.session.scalar(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.PRESS_OUTLET,
        sa.func.lower(Organisation.name) == name.lower()))
    if existing is not None:
        return existing
    outlet = Organisation(kind=OrganisationKind.PRESS_OUTLET, name=name, is_confirmed=False)
    db.session.add(outlet)
    db.session.flush()
    return outlet


def is_accredited(person_id: int, event: Event) -> bool:
    """An approved accreditation for the event's series, or a general one, valid at its start."""
    scope: sa.ColumnElement[bool] = Accreditation.series_id.is_(None)
    if event.series_id is not None:
        scope = sa.or_(scope, Accreditation.series_id == event.series_id)
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Accreditation.person_id == person_id, Accreditation.status == AccreditationStatus.APPROVED,
        scope, sa.or_(Accreditation.valid_until.is_(None), Accreditation.valid_until >= event.starts_at)))))


# ------------------------------------------------------------------------------- registering

def _existing(event_id: int, person_id: int) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event_id, Registration.person_id == person_id))


def _initial_status(event: Event, person: Person, site_id: int | None, *, needs_approval: bool,
                    waitlist: bool) -> RegistrationStatus:
    if needs_approval and event.requires_approval and not is_accredited(person.id, event):
        return RegistrationStatus.PENDING
    if capacity.has_room(event, site_id):
        return RegistrationStatus.APPROVED
    if waitlist and event.waitlist_enabled:
        return RegistrationStatus.WAITLISTED
    raise RegistrationError("full" if site_id is None else "quota_full")


def register(event: Event, person: Person, *, channel: RegistrationChannel, site_id: int | None = None,
             questions: str | None = None, locale: str = "vi", enrolment: Enrolment | None = None,
             needs_approval: bool = True, waitlist: bool = True, now: datetime | None = None) -> Outcome:
    """Register `person` for `event`, deciding the status under the event lock.

    An active (or rejected) registration is returned as a duplicate; a cancelled one is revived.
    """
    now = now or utcnow()
    capacity.lock_event(event.id)
    existing = _existing(event.id, person.id)
    if existing is not None:
        db.session.refresh(existing)  # the lock may have waited for someone else's change
        if existing.is_active or existing.status == RegistrationStatus.REJECTED:
            return Outcome(existing, duplicate=True)
    status = _initial_status(event, person, site_id, needs_approval=needs_approval, waitlist=waitlist)
    if existing is None:
        registration = Registration(event=event, person=person, channel=channel, status=status,
                                    status_changed_at=now, locale=locale)
        db.session.add(registration)
    else:
        registration = existing
        registration.set_status(status, now)
        registration.channel, registration.locale, registration.reminder_sent_at = channel, locale, None
    registration.site_id = site_id
    registration.enrolment = enrolment
    db.session.flush()
    if questions:
        signals.question_submitted.send(registration, text=questions)  # the questions domain files it
    if channel != RegistrationChannel.WALK_IN:  # at the door, a calendar entry is no news
        calendar_sync.touch(person.id)
    return Outcome(registration)


def check_window(event: Event, now: datetime) -> None:
    """Refuse unless the event's registration window (Event.registration_window) is open now."""
    window = event.registration_window(now)
    if window != RegistrationWindow.OPEN:
        raise RegistrationError(window.value)


# ------------------------------------------------------------------------ changes and cancels

def fill_freed_seats(event: Event, site_id: int | None) -> list[Registration]:
    """Move the first of the venue's (None) or a site's waiting list into seats now free, and tell
    each one; the caller holds the event lock."""
    promoted = capacity.promote_waitlist(event, site_id)
    for registration in promoted:
        emails.notify(registration, emails.PROMOTED)
    return promoted


def cancel(registration: Registration, *, by: CancelledBy, actor: Any = None, reason: str | None = None,
           notify: bool = True, now: datetime | None = None) -> list[Registration]:
    """Cancel and, in the same transaction, hand a freed seat to the waiting list (returned)."""
    now = now or utcnow()
    capacity.lock_event(registration.event_id)
    db.session.refresh(registration)
    if not registration.can_transition_to(RegistrationStatus.CANCELLED):
        raise RegistrationError("not_cancellable")
    held = registration.holds_seat
    old = registration.status
    registration.set_status(RegistrationStatus.CANCELLED, now, reason)
    registration.cancelled_by = by
    if actor is not None:
        audit.record(actor, "registration.cancel", registration, registration.person.full_name,
                     {"status": [old.value, "cancelled"], "reason": reason})
    if notify:
        emails.notify(registration, emails.CANCELLED, reason=reason)
    db.session.flush()
    return fill_freed_seats(registration.event, registration.site_id) if held else []


def change_status(registration: Registration, target: RegistrationStatus, *, actor: Any,
                  reason: str | None = None, by: CancelledBy = CancelledBy.ORGANISER,
                  now: datetime | None = None) -> RegistrationStatus:
    """An organiser's decision. Approving when full wait-lists instead (returned), or refuses."""
    if target == RegistrationStatus.CANCELLED:
        cancel(registration, by=by, actor=actor, reason=reason, now=now)
        return RegistrationStatus.CANCELLED
    now = now or utcnow()
    event = registration.event
    capacity.lock_event(event.id)
    db.session.refresh(registration)
    if registration.status == target:
        return target
    if target == RegistrationStatus.APPROVED and not capacity.has_room(event, registration.site_id):
        if registration.status == RegistrationStatus.WAITLISTED or not event.waitlist_enabled:
            raise RegistrationError("full")
        target = RegistrationStatus.WAITLISTED
    if not registration.can_transition_to(target):
        raise RegistrationError("transition")
    if target == RegistrationStatus.WAITLISTED and registration.holds_seat \
            and not capacity.others_waiting(event, registration):
        # Its freed seat would go to the first in line: this very registration (two e-mails that
        # contradict each other, and nothing changed).
        raise RegistrationError("waitlist_free_seat")
    held, old = registration.holds_seat, registration.status
    registration.set_status(target, now, reason)
    audit.record(actor, f"registration.{target.value}", registration, registration.person.full_name,
                 {"status": [old.value, target.value], "reason": reason})
    # a seat lost (rejected, wait-listed) takes the invitation out of the calendar too: the
    # reconciler attaches the CANCEL to this message
    emails.notify_status(registration, reason=reason)
    db.session.flush()
    if held and not registration.holds_seat:
        fill_freed_seats(event, registration.site_id)
    return target


def add_by_organiser(event: Event, applicant: Applicant, *, actor: Any, site_id: int | None = None,
                     questions: str | None = None, now: datetime | None = None) -> Outcome:
    """Someone added by hand: no approval step; the venue's waiting list applies when full."""
    person = find_or_create_person(applicant, trusted_organisation_id=applicant.organisation_id)
    outcome = register(event, person, channel=RegistrationChannel.CONSOLE, site_id=site_id,
                       questions=questions, locale=person.locale or "vi", needs_approval=False, now=now)
    if outcome.duplicate:
        raise RegistrationError("duplicate", "email")
    audit.record(actor, "registration.add", outcome.registration, person.full_name,
                 {"status": outcome.registration.status.value, "site_id": site_id})
    emails.notify_status(outcome.registration)
    return outcome


# ------------------------------------------------------------------------------ site entries

def check_site_deadline(event: Event, now: datetime) -> None:
    """Refuse a coordinator's change after the event's site deadline (Event.site_changes_open)."""
    if not event.site_changes_open(now):
        raise RegistrationError("deadline")


def site_may_register(person: Person, site_id: int, organisation_id: int | None) -> bool:
    """A site registers its own organisation's people, and people it has registered before."""
    if organisation_id is not None and person.organisation_id == organisation_id:
        return True
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Registration.person_id == person.id, Registration.site_id == site_id))))


def person_for_site(applicant: Applicant, site_id: int, organisation_id: int | None) -> Person:
    """The person a coordinator means, or a new one; someone else's person is refused unread."""
    # checked before find_or_create_person, which would fill in blanks of the found record
    found = find_person(applicant.email)
    if found is not None and not site_may_register(found, site_id, organisation_id):
        raise RegistrationError("not_for_site", _site_field(applicant))
    return find_or_create_person(applicant, trusted_organisation_id=organisation_id)


def _site_field(applicant: Applicant) -> str:
    return "email" if applicant.email else "full_name"


def _site_duplicate(registration: Registration, site_id: int, applicant: Applicant) -> RegistrationError:
    """A coordinator hears about their own site's registrations only; any other one is not named."""
    code = "duplicate" if registration.site_id == site_id else "not_for_site"
    return RegistrationError(code, _site_field(applicant))


def register_for_site(event: Event, site_id: int, organisation_id: int | None, applicant: Applicant, *,
                      actor: Any, now: datetime | None = None) -> Registration:
    """A coordinator's entry: approved within the site's quota, refused beyond it (no waiting list)."""
    now = now or utcnow()
    check_site_deadline(event, now)
    if capacity.participation(event.id, site_id) is None:
        raise RegistrationError("not_participating")
    if applicant.organisation_id is None:
        applicant.organisation_id = organisation_id
    person = person_for_site(applicant, site_id, organisation_id)
    outcome = register(event, person, channel=RegistrationChannel.SITE, site_id=site_id,
                       locale=person.locale or "vi", needs_approval=False, waitlist=False, now=now)
    if outcome.duplicate:
        raise _site_duplicate(outcome.registration, site_id, applicant)
    audit.record(actor, "registration.site_add", outcome.registration, person.full_name,
                 {"site_id": site_id})
    emails.notify_status(outcome.registration)
    return outcome.registration
