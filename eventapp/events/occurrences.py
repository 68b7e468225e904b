"""Occurrences of a series: edit one (an exception), cancel, split "this and all following",
and re-fit existing rows to a changed schedule without losing registrations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp import audit
from eventapp.calendar import recurrence
from eventapp.events import locks, signals
from eventapp.events.models import AgendaItem, Event, EventSeries, EventStatus, SeriesStatus
from eventapp.events.services import (
    CALENDAR_FIELDS,
    MAX_AHEAD,
    SERIES_DEFAULT_FIELDS,
    EventError,
    SeriesSpec,
    anchored_rule,
    apply_changes,
    check_common,
    extend_horizon,
    occurrence_window,
    series_is_published,
    series_values,
)
from eventapp.events.signals import ScheduleChange
from eventapp.extensions import db
from eventapp.models import utcnow

MATCH_WINDOW = timedelta(days=7)
# Fields an edited occurrence may override; the rest always follow the series.
OVERRIDABLE = ("venue", "venue_address", "online_url", "capacity", "mode")


# Changes registrants must hear about even when the start stays: where and until when it runs.
NOTICE_FIELDS = ("title", "venue", "venue_address", "online_url", "mode", "ends_at")


def _change_notice(event: Event, diff: dict, *, old_start: datetime, now: datetime) -> ScheduleChange | None:
    """What registrants hear: a new time (registrations re-arm the day-before reminder for it), or
    else a new place, link or end time; nothing for an event that is off, or over."""
    if event.status == EventStatus.CANCELLED:
        return None
    if "starts_at" in diff:
        return ScheduleChange(event, "event_rescheduled", old_start=old_start)
    changed = tuple(name for name in NOTICE_FIELDS if name in diff)
    # A correction to an event that is over is not news for anyone's calendar.
    if changed and event.ends_at > now:
        return ScheduleChange(event, "event_updated", changed=changed)
    return None


def _tell(notices: list[ScheduleChange | None]) -> None:
    changes = [notice for notice in notices if notice is not None]
    if changes:
        signals.schedule_changed.send(None, changes=changes)


def _lock_if_capacity_changes(events: list[Event], new_capacity: Any) -> list[Event]:
    """Lock (in id order, as registrations do) the events whose capacity is about to change."""
    changing = sorted((e for e in events if e.capacity != new_capacity), key=lambda e: e.id or 0)
    for event in changing:
        locks.lock_event(event.id)
    return changing


def _finish_change(event: Event, diff: dict, *, old_start: datetime, actor: Any, action: str,
                   now: datetime) -> None:
    if CALENDAR_FIELDS & diff.keys():
        event.bump_sequence()
    _tell([_change_notice(event, diff, old_start=old_start, now=now)])
    db.session.flush()
    if "capacity" in diff:
        signals.seats_changed.send(event, site_ids=[None], now=now)
    audit.record(actor, action, event, event.title, diff)


def update_event(event: Event, values: dict[str, Any], *, actor: Any = None,
                 now: datetime | None = None) -> dict:
    """Change an event (a one-off, or one occurrence, which then becomes an exception of its series
    and keeps its original start as its identity). `values` holds model attributes; times in UTC."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        raise EventError("already_cancelled", "title")
    check_common(title=values.get("title"), capacity=values.get("capacity"), tz=values.get("tz"))
    starts = values.get("starts_at", event.starts_at)
    ends = values.get("ends_at", event.ends_at)
    if ends <= starts:
        raise EventError("end_before_start", "ends_at")
    if starts != event.starts_at and starts < now:
        raise EventError("past_date", "starts_at")
    if starts != event.starts_at and starts > now + MAX_AHEAD:
        raise EventError("too_far", "starts_at")
    outside = [item for item in event.agenda_items if item.starts_at < starts or item.ends_at > ends]
    if outside:
        raise EventError("agenda_outside", "starts_at", outside[0].title)
    if event.series is not None and "starts_at" in values:
        values = {**values, **occurrence_window(event.series, starts)}
    old_start = event.starts_at
    if "capacity" in values:
        _lock_if_capacity_changes([event], values["capacity"])
    diff = apply_changes(event, values)
    if not diff:
        return diff
    if event.series_id is not None:
        event.is_exception = True
    _finish_change(event, diff, old_start=old_start, actor=actor, now=now,
                   action="occurrence.update" if event.series_id else "event.update")
    return diff


