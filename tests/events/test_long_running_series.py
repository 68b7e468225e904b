"""A frequent series that has run for months stays extendable and editable: the 500-date limit
counts the horizon ahead, not the history since DTSTART."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.calendar import recurrence
from eventapp.events import occurrences, services
from eventapp.events.models import Event, EventSeries
from eventapp.extensions import db
from tests.events.conftest import TZ, next_month_start

T0 = datetime(2026, 1, 5, tzinfo=UTC)
WEEKDAYS = services.SeriesSpec(title="Họp báo hằng ngày", rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                               dtstart_local=datetime(2026, 1, 6, 9, 0), duration_minutes=60, tz=TZ,
                               venue="18 Nguyễn Du")


def _starts(series_id: int) -> list[datetime]:
    return list(db.session.scalars(sa.select(Event.original_start).where(Event.series_id == series_id)))


def _weekdays(after: datetime, until: datetime) -> int:
    """Weekdays at 09:00 local in [after, until), counted day by day (not by the rule engine)."""
    count, day = 0, recurrence.to_local(after, TZ).replace(hour=9, minute=0, second=0, microsecond=0)
    while recurrence.to_utc(day, TZ) < until:
        count += recurrence.to_utc(day, TZ) >= after and day.weekday() < 5
        day += timedelta(days=1)
    return count


def test_extend_horizon_after_330_days(app) -> None:
    series = services.create_series(WEEKDAYS, now=T0)
    db.session.commit()
    later = T0 + timedelta(days=330)
    report = services.extend_all_horizons(12, now=later)
    db.session.commit()
    assert report.failed == [] and report.created > 0
    starts = _starts(series.id)
    horizon = recurrence.horizon_end(later, 12)
    assert len(starts) == len(set(starts))
    assert sum(s >= later for s in starts) == _weekdays(later, horizon)
    assert series.generated_until == horizon


def test_title_edit_after_330_days(app) -> None:
    series = services.create_series(WEEKDAYS, now=T0)
    db.session.commit()
    later = T0 + timedelta(days=330)
    same = occurrences.update_series(series, replace(services.spec_from_series(series), title="Họp báo mới"), now=later)
    db.session.commit()
    assert same.id == series.id
    assert {e.title for e in services.upcoming_occurrences(series, later)} == {"Họp báo mới"}


def test_new_series_is_still_refused_past_500_dates_ahead(app) -> None:
    daily = replace(WEEKDAYS, rrule="FREQ=DAILY", dtstart_local=next_month_start())
    with pytest.raises(services.EventError) as info:
        services.create_series(daily, horizon_months=24)
    assert info.value.code == "too_many"
    db.session.rollback()


def test_cli_extends_the_others_and_reports_the_series_that_fails(app, make_series) -> None:
    monthly = make_series(rule="FREQ=MONTHLY;BYMONTHDAY=10")
    weekdays = services.create_series(replace(WEEKDAYS, dtstart_local=next_month_start()))
    db.session.commit()
    monthly_until, weekdays_until = monthly.generated_until, weekdays.generated_until
    weekday_rows = len(_starts(weekdays.id))
    # 30 months of weekdays is more than 500 dates: that series is skipped, not the command
    result = app.test_cli_runner().invoke(args=["events", "extend-horizon", "--months", "30"])
    assert result.exit_code == 1
    assert f"series {weekdays.id} (Họp báo hằng ngày) not extended: too_many" in result.output
    db.session.expire_all()
    assert db.session.get(EventSeries, monthly.id).generated_until > monthly_until + timedelta(days=500)
    assert db.session.get(EventSeries, weekdays.id).generated_until == weekdays_until
    assert len(_starts(weekdays.id)) == weekday_rows
