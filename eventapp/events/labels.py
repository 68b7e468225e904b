"""Translated display labels for event enums."""

from flask_babel import lazy_gettext as _l

from eventapp.events.models import EventKind, EventMode, EventStatus

KIND_LABELS = {
    EventKind.PRESS_BRIEFING: _l("Press briefings"),
    EventKind.TRAINING: _l("Trainings and conferences"),
    EventKind.OTHER: _l("Other events"),
}

KIND_SINGULAR = {
    EventKind.PRESS_BRIEFING: _l("Press briefing"),
    EventKind.TRAINING: _l("Training"),
    EventKind.OTHER: _l("Event"),
}

MODE_LABELS = {
    EventMode.IN_PERSON: _l("In person"),
    EventMode.ONLINE: _l("Online"),
    EventMode.HYBRID: _l("Hybrid (in person and online)"),
}

STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}
