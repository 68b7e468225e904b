"""Recurrence expansion is pure code: tested without a database or an app."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from eventapp.calendar import recurrence
from eventapp.calendar.recurrence import Preset, RecurrenceError

TZ = "Asia/Ho_Chi_Minh"
FAR = datetime(2040, 1, 1, tzinfo=UTC)


def test_nine_in_hanoi_is_two_utc_and_back() -> None:
    instant = recurrence.to_utc(datetime(2027, 3, 4, 9, 0), TZ)
    assert instant == datetime(2027, 3, 4, 2, 0, tzinfo=UTC)
    assert recurrence.to_local(instant, TZ) == datetime(2027, 3, 4, 9, 0)


def test_first_thursday_monthly_expands_in_local_time() -> None:
    instants = recurrence.expand("FREQ=MONTHLY;BYDAY=1TH", datetime(2027, 1, 7, 15, 0), TZ,
                                 until_utc=datetime(2027, 5, 1, tzinfo=UTC))
    assert [recurrence.to_local(i, TZ) for i in instants] == [
        datetime(2027, 1, 7, 15), datetime(2027, 2, 4, 15), datetime(2027, 3, 4, 15), datetime(2027, 4, 1, 15)]
    assert all(i.tzinfo is UTC and i.hour == 8 for i in instants)


def test_wall_time_is_kept_across_daylight_saving() -> None:
    instants = recurrence.expand("FREQ=WEEKLY;BYDAY=MO", datetime(2027, 3, 1, 9, 0), "Europe/Paris",
                                 until_utc=datetime(2027, 4, 10, tzinfo=UTC))
    assert {recurrence.to_local(i, "Europe/Paris").time() for i in instants} == {time(9, 0)}
    assert {i.hour for i in instants} == {8, 7}  # UTC+1 in winter, UTC+2 in summer


@pytest.mark.parametrize(("preset", "expected"), [
    (Preset("weekly", weekday=1), "FREQ=WEEKLY;BYDAY=TU"),
    (Preset("monthly_nth_weekday", weekday=3, nth=1), "FREQ=MONTHLY;BYDAY=1TH"),
    (Preset("monthly_nth_weekday", weekday=4, nth=-1), "FREQ=MONTHLY;BYDAY=-1FR"),
    (Preset("monthly_day", day=15), "FREQ=MONTHLY;BYMONTHDAY=15"),
    (Preset("quarterly_nth_weekday", weekday=0, nth=2), "FREQ=MONTHLY;INTERVAL=3;BYDAY=2MO"),
    (Preset("quarterly_day", day=5), "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=5"),
])
def test_presets_round_trip(preset: Preset, expected: str) -> None:
    assert recurrence.preset_rrule(preset) == expected
    found, until = recurrence.preset_from_rrule(expected)
    assert until is None and recurrence.preset_rrule(found) == expected


def test_custom_rule_is_not_mistaken_for_a_preset() -> None:
    assert recurrence.preset_from_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU") is None
    assert recurrence.preset_from_rrule("FREQ=MONTHLY;BYDAY=1TH,3TH") is None


def test_date_until_is_end_of_local_day_in_utc() -> None:
    rule = recurrence.normalise_rrule("rrule:freq=weekly;byday=th;until=20270304", TZ)
    assert rule == "FREQ=WEEKLY;BYDAY=TH;UNTIL=20270304T165959Z"
    instants = recurrence.expand(rule, datetime(2027, 2, 4, 15), TZ, until_utc=FAR)
    assert recurrence.to_local(instants[-1], TZ) == datetime(2027, 3, 4, 15)


def test_with_until_replaces_count() -> None:
    rule = recurrence.with_until("FREQ=MONTHLY;COUNT=12;BYDAY=1TH", datetime(2027, 6, 3, 7, 59, 59, tzinfo=UTC))
    assert "COUNT" not in rule and rule.endswith("UNTIL=20270603T075959Z")
    assert recurrence.without_end(rule) == "FREQ=MONTHLY;BYDAY=1TH"


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty"),
    ("garbage", "invalid"),
    ("FREQ=MONTHLY;BYDAY=XX", "invalid"),
    ("FREQ=HOURLY", "frequency"),
    ("FREQ=WEEKLY;BYHOUR=9", "unsupported"),
    ("FREQ=WEEKLY;COUNT=2;UNTIL=20300101", "invalid"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no_dates"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", "no_dates"),
    ("FREQ=WEEKLY;UNTIL=20200101", "no_dates"),
    ("FREQ=DAILY", "too_many"),
])
def test_bad_rules_are_refused_with_a_code(text: str, code: str) -> None:
    with pytest.raises(RecurrenceError) as info:
        recurrence.validate(text, datetime(2027, 1, 1, 9), TZ, horizon_utc=datetime(2028, 6, 1, tzinfo=UTC))
    assert info.value.code == code


def test_unknown_time_zone() -> None:
    with pytest.raises(RecurrenceError) as info:
        recurrence.to_utc(datetime(2027, 1, 1, 9), "Asia/Atlantis")
    assert info.value.code == "unknown_timezone"


def test_impossible_rule_fails_fast() -> None:
    import time as clock

    started = clock.monotonic()
    for text in ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "FREQ=MONTHLY;INTERVAL=12;BYMONTH=6",
                 "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31"):
        with pytest.raises(RecurrenceError) as info:
            recurrence.expand(text, datetime(2027, 1, 5, 9), TZ, until_utc=FAR)
        assert info.value.code == "no_dates"
    assert recurrence.preview("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", datetime(2027, 1, 5, 9), TZ, 2) == [
        datetime(2044, 2, 29, 9)]
    assert clock.monotonic() - started < 1.0


def test_first_on_or_after_anchors_dtstart_on_the_rule() -> None:
    assert recurrence.first_on_or_after("FREQ=MONTHLY;BYDAY=1TH", date(2027, 1, 8), time(15), TZ) == \
        datetime(2027, 2, 4, 15)


# ------------------------------------------------------------------ property: same as dateutil

FREQS = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@st.composite
def rules(draw):
    """A generated rule as RRULE text plus the equivalent dateutil keyword arguments."""
    freq = draw(st.sampled_from(sorted(FREQS)))
    interval = draw(st.integers(1, 4))
    parts, kwargs = [f"FREQ={freq}", f"INTERVAL={interval}"], {"interval": interval}
    choice = draw(st.sampled_from(["none", "byday", "nth", "monthday", "bymonth"]))
    if choice == "byday":
        days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(CODES[d] for d in days))
        kwargs["byweekday"] = days
    elif choice == "nth" and freq in ("MONTHLY", "YEARLY"):
        nth, day = draw(st.sampled_from([1, 2, 3, 4, -1])), draw(st.integers(0, 6))
        parts.append(f"BYDAY={nth}{CODES[day]}")
        from dateutil.rrule import weekday

        kwargs["byweekday"] = [weekday(day, nth)]
        if freq == "YEARLY":
            month = draw(st.integers(1, 12))
            parts.append(f"BYMONTH={month}")
            kwargs["bymonth"] = [month]
    elif choice == "monthday" and freq != "WEEKLY":
        day = draw(st.sampled_from([1, 2, 10, 15, 28, -1]))
        parts.append(f"BYMONTHDAY={day}")
        kwargs["bymonthday"] = [day]
    elif choice == "bymonth" and freq != "DAILY":
        months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True))
        parts.append("BYMONTH=" + ",".join(map(str, months)))
        kwargs["bymonth"] = months
    end = draw(st.sampled_from(["none", "count"]))
    if end == "count":
        count = draw(st.integers(1, 30))
        parts.append(f"COUNT={count}")
        kwargs["count"] = count
    return ";".join(parts), FREQS[freq], kwargs


@settings(max_examples=150, deadline=None)
@given(rule=rules(),
       start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)),
       tz=st.sampled_from([TZ, "Europe/Paris", "America/New_York", "UTC"]),
       days=st.integers(30, 800))
def test_expand_matches_dateutil(rule, start: datetime, tz: str, days: int) -> None:
    text, freq, kwargs = rule
    start = start.replace(second=0, microsecond=0)
    until = recurrence.to_utc(start, tz) + timedelta(days=days)
    reference = [d.astimezone(UTC) for d in rrule(freq, dtstart=start.replace(tzinfo=ZoneInfo(tz)), **kwargs)
                 .between(datetime(1900, 1, 1, tzinfo=UTC), until, inc=False)]
    reference = [d for d in reference if d < until]
    try:
        ours = recurrence.expand(text, start, tz, until_utc=until)
    except RecurrenceError as exc:
        # too many dates, or a rule that can never match (refused before dateutil searches to 9999)
        assert (exc.code == "too_many" and len(reference) > recurrence.MAX_OCCURRENCES) or (
            exc.code == "no_dates" and reference == []), exc.code
        return
    assert ours == reference
