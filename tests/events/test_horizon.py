"""The rolling horizon: extending it is idempotent and never duplicates or loses an exception."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventapp.calendar import recurrence
from eventapp.events import occurrences, services
from eventapp.events.models import Event, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from tests.conftest import truncate_all
from tests.events.conftest import TZ, next_month_start


def _rows(series_id: int) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.series_id == series_id)))


def _local_days(first: datetime, until_utc: datetime, matches) -> int:
    """Days from `first` (local, at its time of day) matching `matches`, starting before `until_utc`:
    a day-by-day count, independent of the rule engine under test."""
    count, day = 0, first
    while recurrence.to_utc(day, TZ) < until_utc:
        count += bool(matches(day))
        day += timedelta(days=1)
    return count


def _tuesday(day: datetime) -> bool:
    return day.weekday() == 1


def test_extend_horizon_is_idempotent(make_series) -> None:
    series = make_series(rule="FREQ=WEEKLY;BYDAY=TU")
    before = len(_rows(series.id))
    assert before == _local_days(next_month_start(), series.generated_until, _tuesday) > 40
    assert services.extend_horizon(series, series.generated_until) == 0
    assert len(_rows(series.id)) == before
    further = series.generated_until + timedelta(days=70)
    created = services.extend_horizon(series, further)
    assert created == _local_days(next_month_start(), further, _tuesday) - before == 10
    assert services.extend_horizon(series, further) == 0
    assert all(e.status == EventStatus.PUBLISHED for e in _rows(series.id))


def test_cli_extend_horizon(app, make_series) -> None:
    series = make_series(rule="FREQ=MONTHLY;BYMONTHDAY=10")
    count, was_until = len(_rows(series.id)), series.generated_until
    runner = app.test_cli_runner()
    result = runner.invoke(args=["events", "extend-horizon", "--months", "24"])
    assert result.exit_code == 0, result.output
    db.session.refresh(series)
    assert series.generated_until > was_until + timedelta(days=360)
    tenths = _local_days(next_month_start(), series.generated_until, lambda day: day.day == 10)
    assert len(_rows(series.id)) == tenths > count
    again = runner.invoke(args=["events", "extend-horizon", "--months", "24"])
    assert again.output.startswith("0 occurrences created")


OPERATIONS = st.lists(st.tuples(st.sampled_from(["move", "cancel", "venue"]), st.integers(0, 11)),
                      max_size=5)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=st.sampled_from(["FREQ=MONTHLY;BYDAY=1TH", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYMONTHDAY=15",
                             "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR"]),
       operations=OPERATIONS, horizons=st.lists(st.integers(1, 30), min_size=1, max_size=4))
def test_extending_never_duplicates_or_loses_exceptions(app, make_series, rule, operations, horizons) -> None:
    truncate_all()
    now = utcnow()
    series = make_series(rule=rule)
    rows = sorted(_rows(series.id), key=lambda e: e.original_start)
    exceptions = {}
    for operation, index in operations:
        event = rows[index % len(rows)]
        if event.status == EventStatus.CANCELLED:
            continue
        if operation == "move":
            occurrences.update_event(event, {"starts_at": event.starts_at + timedelta(hours=2),
                                             "ends_at": event.ends_at + timedelta(hours=2)})
        elif operation == "cancel":
            occurrences.cancel_event(event, "Trùng lịch")
        else:
            occurrences.update_event(event, {"venue": "Hội trường B"})
        exceptions[event.original_start] = (event.starts_at, event.status, event.venue)
    db.session.commit()
    for months in horizons:
        services.extend_horizon(series, recurrence.horizon_end(now, months))
        db.session.commit()
    after = _rows(series.id)
    starts = Counter(e.original_start for e in after)
    assert max(starts.values()) == 1  # never duplicated
    by_start = {e.original_start: e for e in after}
    for original, (starts_at, status, venue) in exceptions.items():
        kept = by_start[original]  # never lost
        assert kept.is_exception and (kept.starts_at, kept.status, kept.venue) == (starts_at, status, venue)
    furthest = max(series.generated_until, recurrence.horizon_end(now, max(horizons)))
    expected = recurrence.expand(series.rrule, series.dtstart_local, series.tz, until_utc=furthest)
    assert sorted(by_start) == expected  # nothing missing either
