"""Signals the events domain sends; higher layers (registrations) react, events never calls them.

Two kinds, as in Flask and Indico: news (something changed; receivers act on it) and questions
(events asks what hangs off its rows; each receiver returns its answer, gathered by `answers`, as
Indico's `values_from_signal`). With no receiver connected a question has no answer: nothing
hangs off the event and nobody registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from blinker import Namespace, Signal

if TYPE_CHECKING:
    from eventapp.events.models import Event

_signals = Namespace()


@dataclass(frozen=True)
class ScheduleChange:
    """What changed about one event: "event_rescheduled" (with old_start) or "event_updated" (with
    the names of the changed fields: place, link, format, title or end time)."""

    event: Event
    kind: str
    old_start: datetime | None = None
    changed: tuple[str, ...] = ()


# News.
# sender: the series that was split; new_series: its continuation; now: the instant of the split.
# Sent after the moved rows belong to the continuation and its horizon is generated.
series_split = _signals.signal("series-split")

# sender: None; changes: list[ScheduleChange] of upcoming, not cancelled events, sent after the
# rows changed and before they are flushed (a series edit sends a year of occurrences at once).
schedule_changed = _signals.signal("schedule-changed")

# sender: the event, just cancelled (status, reason and SEQUENCE set); reason: the organiser's words.
# A receiver returns how many of its own rows it cancelled with it (registrations: the registrations).
event_cancelled = _signals.signal("event-cancelled")

# sender: the event; site_ids: [None] when the venue's capacity changed, else the sites whose quota
# changed; now: the instant. Sent after the flush, under the event lock (events.locks), so that
# freed seats are handed out. A receiver returns {site_id: approved} for the changed sites whose
# approved people now exceed their quota: nobody is removed, the organiser is warned (for the venue,
# the console asks venue_overbooked).
seats_changed = _signals.signal("seats-changed")

# Questions.
# sender: an event the schedule no longer has. A receiver returns True when rows of its own hang
# off it: the event is then cancelled and kept, never deleted.
event_in_use = _signals.signal("event-in-use")

# sender: the event; site_ids: sites about to be removed from it. A receiver returns the ids among
# them that rows of its own hang off (a site with registrations is never removed).
sites_in_use = _signals.signal("sites-in-use")

# sender: None; event_ids: events on a console screen. A receiver returns {event_id: active
# registrations} (pending, approved or wait-listed).
registration_counts = _signals.signal("registration-counts")

# sender: the event. A receiver returns {site_id: active registrations of that site}.
site_registration_counts = _signals.signal("site-registration-counts")

# sender: None; events: events whose venue capacity may be below those approved. A receiver returns
# {event_id: approved} for those over capacity (one query for a year of occurrences).
venue_overbooked = _signals.signal("venue-overbooked")


def answers(signal: Signal, sender: Any = None, **kwargs: Any) -> list[Any]:
    """Every receiver's answer to a question (or news that returns something), in no given order."""
    return [answer for _receiver, answer in signal.send(sender, **kwargs)]


def merged(signal: Signal, sender: Any = None, **kwargs: Any) -> dict:
    """The receivers' answers to a question answered with a dict, as one dict."""
    result: dict = {}
    for answer in answers(signal, sender, **kwargs):
        result.update(answer or {})
    return result
