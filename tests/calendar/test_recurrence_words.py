"""Recurrence in words: the common shapes in English and Vietnamese (pure; the real catalogue)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.support import Translations

from eventapp.calendar.recurrence_words import describe
from eventapp.events.models import EventSeries
from eventapp.extensions import db
from tests.events.conftest import make_series, organiser  # noqa: F401  (fixtures)

CATALOGUE = Path(__file__).resolve().parents[2] / "eventapp" / "translations"
VI = Translations.load(str(CATALOGUE), ["vi"], domain="messages")
THURSDAY_9 = datetime(2026, 1, 1, 9)  # a Thursday


@pytest.mark.parametrize(("rule", "english", "vietnamese"), [
    ("FREQ=MONTHLY;BYDAY=1TH;UNTIL=20270330T165959Z", "First Thursday of every month, until 30/03/2027",
     "Thứ Năm tuần đầu mỗi tháng, đến 30/03/2027"),
    ("FREQ=WEEKLY;BYDAY=TH", "Every Thursday", "Thứ Năm hằng tuần"),
    ("FREQ=WEEKLY", "Every Thursday", "Thứ Năm hằng tuần"),  # the weekday of the first date
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "Every Monday, Wednesday and Friday", "Thứ Hai, Thứ Tư và Thứ Sáu hằng tuần"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "Every 2 weeks on Tuesday", "Thứ Ba, 2 tuần một lần"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "Last Friday of every month", "Thứ Sáu cuối cùng mỗi tháng"),
    ("FREQ=MONTHLY;BYDAY=2TU", "Second Tuesday of every month", "Thứ Ba tuần thứ hai mỗi tháng"),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1TH", "Every 3 months on the first Thursday",
     "Thứ Năm tuần đầu, 3 tháng một lần"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "Day 15 of every month", "Ngày 15 hằng tháng"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "Last day of every month", "Ngày cuối cùng mỗi tháng"),
    ("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10", "Every 3 months on day 10", "Ngày 10, 3 tháng một lần"),
    ("FREQ=DAILY;COUNT=5", "Every day, 5 times", "Hằng ngày, 5 lần"),
    ("FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=2", "Every year on 02/09", "Ngày 02/09 hằng năm"),
])
def test_common_shapes_in_words(rule: str, english: str, vietnamese: str) -> None:
    assert describe(rule, "Asia/Ho_Chi_Minh", dtstart_local=THURSDAY_9) == english
    assert describe(rule, "Asia/Ho_Chi_Minh", gettext=VI.gettext, dtstart_local=THURSDAY_9) == vietnamese


def test_until_is_the_local_day_it_falls_on() -> None:
    # 23:59:59 in Hà Nội on 30/03 is 16:59:59 UTC; 01:00 UTC on 31/03 is already 31/03 there.
    assert describe("FREQ=DAILY;UNTIL=20270331T010000Z", "Asia/Ho_Chi_Minh").endswith("until 31/03/2027")
    assert describe("FREQ=DAILY;UNTIL=20270331T010000Z", "America/New_York").endswith("until 30/03/2027")


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;BYDAY=1TH;BYSETPOS=1", "FREQ=WEEKLY;BYDAY=2MO",
                                  "FREQ=HOURLY", "garbage", "FREQ=MONTHLY;BYMONTH=1,7;BYDAY=1MO"])
def test_shapes_without_words_name_the_rule(rule: str) -> None:
    assert describe(rule, "Asia/Ho_Chi_Minh") == f"Custom rule ({rule})"
    assert describe(rule, "Asia/Ho_Chi_Minh", gettext=VI.gettext) == f"Quy tắc lặp tùy chỉnh ({rule})"


def test_console_shows_series_in_words_not_rrules(client, organiser, make_series) -> None:  # noqa: F811
    series = make_series("FREQ=MONTHLY;BYDAY=1TH")
    db.session.commit()
    rule = db.session.scalar(sa.select(EventSeries.rrule).where(EventSeries.id == series.id))
    client.post("/language/vi")
    for url in ("/console/events/", f"/console/events/series/{series.id}", f"/series/{series.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "Thứ Năm tuần đầu mỗi tháng" in page, url
        assert f">{rule}<" not in page and "<code>FREQ=" not in page, url
    preview = client.get("/console/events/series/preview", query_string={
        "start_date": "2027-01-07", "time_of_day": "09:00", "tz": "Asia/Ho_Chi_Minh",
        "preset": "monthly_nth_weekday", "nth": "1", "weekday": "3", "duration_minutes": "60"},
    ).get_json()
    assert preview["words"].startswith("Thứ Năm tuần đầu mỗi tháng")
