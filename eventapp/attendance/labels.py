"""Translated labels for attendance screens, exports and the desk's JavaScript messages."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventapp.events.models import Event
from eventapp.models import utcnow
from eventapp.registrations.labels import ERRORS as REGISTRATION_ERRORS
from eventapp.web import local_time

# What the desk shows for each scan answer; {name}, {time}, {by}, {event} are filled in by checkin.js.
SCAN_MESSAGES = {
    "checked_in": _l("Checked in: {name}"),
    "already": _l("Already checked in at {time} by {by}: {name}"),
    "not_registered": _l("Not registered for this event"),
    "invalid": _l("Not a ticket of this system — scan again or search by name"),
    "wrong_event": _l("Ticket for another event: {event}"),
    "waitlisted": _l("Wait-listed, no seat yet: {name}"),
    "cancelled": _l("Registration cancelled: {name}"),
    "pending": _l("Registration not yet approved: {name}"),
    "rejected": _l("Registration rejected: {name}"),
    "closed": _l("Check-in is not open for this event now"),
    "bad_time": _l("Scan time is outside the event day; not counted"),
    "undone": _l("Check-in undone: {name}"),
    "not_checked_in": _l("Was not checked in: {name}"),
    "full": _l("No seat left: the walk-in was not registered"),
    "walk_in_invalid": _l("Please check the walk-in's name, phone and e-mail"),
    "queued": _l("Saved on this device; it will be sent when the connection is back"),
    "error": _l("The server did not answer; please try again"),
    "signed_out": _l("Your session has ended; please sign in again"),
}

ROLLCALL_ERRORS = {
    "locked": _l("The roll-call of this site is locked. An organiser can reopen it."),
    "not_connected": _l("Mark the site connected first."),
    "foreign_registration": _l("Some of the names sent do not belong to this site; nothing was changed."),
    "headcount_invalid": _l("The headcount must be a whole number."),
    "headcount_negative": _l("The headcount cannot be negative."),
    "headcount_too_large": _l("The headcount is too large for one site."),
    "organisers_only": _l("Only organisers can do this."),
    "test_required": _l("Please confirm that you tested the connection."),
    "walk_in_invalid": _l("Please enter the walk-in's full name (and a valid phone number, if any)."),
    "walk_in_full": _l("The site's quota is used up: the walk-in was not registered."),
    "walk_in_closed": _l("Check-in is not open for this event now"),
    "walk_in_status": _l("This person is already registered for the event without a seat; see the registrations."),
    "not_for_site": REGISTRATION_ERRORS["not_for_site"],  # a walk-in another site or the venue registered
}


WINDOW_FORMAT = "HH:mm dd/MM"


def window_message(event: Event, now: datetime | None = None) -> str | None:
    """Why the desk and the roll-call refuse now, saying when they open (None while they are open)."""
    now = now or utcnow()
    if event.attendance_not_yet_open(now):
        return _("Attendance opens at %(time)s",
                 time=local_time(event.attendance_opens_at, event.tz, WINDOW_FORMAT))
    if not event.is_published:
        return _("Check-in is not open for this event now")
    if not event.is_attendance_open(now):
        return _("Attendance closed at %(time)s",
                 time=local_time(event.attendance_closes_at, event.tz, WINDOW_FORMAT))
    return None


def rollcall_error(code: str, event: Event) -> str:
    """The translated refusal of a roll-call change; a closed window says when it opens."""
    if code in ("not_open", "walk_in_closed"):
        return window_message(event) or str(ROLLCALL_ERRORS["walk_in_closed"])
    return str(ROLLCALL_ERRORS.get(code, code))