def cancel_event(event: Event, reason: str, *, actor: Any = None, now: datetime | None = None) -> int:
    """Cancel an upcoming event or occurrence (one that has started is refused). Registrations are
    kept, marked cancelled by the organiser, and every registrant gets a message. Returns how many
    registrations were cancelled."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        raise EventError("already_cancelled", "reason")
    if event.starts_at <= now:
        # Who registered and who came is history: it must not turn into "cancelled" nor mail anyone.
        raise EventError("already_started", "reason")
    if not (reason or "").strip():
        raise EventError("required", "reason")
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason.strip()[:500]
    event.cancelled_at = now
    if event.series_id is not None:
        event.is_exception = True
    event.bump_sequence()
    count = sum(signals.answers(signals.event_cancelled, event, reason=event.cancel_reason))
    audit.record(actor, "event.cancel", event, event.title, {"reason": event.cancel_reason,
                                                             "registrations_cancelled": count})
    return count


def cancel_series(series: EventSeries, reason: str, *, actor: Any = None, now: datetime | None = None) -> int:
    """Cancel a series from now on: its upcoming occurrences are cancelled (never deleted), past ones
    stay as they were. Returns how many registrations were cancelled."""
    now = now or utcnow()
    if series.status != SeriesStatus.ACTIVE:
        raise EventError("series_cancelled", "reason")
    if not (reason or "").strip():
        raise EventError("required", "reason")
    series.status = SeriesStatus.CANCELLED
    series.sequence += 1
    total = 0
    upcoming = db.session.scalars(sa.select(Event).where(
        Event.series_id == series.id, Event.starts_at > now, Event.status != EventStatus.CANCELLED)).all()
    for event in upcoming:
        total += cancel_event(event, reason, actor=actor, now=now)
    audit.record(actor, "series.cancel", series, series.title,
                 {"reason": reason.strip(), "occurrences": len(upcoming), "registrations_cancelled": total})
    return total


def propagate_defaults(series: EventSeries, *, now: datetime) -> None:
    """Copy the series' defaults to its upcoming occurrences. Exceptions keep what was edited on them
    (venue, link, capacity, mode) but follow the title, kind and description."""
    upcoming = [e for e in series.occurrences if e.starts_at > now and e.status != EventStatus.CANCELLED]
    resized = _lock_if_capacity_changes([e for e in upcoming if not e.is_exception], series.capacity)
    notices = []
    for event in upcoming:
        names = [n for n in SERIES_DEFAULT_FIELDS if not (event.is_exception and n in OVERRIDABLE)]
        values = {name: getattr(series, name) for name in names}
        if not event.is_exception:
            values.update(occurrence_window(series, event.starts_at))
        diff = apply_changes(event, values)
        if CALENDAR_FIELDS & diff.keys():
            event.bump_sequence()
        notices.append(_change_notice(event, diff, old_start=event.starts_at, now=now))
    _tell(notices)
    db.session.flush()
    for event in resized:
        signals.seats_changed.send(event, site_ids=[None], now=now)


def _match(rows: list[Event], instants: list[datetime]) -> dict[int, datetime]:
    """Pair rows with new instants: same original start first, then the nearest within a week."""
    free = set(instants)
    pairs: dict[int, datetime] = {}
    starts = {row.id: row.original_start for row in rows if row.original_start is not None}
    for row in rows:
        if row.original_start in free:
            pairs[row.id] = row.original_start
            free.discard(row.original_start)
    for row in sorted(rows, key=lambda r: starts[r.id]):  # a series' rows all have an original start
        if row.id in pairs:
            continue
        start = starts[row.id]
        candidates = [i for i in free if abs(i - start) <= MATCH_WINDOW]
        if candidates:
            best = min(candidates, key=lambda i: (abs(i - start), i))
            pairs[row.id] = best
            free.discard(best)
    return pairs


def _schedule_changed_reason() -> str:
    with force_locale("vi"):
        return _("The organiser changed the schedule of the series.")


def rebase(series: EventSeries, rows: list[Event], *, horizon: datetime, actor: Any = None,
           now: datetime | None = None) -> dict[str, int]:
    """Fit existing occurrence rows to the series' (new) rule. Matched rows take the new start as
    their identity (registrations stay attached; registrants are told about a new time). Unmatched
    rows are deleted when nothing hangs off them, otherwise cancelled and kept."""
    # Callers pass only rows whose identity is still ahead: nothing that took place is touched.
    now = now or utcnow()
    instants = recurrence.expand(series.rrule, series.dtstart_local, series.tz, until_utc=horizon,
                                 after_utc=now)
    pairs = _match(rows, instants)
    resized = _lock_if_capacity_changes([r for r in rows if r.id in pairs and not r.is_exception],
                                        series.capacity)
    stats = {"moved": 0, "cancelled": 0, "deleted": 0}
    notices: list[ScheduleChange | None] = []
    # Two phases, so swapping identities within one series never trips the unique constraint.
    for row in rows:
        if row.id in pairs and row.original_start != pairs[row.id]:
            row.original_start = datetime(1900, 1, 1, tzinfo=UTC) + timedelta(minutes=row.id)
    db.session.flush()
    duration = timedelta(minutes=series.duration_minutes)
    for row in rows:
        target = pairs.get(row.id)
        if target is None:
            if any(signals.answers(signals.event_in_use, row)):
                if row.status != EventStatus.CANCELLED and row.starts_at > now:  # started: history
                    cancel_event(row, _schedule_changed_reason(), actor=actor, now=now)
                    stats["cancelled"] += 1
                continue
            db.session.delete(row)
            stats["deleted"] += 1
            continue
        row.original_start = target
        if row.is_exception:
            row.bump_sequence()  # its RECURRENCE-ID follows the new rule
            continue
        old_start = row.starts_at
        values = {name: getattr(series, name) for name in SERIES_DEFAULT_FIELDS}
        values.update(starts_at=target, ends_at=target + duration, **occurrence_window(series, target))
        diff = apply_changes(row, values)
        if "starts_at" in diff or "ends_at" in diff:
            _shift_agenda(row, target - old_start)
            stats["moved"] += 1
        if CALENDAR_FIELDS & diff.keys():
            row.bump_sequence()
        notices.append(_change_notice(row, diff, old_start=old_start, now=now))
    _tell(notices)
    db.session.flush()
    for row in resized:
        signals.seats_changed.send(row, site_ids=[None], now=now)
    return stats


def _shift_agenda(event: Event, delta: timedelta) -> None:
    items: list[AgendaItem] = event.agenda_items
    for item in items:
        item.starts_at += delta
        item.ends_at += delta
    for item in items:
        if item.ends_at > event.ends_at:
            item.ends_at = event.ends_at
        if item.starts_at >= item.ends_at:
            item.starts_at = item.ends_at - timedelta(minutes=1)


def update_series(series: EventSeries, spec: SeriesSpec, *, actor: Any = None, horizon_months: int = 12,
                  now: datetime | None = None) -> EventSeries:
    """Change a series from now on. A schedule change (rule, time, duration, zone) regenerates the
    upcoming occurrences; when some already took place the series is split so history stays true.
    Returns the series that carries the upcoming occurrences (a new one after a split)."""
    now = now or utcnow()
    horizon = max(recurrence.horizon_end(now, horizon_months), series.generated_until or now)
    if series.status != SeriesStatus.ACTIVE:
        raise EventError("series_cancelled", "title")
    rule, dtstart = anchored_rule(spec, horizon=horizon, now=now)
    schedule_changed = (rule, dtstart, spec.duration_minutes, spec.tz) != (
        series.rrule, series.dtstart_local, series.duration_minutes, series.tz)
    if schedule_changed:
        has_past = db.session.scalar(sa.select(sa.exists().where(
            Event.series_id == series.id, Event.original_start < now)))
        if has_past:
            # Split at the first occurrence whose identity is still ahead: history stays as it was.
            at = db.session.scalar(sa.select(sa.func.min(Event.original_start)).where(
                Event.series_id == series.id, Event.original_start >= now)) or now
            return split_series(series, at, spec, actor=actor, horizon_months=horizon_months, now=now)
        if recurrence.to_utc(spec.dtstart_local, spec.tz) < now:
            raise EventError("past_date", "start_date")
    diff = apply_changes(series, {**series_values(spec), "rrule": rule, "dtstart_local": dtstart})
    if not diff:
        return series
    series.sequence += 1
    db.session.flush()
    if schedule_changed:
        rebase(series, list(series.occurrences), horizon=horizon, actor=actor, now=now)
        extend_horizon(series, horizon, now=now)
    else:
        propagate_defaults(series, now=now)
    audit.record(actor, "series.update", series, series.title, diff)
    return series


def split_series(series: EventSeries, at_utc: datetime, spec: SeriesSpec, *, actor: Any = None,
                 horizon_months: int = 12, now: datetime | None = None) -> EventSeries:
    """"This and all following": the series ends just before `at_utc` (an original start) and a new
    series (split_from_id = old) takes the occurrences from there, with the spec's values. Existing
    rows are re-pointed to the new series, so their registrations stay attached."""
    now = now or utcnow()
    if series.status != SeriesStatus.ACTIVE:
        raise EventError("series_cancelled", "title")
    if at_utc < now:
        # Occurrences that took place are history: never moved, cancelled or deleted by a split.
        raise EventError("split_in_past", "start_date")
    earlier = db.session.scalar(sa.select(sa.exists().where(
        Event.series_id == series.id, Event.original_start < at_utc)))
    if not earlier:
        # Splitting at the first occurrence changes the whole series.
        if recurrence.to_utc(spec.dtstart_local, spec.tz) < now:
            spec = _spec_at(spec, recurrence.to_local(at_utc, spec.tz))
        return update_series(series, spec, actor=actor, horizon_months=horizon_months, now=now)
    horizon = max(recurrence.horizon_end(now, horizon_months), series.generated_until or now)
    from_day = max(recurrence.to_local(at_utc, spec.tz).date(), recurrence.to_local(now, spec.tz).date())
    rule, dtstart = anchored_rule(spec, horizon=horizon, from_day=from_day, now=now)
    was_published = series_is_published(series)
    # A row moved earlier that has already started stays behind with the old series, as history.
    moving = list(db.session.scalars(sa.select(Event).where(
        Event.series_id == series.id, Event.original_start >= max(at_utc, now), Event.starts_at > now)
        .order_by(Event.original_start)))
    old_rule = series.rrule
    series.rrule = recurrence.with_until(series.rrule, at_utc - timedelta(seconds=1))
    series.generated_until = min(series.generated_until or at_utc, at_utc)
    series.sequence += 1
    new = EventSeries(rrule=rule, dtstart_local=dtstart, split_from_id=series.id, **series_values(spec))
    db.session.add(new)
    db.session.flush()
    for row in moving:
        row.series = new
    db.session.flush()
    stats = rebase(new, moving, horizon=horizon, actor=actor, now=now)
    extend_horizon(new, horizon, publish=was_published, now=now)
    # Enrolments in the whole series carry over to its continuation (registrations react).
    signals.series_split.send(series, new_series=new, now=now)
    audit.record(actor, "series.split", series, series.title,
                 {"rrule": [old_rule, series.rrule], "new_series_id": new.id, "at": at_utc.isoformat(), **stats})
    audit.record(actor, "series.create", new, new.title, {"split_from_id": series.id, "rrule": rule})
    return new


def split_refusal(event: Event, now: datetime | None = None) -> EventError | None:
    """Why "this and all following" may not start at this occurrence, or None when it may."""
    now = now or utcnow()
    if event.series is None or event.original_start is None:
        return EventError("not_in_series", "title")
    if event.series.status != SeriesStatus.ACTIVE:
        return EventError("series_cancelled", "title")
    if event.status == EventStatus.CANCELLED:
        return EventError("already_cancelled", "title")
    if event.original_start < now or event.starts_at <= now:
        return EventError("split_in_past", "start_date")  # what took place is history
    return None


def can_split(event: Event, now: datetime | None = None) -> bool:
    return split_refusal(event, now) is None


def split_at(event: Event, spec: SeriesSpec, *, actor: Any = None, horizon_months: int = 12,
             now: datetime | None = None) -> EventSeries:
    """"This and all following" from one occurrence (see split_series), unless split_refusal says no."""
    now = now or utcnow()
    refusal = split_refusal(event, now)
    if refusal is not None:
        raise refusal
    assert event.series is not None and event.original_start is not None  # split_refusal saw to it
    return split_series(event.series, event.original_start, spec, actor=actor,
                        horizon_months=horizon_months, now=now)


def _spec_at(spec: SeriesSpec, local: datetime) -> SeriesSpec:
    return replace(spec, dtstart_local=datetime.combine(local.date(), spec.dtstart_local.time()))
