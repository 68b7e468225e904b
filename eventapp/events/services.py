"""Event actions: series and one-off events, occurrence generation to the horizon, lifecycle."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from eventapp import audit
from eventapp.calendar import recurrence
from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.errors import DomainError
from eventapp.events import site_notices
from eventapp.events.models import (
    Event,
    EventKind,
    EventMode,
    EventSeries,
    EventStatus,
    SeriesStatus,
)
from eventapp.extensions import db
from eventapp.models import utcnow

MAX_CAPACITY = 100_000
MAX_DURATION_MINUTES = 24 * 60
MAX_OPENS_DAYS = 366
MAX_CLOSES_HOURS = 24 * 60
# Nobody plans briefings further ahead; the bound also keeps date arithmetic far from year 9999.
MAX_YEARS_AHEAD = 5
MAX_AHEAD = timedelta(days=366 * MAX_YEARS_AHEAD)
# Changes to these are visible in calendars: they bump SEQUENCE.
CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "venue", "venue_address", "online_url", "title",
                             "description", "status", "tz", "mode"})


class EventError(DomainError, ValueError):
    """A scheduling rule was broken (worded by events.forms)."""


SERIES_DEFAULT_FIELDS = (
    "kind", "title", "description", "tz", "mode", "venue", "venue_address", "online_url", "capacity",
    "requires_approval", "requires_press_card",
)


@dataclass(frozen=True)
class SeriesSpec:
    """Everything needed to create or change a series (plain values: no forms here)."""

    title: str
    rrule: str
    dtstart_local: datetime
    duration_minutes: int
    tz: str = DEFAULT_TZ
    kind: EventKind = EventKind.PRESS_BRIEFING
    description: str = ""
    mode: EventMode = EventMode.IN_PERSON
    venue: str | None = None
    venue_address: str | None = None
    online_url: str | None = None
    capacity: int | None = None
    registration_opens_days_before: int | None = None
    registration_closes_hours_before: int | None = None
    requires_approval: bool = False
    requires_press_card: bool = False


def json_value(value: Any) -> Any:
    """A value as it is written into an audit diff."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def apply_changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set attributes that differ; the audit diff {name: [old, new]} of what changed."""
    diff: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            diff[name] = [json_value(old), json_value(new)]
            setattr(obj, name, new)
    return diff


def check_common(*, title: str | None = None, capacity: int | None = None, tz: str | None = None) -> None:
    """Checks shared by series, occurrences and one-off events."""
    if title is not None and not title.strip():
        raise EventError("required", "title")
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        raise EventError("capacity_range", "capacity")
    if tz is not None:
        try:
            recurrence.zone(tz)
        except recurrence.RecurrenceError:
            raise EventError("unknown_timezone", "tz") from None


def check_not_too_far(local: datetime | None, tz: str, field: str, now: datetime | None = None) -> None:
    """EventError('too_far') for a wall time more than MAX_AHEAD from now."""
    # Checked on the wall time, before converting to UTC: that overflows near year 9999.
    if local is None:
        return
    limit = recurrence.to_local(now or utcnow(), tz) + MAX_AHEAD
    if local > limit:
        raise EventError("too_far", field)


def _check_series_spec(spec: SeriesSpec) -> None:
    check_common(title=spec.title, capacity=spec.capacity, tz=spec.tz)
    if not 0 < spec.duration_minutes <= MAX_DURATION_MINUTES:
        raise EventError("duration_range", "duration_minutes")
    opens, closes = spec.registration_opens_days_before, spec.registration_closes_hours_before
    if opens is not None and not 0 <= opens <= MAX_OPENS_DAYS:
        raise EventError("opens_range", "registration_opens_days_before")
    if closes is not None and not 0 <= closes <= MAX_CLOSES_HOURS:
        raise EventError("closes_range", "registration_closes_hours_before")
    if opens is not None and closes is not None and opens * 24 <= closes:
        raise EventError("window_order", "registration_closes_hours_before")


