"""Public event pages: the home page listing, one event's page and a series' page."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from eventapp.events.labels import KIND_LABELS, KIND_SINGULAR, MODE_LABELS
from eventapp.events.models import (
    Event,
    EventKind,
    EventMode,
    EventSeries,
    EventStatus,
    SeriesStatus,
)
from eventapp.events.queries import upcoming_published
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.params import month_arg
from eventapp.web import local_time

bp = Blueprint("events", __name__)
REGISTER_ENDPOINTS = ("registrations.register", "registrations.form", "registrations.new")


SERIES_PREVIEW = 3  # sessions of one series shown on the home page


def trim_series(events: list[Event], limit: int | None) -> tuple[list[Event], list[tuple[EventSeries, int]]]:
    """At most `limit` occurrences per series (in order), and each trimmed series with its hidden count."""
    if limit is None:
        return events, []
    shown: list[Event] = []
    seen: Counter[int] = Counter()
    hidden: dict[int, tuple[EventSeries, int]] = {}
    for event in events:
        if event.series is not None:
            seen[event.series.id] += 1
            if seen[event.series.id] > limit:
                series, count = hidden.get(event.series.id, (event.series, 0))
                hidden[event.series.id] = (series, count + 1)
                continue
        shown.append(event)
    return shown, list(hidden.values())


@bp.get("/")
def home() -> ResponseReturnValue:
    kind_arg = request.args.get("kind", "")
    kind = EventKind(kind_arg) if kind_arg in EventKind._value2member_map_ else None
    month = month_arg("month")  # a malformed or impossible month (0000-01, 9999-12) is a 400
    events = upcoming_published(kind=kind, month=month)
    order = list(EventKind)
    ordered = sorted(events, key=lambda e: (order.index(e.kind), e.starts_at))
    # A year of weekly briefings would bury the trainings on a phone: without a month filter, show
    # each series' next few sessions and link to the series page for the rest.
    limit = None if month else SERIES_PREVIEW
    groups = [(k, *trim_series(list(items), limit)) for k, items in groupby(ordered, key=lambda e: e.kind)]
    return render_template(
        "events/home.html", groups=groups, kind_labels=KIND_LABELS, selected_kind=kind_arg if kind else "",
        selected_month=f"{month[0]:04d}-{month[1]:02d}" if month else "", mode_labels=MODE_LABELS,
    )


def _first_url(endpoints: tuple[str, ...], **values: Any) -> str | None:
    for endpoint in endpoints:
        try:
            return url_for(endpoint, **values)
        except BuildError:
            continue
    return None


def registration_state(event: Event, now) -> tuple[bool, str]:
    """Whether the register button shows, and otherwise the reason, in the visitor's language."""
    if event.is_cancelled:
        return False, _("This event has been cancelled.")
    if event.ends_at <= now:
        return False, _("This event has ended.")
    if event.starts_at <= now:
        return False, _("This event has already started.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return False, _("Registration opens on %(when)s.",
                        when=local_time(event.registration_opens_at, event.tz, "HH:mm dd/MM/yyyy"))
    if event.registration_closes_at and now >= event.registration_closes_at:
        return False, _("Registration closed on %(when)s.",
                        when=local_time(event.registration_closes_at, event.tz, "HH:mm dd/MM/yyyy"))
    return True, ""


def google_calendar_url(event: Event) -> str:
    """An add-to-calendar link that needs no file (UTC times, so no zone can be misread).

    It is on the public page, so it never carries the online join link: it says where the link
    comes from and points back to the event page instead.
    """
    fmt = "%Y%m%dT%H%M%SZ"
    details = event.description or ""
    if event.mode != EventMode.IN_PERSON:
        details = f"{details}\n\n{_('The link is sent to registered participants.')}".strip()
    page = url_for("events.detail", event_id=event.id, _external=True)
    details = f"{details}\n\n{page}".strip()
    location = event.venue or (_("Online") if event.mode == EventMode.ONLINE else "")
    query = urlencode({"action": "TEMPLATE", "text": event.title,
                       "dates": f"{event.starts_at:{fmt}}/{event.ends_at:{fmt}}",
                       "details": details, "location": location})
    return f"https://calendar.google.com/calendar/render?{query}"


def map_url(event: Event) -> str | None:
    place = ", ".join(p for p in (event.venue, event.venue_address) if p)
    return f"https://www.google.com/maps/search/?api=1&query={quote(place)}" if place else None


@bp.get("/events/<int:event_id>")
def detail(event_id: int) -> ResponseReturnValue:
    event = db.session.get(Event, event_id)
    if event is None or not (event.is_published or event.is_cancelled) or (
            event.is_cancelled and event.published_at is None):
        abort(404)  # drafts are invisible to the public
    now = utcnow()
    can_register, reason = registration_state(event, now)
    register_url = _first_url(REGISTER_ENDPOINTS, event_id=event.id) if can_register else None
    if can_register and register_url is None:
        can_register, reason = False, _("Online registration is not available yet.")
    contributors = list(dict.fromkeys(i.speaker_organisation_name for i in event.agenda_items
                                      if i.speaker_organisation_name))
    return render_template(
        "events/detail.html", event=event, mode_labels=MODE_LABELS, kind_labels=KIND_SINGULAR,
        can_register=can_register, register_reason=reason, register_url=register_url,
        ics_url=_first_url(("feeds.one_event",), event_id=event.id), google_url=google_calendar_url(event),
        map_url=map_url(event), contributors=contributors, completed=event.is_completed(now),
        series_visible=event.series_id is not None,
    )


@bp.get("/series/<int:series_id>")
def series_page(series_id: int) -> ResponseReturnValue:
    series = db.session.get(EventSeries, series_id)
    if series is None:
        abort(404)
    now = utcnow()
    upcoming = db.session.scalars(sa.select(Event).where(
        Event.series_id == series.id, Event.ends_at > now,
        Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]), Event.published_at.is_not(None),
    ).order_by(Event.starts_at).limit(60)).all()
    ever_published = upcoming or db.session.scalar(sa.select(sa.exists().where(
        Event.series_id == series.id, Event.published_at.is_not(None))))
    if not ever_published:
        abort(404)  # a draft series is invisible to the public
    # "Register for the whole series" starts from the next session whose registration is open.
    register_from = next((e for e in upcoming if e.is_registration_open(now)), None)
    return render_template("events/series.html", series=series, upcoming=upcoming, mode_labels=MODE_LABELS,
                           kind_labels=KIND_SINGULAR, cancelled=series.status == SeriesStatus.CANCELLED,
                           register_from=register_from)
