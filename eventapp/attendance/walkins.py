"""Walk-ins: register and check in on the spot, through the registrations service and its seat rule."""

from __future__ import annotations

import re
from datetime import datetime

from eventapp import audit
from eventapp.accounts.models import User
from eventapp.attendance.services import ScanCode, ScanResult, check_in, door_open
from eventapp.directory.models import normalise_text
from eventapp.events.models import Event
from eventapp.models import utcnow
from eventapp.registrations import capacity
from eventapp.registrations.models import CheckinMethod, RegistrationChannel
from eventapp.registrations.services import (
    Applicant,
    RegistrationError,
    find_or_create_person,
    person_for_site,
    register,
)
from eventapp.text import has_control_chars, is_single_line

EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class WalkInError(ValueError):
    """The walk-in's details are not usable; `field` names the input at fault."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def applicant(full_name: object, phone: object = None, email: object = None,
              organisation_id: int | None = None) -> Applicant:
    """Validate what the desk or the coordinator typed."""
    name = normalise_text(full_name if isinstance(full_name, str) else "")
    if not 2 <= len(name) <= 150 or has_control_chars(name) or not is_single_line(name):
        raise WalkInError("full_name")
    phone_text = normalise_text(phone if isinstance(phone, str) else "")
    if len(phone_text) > 30 or (phone_text and not re.fullmatch(r"[0-9 +().-]{6,30}", phone_text)):
        raise WalkInError("phone")
    email_text = normalise_text(email if isinstance(email, str) else "")
    if email_text and (len(email_text) > 254 or not EMAIL_RE.fullmatch(email_text)):
        raise WalkInError("email")
    return Applicant(full_name=name, phone=phone_text or None, email=email_text or None,
                     organisation_id=organisation_id)


def walk_in(event: Event, person: Applicant, actor: User, *, site_id: int | None = None,
            method: CheckinMethod = CheckinMethod.WALK_IN, now: datetime | None = None) -> ScanResult:
    """Register `person` on the spot (channel walk_in, no waiting list) and check them in.

    The seat decision is the registrations service's (event lock, venue capacity or the site's
    quota): with no seat left nothing is written and the answer is "full". A site's walk-in only
    creates or ticks that site's registration: anyone registered elsewhere is "not_registered".
    """
    now = now or utcnow()
    if not door_open(event, now):
        return ScanResult(ScanCode.CLOSED)
    capacity.lock_event(event.id)
    try:
        record = find_or_create_person(person, trusted_organisation_id=person.organisation_id) \
            if site_id is None else person_for_site(person, site_id, person.organisation_id)
    except RegistrationError as error:
        return ScanResult(ScanCode.NOT_REGISTERED, extra={"reason": error.code})
    try:
        outcome = register(event, record, channel=RegistrationChannel.WALK_IN, site_id=site_id,
                           needs_approval=False, waitlist=False, now=now)
    except RegistrationError as error:
        return ScanResult(ScanCode.FULL, name=record.full_name, extra={"reason": error.code})
    registration = outcome.registration
    if site_id is not None and outcome.duplicate and registration.site_id != site_id:
        # registered elsewhere (another site, the venue): a site's roll-call never ticks it, nor names it
        return ScanResult(ScanCode.NOT_REGISTERED, extra={"reason": "not_for_site"})
    if not outcome.duplicate:
        audit.record(actor, "checkin.walk_in", registration, record.full_name, {"site_id": site_id})
    return check_in(event, registration_id=registration.id, actor=actor, method=method, now=now)