def anchored_rule(spec: SeriesSpec, *, horizon: datetime, from_day: Any = None,
                  now: datetime | None = None) -> tuple[str, datetime]:
    """The validated, normalised rule and the local DTSTART: the first date matching the rule on or
    after the requested start day (RFC 5545 counts DTSTART as an occurrence, dateutil does not)."""
    _check_series_spec(spec)
    now = now or utcnow()
    check_not_too_far(spec.dtstart_local, spec.tz, "start_date", now)
    day = spec.dtstart_local.date()
    if from_day is not None and from_day > day:
        day = from_day
    try:
        rule = recurrence.normalise_rrule(spec.rrule, spec.tz)
        dtstart = recurrence.first_on_or_after(rule, day, spec.dtstart_local.time(), spec.tz)
        rule = recurrence.validate(rule, dtstart, spec.tz, horizon_utc=horizon, after_utc=now)
    except recurrence.RecurrenceError as exc:
        raise EventError(exc.code, "rrule", exc.detail) from exc
    return rule, dtstart


def series_values(spec: SeriesSpec) -> dict[str, Any]:
    """The spec's values that are stored on the series as they are."""
    skip = {"rrule", "dtstart_local"}
    return {f.name: getattr(spec, f.name) for f in fields(spec) if f.name not in skip}


def spec_from_series(series: EventSeries) -> SeriesSpec:
    """The spec a stored series corresponds to (to change a few values with dataclasses.replace)."""
    return SeriesSpec(**{f.name: getattr(series, f.name) for f in fields(SeriesSpec)})


def create_series(spec: SeriesSpec, *, actor: Any = None, horizon_months: int = 12,
                  publish: bool = False, now: datetime | None = None) -> EventSeries:
    """Validate the rule, store the series and its occurrence rows up to the horizon."""
    now = now or utcnow()
    horizon = recurrence.horizon_end(now, horizon_months)
    rule, dtstart = anchored_rule(spec, horizon=horizon, now=now)
    if recurrence.to_utc(spec.dtstart_local, spec.tz) < now:
        raise EventError("past_date", "start_date")
    series = EventSeries(rrule=rule, dtstart_local=dtstart, **series_values(spec))
    db.session.add(series)
    db.session.flush()
    extend_horizon(series, horizon, publish=publish, now=now)
    audit.record(actor, "series.create", series, series.title, {"rrule": rule, "dtstart": dtstart.isoformat()})
    return series


def occurrence_window(series: EventSeries, start: datetime) -> dict[str, datetime | None]:
    """Registration opening and closing instants of an occurrence starting at `start`."""
    opens = closes = None
    if series.registration_opens_days_before is not None:
        opens = start - timedelta(days=series.registration_opens_days_before)
    if series.registration_closes_hours_before is not None:
        closes = start - timedelta(hours=series.registration_closes_hours_before)
    return {"registration_opens_at": opens, "registration_closes_at": closes}


def series_is_published(series: EventSeries) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Event.series_id == series.id, Event.status == EventStatus.PUBLISHED))))


def extend_horizon(series: EventSeries, until_utc: datetime, *, publish: bool | None = None,
                   now: datetime | None = None) -> int:
    """Create the missing occurrence rows up to `until_utc`; idempotent, never touches existing rows
    (so exceptions, cancellations and registrations are kept). Returns how many were created."""
    if series.status != SeriesStatus.ACTIVE:
        return 0
    # Only from now on: the limit counts the horizon, not years of history, and no row is ever
    # created for a date that has passed.
    instants = recurrence.expand(series.rrule, series.dtstart_local, series.tz, until_utc=until_utc,
                                 after_utc=now or utcnow())
    existing = set(db.session.scalars(
        sa.select(Event.original_start).where(Event.series_id == series.id)))
    if publish is None:
        # New rows follow the series: published if any occurrence already is.
        publish = series_is_published(series)
    created = 0
    duration = timedelta(minutes=series.duration_minutes)
    for start in instants:
        if start in existing:
            continue
        event = Event(
            series_id=series.id, original_start=start, starts_at=start, ends_at=start + duration,
            status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
            published_at=utcnow() if publish else None,
            **{name: getattr(series, name) for name in SERIES_DEFAULT_FIELDS},
            **occurrence_window(series, start),
        )
        db.session.add(event)
        created += 1
    if series.generated_until is None or until_utc > series.generated_until:
        series.generated_until = until_utc
    db.session.flush()
    return created


