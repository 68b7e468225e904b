"""The words an event carries into iCalendar, feeds and e-mailed invitations alike: Vietnamese
whoever asks, so one body fits every reader."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.calendar import ical
from eventapp.events.labels import KIND_SINGULAR

CALENDAR_LOCALE = "vi"


def calendar_labels() -> ical.FeedLabels:
    """The calendar's words, translated once per process (they change only with a new release)."""
    labels = current_app.extensions.get("calendar_labels")
    if labels is None:
        labels = current_app.extensions["calendar_labels"] = _translated_labels()
    return labels


def _translated_labels() -> ical.FeedLabels:
    with force_locale(CALENDAR_LOCALE):
        return ical.FeedLabels(
            programme=_("Programme"), register=_("Registration and details"),
            details=_("Details"), join_online=_("Join online"),
            categories={kind.value: str(label) for kind, label in KIND_SINGULAR.items()})
