"""Translated display labels for event enums."""

from flask_babel import lazy_gettext as _l

from eventapp.events.models import EventKind, EventMode, EventStatus, SiteParticipationStatus
from eventapp.labels import enum_labels

# Headings of the lists that group events by kind (the home page, the feeds' names).
KIND_LABELS = {
    EventKind.PRESS_BRIEFING: _l("Press briefings"),
    EventKind.TRAINING: _l("Trainings and conferences"),
    EventKind.OTHER: _l("Other events"),
}

KIND_SINGULAR = enum_labels(EventKind, {
    EventKind.PRESS_BRIEFING: _l("Press briefing"),
    EventKind.TRAINING: _l("Training"),
    EventKind.OTHER: _l("Event"),
})

MODE_LABELS = enum_labels(EventMode, {
    EventMode.IN_PERSON: _l("In person"),
    EventMode.ONLINE: _l("Online"),
    EventMode.HYBRID: _l("Hybrid (in person and online)"),
})

STATUS_LABELS = enum_labels(EventStatus, {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
})

SITE_STATUS_LABELS = enum_labels(SiteParticipationStatus, {
    SiteParticipationStatus.INVITED: _l("Not yet connected"),
    SiteParticipationStatus.CONNECTED: _l("Connected"),
    SiteParticipationStatus.REPORTED: _l("Reported"),
})