@dataclass
class HorizonReport:
    """What `extend_all_horizons` did: rows created, and the series it could not extend."""

    created: int = 0
    failed: list[tuple[EventSeries, str]] = dataclass_field(default_factory=list)


def extend_all_horizons(horizon_months: int, now: datetime | None = None) -> HorizonReport:
    """Extend every active series to `horizon_months` from now; failing series are reported."""
    now = now or utcnow()
    until = recurrence.horizon_end(now, horizon_months)
    report = HorizonReport()
    series_list = db.session.scalars(sa.select(EventSeries).where(EventSeries.status == SeriesStatus.ACTIVE)
                                     .order_by(EventSeries.id)).all()
    for series in series_list:
        try:
            report.created += extend_horizon(series, until, now=now)
        except recurrence.RecurrenceError as exc:
            # expand() fails before extend_horizon writes anything: skip it, go on with the others
            report.failed.append((series, exc.code))
    return report


def upcoming_occurrences(series: EventSeries, now: datetime, *, published_only: bool = False) -> list[Event]:
    """The series' occurrences that have not started yet, soonest first (drafts and cancelled ones
    too, unless `published_only`: what a journalist can register for)."""
    query = sa.select(Event).where(Event.series_id == series.id, Event.starts_at > now)
    if published_only:
        query = query.where(Event.status == EventStatus.PUBLISHED)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))


def publication_problems(event: Event) -> list[tuple[str, str]]:
    """(code, field) pairs that stop an event from being published."""
    problems: list[tuple[str, str]] = []
    if event.status == EventStatus.CANCELLED:
        problems.append(("cancelled", "status"))
    if not event.starts_at or not event.ends_at or event.ends_at <= event.starts_at:
        problems.append(("time", "starts_at"))
    if event.mode in (EventMode.IN_PERSON, EventMode.HYBRID) and not event.venue:
        problems.append(("venue_missing", "venue"))
    if event.mode in (EventMode.ONLINE, EventMode.HYBRID) and not event.online_url:
        problems.append(("online_url_missing", "online_url"))
    if event.mode == EventMode.HYBRID and event.capacity is None and not any(s.quota for s in event.sites):
        problems.append(("capacity_missing", "capacity"))
    return problems


def publish_event(event: Event, *, actor: Any = None, now: datetime | None = None) -> None:
    """draft -> published, once complete (time, a venue or link, capacity or site quotas for hybrid)."""
    if event.status == EventStatus.PUBLISHED:
        return
    problems = publication_problems(event)
    if problems:
        raise EventError(problems[0][0], problems[0][1])
    event.status = EventStatus.PUBLISHED
    event.published_at = now or utcnow()
    event.bump_sequence()
    db.session.flush()
    recipients = site_notices.coordinators([s.site_id for s in event.sites])
    for participation in event.sites:
        site_notices.site_coordinators(event, participation, "site_added",
                                       users=recipients.get(participation.site_id, []))
    audit.record(actor, "event.publish", event, event.title)


def publish_series(series: EventSeries, *, actor: Any = None, now: datetime | None = None) -> int:
    """Publish every upcoming draft occurrence (all checked first: none or all). Returns how many."""
    now = now or utcnow()
    drafts = [e for e in upcoming_occurrences(series, now) if e.status == EventStatus.DRAFT]
    if series.status != SeriesStatus.ACTIVE:
        raise EventError("series_cancelled", "status")
    if not drafts:
        raise EventError("nothing_to_publish", "status")
    for event in drafts:
        problems = publication_problems(event)
        if problems:
            raise EventError(*problems[0])
    for event in drafts:
        publish_event(event, actor=None, now=now)
    audit.record(actor, "series.publish", series, series.title, {"published": len(drafts)})
    return len(drafts)
