"""RRULE values out of RFC 5545's ranges and dates near year 9999 (pure code: no database)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventapp.calendar import recurrence
from eventapp.calendar.recurrence import PART_RANGES, RecurrenceError

TZ = "Asia/Ho_Chi_Minh"
START = datetime(2027, 1, 5, 9)
HORIZON = datetime(2028, 1, 1, tzinfo=UTC)
# A frequency each part may be used with (RFC 5545 3.3.10), so only the value is in question.
FREQ_FOR = {"BYMONTHDAY": "MONTHLY", "BYYEARDAY": "YEARLY", "BYWEEKNO": "YEARLY", "BYMONTH": "YEARLY",
            "BYSETPOS": "MONTHLY;BYDAY=MO,TU", "BYHOUR": "DAILY", "BYMINUTE": "DAILY", "BYSECOND": "DAILY",
            "INTERVAL": "WEEKLY", "COUNT": "WEEKLY"}


@pytest.mark.parametrize(("text", "part"), [
    ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
    ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,-32", "BYMONTHDAY"),
    ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
    ("FREQ=WEEKLY;INTERVAL=-2", "INTERVAL"),
    ("FREQ=DAILY;INTERVAL=99999999999", "INTERVAL"),
    ("FREQ=DAILY;COUNT=0", "COUNT"),
    ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
    ("FREQ=YEARLY;BYMONTH=0", "BYMONTH"),
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "BYSETPOS"),
    ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=400", "BYSETPOS"),
    ("FREQ=YEARLY;BYYEARDAY=0", "BYYEARDAY"),
    ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO"),
    ("FREQ=DAILY;BYHOUR=24", "BYHOUR"),
    ("FREQ=DAILY;BYMINUTE=60", "BYMINUTE"),
    ("FREQ=DAILY;BYSECOND=61", "BYSECOND"),
    ("FREQ=MONTHLY;BYMONTHDAY=x", "BYMONTHDAY"),
])
def test_out_of_range_values_name_the_part(text: str, part: str) -> None:
    with pytest.raises(RecurrenceError) as info:
        recurrence.validate(text, START, TZ, horizon_utc=HORIZON)
    assert (info.value.code, info.value.detail) == ("range", part)


@pytest.mark.parametrize("text", ["FREQ=WEEKLY;BYDAY=1MO", "FREQ=MONTHLY;BYDAY=0MO", "FREQ=MONTHLY;BYDAY=6FR",
                                  "FREQ=YEARLY;BYDAY=60MO", "FREQ=DAILY;BYDAY=-1SU"])
def test_impossible_weekday_positions(text: str) -> None:
    with pytest.raises(RecurrenceError) as info:
        recurrence.validate(text, START, TZ, horizon_utc=HORIZON)
    assert info.value.code == "byday"


@pytest.mark.parametrize("text", ["FREQ=WEEKLY;WKST=XX", "FREQ=WEEKLY;BYMONTHDAY=3", "FREQ=MONTHLY;BYSETPOS=1"])
def test_combinations_rfc_5545_forbids(text: str) -> None:
    with pytest.raises(RecurrenceError) as info:
        recurrence.validate(text, START, TZ, horizon_utc=HORIZON)
    assert info.value.code == "invalid"


def test_valid_edges_still_work() -> None:
    first = recurrence.expand("FREQ=MONTHLY;BYMONTHDAY=-31", START, TZ, until_utc=HORIZON)[0]
    assert recurrence.to_local(first, TZ) == datetime(2027, 3, 1, 9)  # -31: only in 31-day months
    assert len(recurrence.expand("FREQ=MONTHLY;BYDAY=5MO,+5TU", START, TZ, until_utc=HORIZON)) >= 4
    assert recurrence.expand("FREQ=WEEKLY;INTERVAL=1000", START, TZ, until_utc=HORIZON) == [
        recurrence.to_utc(START, TZ)]


@settings(max_examples=200, deadline=None)
@given(part=st.sampled_from(sorted(PART_RANGES)), value=st.integers(-1000, 1000))
def test_range_check_matches_the_rfc_table(part: str, value: int) -> None:
    low, high, signed = PART_RANGES[part]
    allowed = low <= (abs(value) if signed else value) <= high and not (signed and value == 0)
    text = f"FREQ={FREQ_FOR[part]};{part}={value}"
    try:
        recurrence.parse_rule(text, START, TZ)
    except RecurrenceError as exc:
        assert allowed == (exc.code != "range"), (text, exc.code)
    else:
        assert allowed, text


# Any combination of parts and integers: only RecurrenceError may come out, never dateutil's own
# ValueError/IndexError/OverflowError (those were 500s on save and in the live preview).
PARTS = st.sampled_from(["INTERVAL", "COUNT", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "BYDAY"])
WEEKDAYS = st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])


@st.composite
def fuzzed_rules(draw):
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']))}"]
    for name in draw(st.lists(PARTS, max_size=3, unique=True)):
        if name == "BYDAY":
            nth = draw(st.one_of(st.just(""), st.integers(-60, 60).map(str)))
            parts.append(f"BYDAY={nth}{draw(WEEKDAYS)}")
        else:
            parts.append(f"{name}={draw(st.integers(-400, 400))}")
    return ";".join(parts)


@settings(max_examples=300, deadline=None)
@given(text=fuzzed_rules(), start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(9999, 12, 31)))
def test_only_recurrence_errors_escape(text: str, start: datetime) -> None:
    start = start.replace(second=0, microsecond=0)
    for action in (lambda: recurrence.preview(text, start, TZ, 10),
                   lambda: recurrence.expand(text, start, TZ, until_utc=recurrence.reach(
                       recurrence.to_utc(start, TZ), timedelta(days=400)))):
        with contextlib.suppress(RecurrenceError):
            action()


def test_dates_near_year_9999_do_not_overflow() -> None:
    assert recurrence.preview("FREQ=MONTHLY;BYDAY=1TH", datetime(9999, 6, 1, 9), TZ) == []
    assert recurrence.horizon_end(datetime(9999, 6, 1, tzinfo=UTC), 12) == recurrence.LAST_INSTANT
    with pytest.raises(RecurrenceError) as info:
        recurrence.to_utc(datetime(9999, 12, 31, 20), "Etc/GMT+12")
    assert info.value.code == "out_of_range"
    with pytest.raises(RecurrenceError) as info:
        recurrence.normalise_rrule("FREQ=WEEKLY;UNTIL=99991231", "Etc/GMT+12")
    assert info.value.code == "out_of_range"
