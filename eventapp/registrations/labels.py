"""Translated labels for registration states and the messages of domain errors."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventapp.errors import error_messages
from eventapp.labels import enum_labels
from eventapp.registrations.models import (
    CancelledBy,
    CheckinMethod,
    RegistrationChannel,
    RegistrationStatus,
)
from eventapp.registrations.services import RegistrationError

# The words a registrant reads on their ticket, used on every screen and export alike.
STATUS_LABELS = enum_labels(RegistrationStatus, {
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.APPROVED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.REJECTED: _l("Not accepted"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
})

STATUS_BADGES = {
    RegistrationStatus.PENDING: "warning",
    RegistrationStatus.APPROVED: "success",
    RegistrationStatus.WAITLISTED: "info",
    RegistrationStatus.REJECTED: "danger",
    RegistrationStatus.CANCELLED: "secondary",
}

CHANNEL_LABELS = enum_labels(RegistrationChannel, {
    RegistrationChannel.PUBLIC: _l("Public form"),
    RegistrationChannel.SITE: _l("Site coordinator"),
    RegistrationChannel.CONSOLE: _l("Organiser"),
    RegistrationChannel.WALK_IN: _l("Walk-in"),
})

CANCELLED_BY_LABELS = enum_labels(CancelledBy, {
    CancelledBy.REGISTRANT: _l("by the registrant"),
    CancelledBy.ORGANISER: _l("by the organiser"),
    CancelledBy.COORDINATOR: _l("by the site coordinator"),
})

METHOD_LABELS = enum_labels(CheckinMethod, {
    CheckinMethod.SCAN: _l("Ticket scan"),
    CheckinMethod.SEARCH: _l("Search at the desk"),
    CheckinMethod.ROLL_CALL: _l("Site roll-call"),
    CheckinMethod.WALK_IN: _l("Walk-in"),
})

ERRORS = {
    "full": _l("The event is full."),
    "quota_full": _l("Your site's quota for this event is used up."),
    "duplicate": _l("This person is already registered for this event."),
    # Deliberately says nothing about the person or where they are registered (another site's data).
    "not_for_site": _l("This person cannot be registered by your site; please ask the organisers."),
    "not_open": _l("Registration for this event is not open."),
    "not_yet_open": _l("Registration for this event has not opened yet."),
    "closed": _l("Registration for this event has closed."),
    "deadline": _l("The deadline for changes by sites has passed."),
    "not_participating": _l("This site does not take part in the event."),
    "not_cancellable": _l("This registration can no longer be cancelled."),
    "transition": _l("This change of status is not possible."),
    "waitlist_free_seat": _l("Nobody else is waiting and the seat would be free: the person would be "
                             "given it straight back. Reject or cancel the registration instead."),
}


@error_messages(RegistrationError)
def registration_error_message(error: RegistrationError) -> str:
    """How a registration refusal reads (an unknown code as an impossible change)."""
    return str(ERRORS.get(error.code, ERRORS["transition"]))
