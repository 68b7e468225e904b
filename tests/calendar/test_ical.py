"""The pure builder: bytes on the wire, calendar properties, series structure (no database)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from eventapp.calendar import ical, recurrence

TZ = "Asia/Ho_Chi_Minh"
STAMP = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
LONG_TITLE = "Họp báo thường kỳ Bộ Thông tin và Truyền thông: chuyển đổi số, an toàn thông tin mạng ưỡữ"


def series(**values) -> ical.FeedSeries:
    base = dict(id=1, uid="series-1@eventapp", kind="press_briefing", title="Họp báo thường kỳ",
                rrule="FREQ=MONTHLY;BYDAY=1TH;COUNT=40", dtstart_local=datetime(2026, 1, 1, 9), tz=TZ,
                duration_minutes=90, updated_at=STAMP, sequence=3, venue="18 Nguyễn Du, Hà Nội")
    return ical.FeedSeries(**{**base, **values})


def occurrences(item: ical.FeedSeries, until: datetime) -> list[ical.FeedEvent]:
    return [ical.FeedEvent(
        uid=f"occ-{i}@eventapp", kind=item.kind, title=item.title, starts_at=start,
        ends_at=start + timedelta(minutes=item.duration_minutes), tz=item.tz, updated_at=STAMP,
        url=f"https://eventapp.example/events/{i}", series_id=item.id, original_start=start,
        venue=item.venue, sequence=1)
        for i, start in enumerate(recurrence.expand(item.rrule, item.dtstart_local, item.tz, until_utc=until))]


def one_off(**values) -> ical.FeedEvent:
    base = dict(uid="one@eventapp", kind="training", title=LONG_TITLE * 2,
                starts_at=datetime(2026, 3, 5, 1, 30, tzinfo=UTC), ends_at=datetime(2026, 3, 5, 9, tzinfo=UTC),
                tz=TZ, updated_at=STAMP, url="https://eventapp.example/events/99", mode="hybrid",
                venue="Hạ Long, Quảng Ninh", online_url="https://meet.example.vn/tap-huan",
                description="Dòng một\r\nDòng hai; dấu phẩy, và \\ gạch chéo",
                agenda=(ical.AgendaLine(datetime(2026, 3, 5, 1, 30, tzinfo=UTC), datetime(2026, 3, 5, 2, tzinfo=UTC),
                                        "Kỹ năng phát ngôn", "Bà Trần Thị B", "Cục Báo chí"),))
    return ical.FeedEvent(**{**base, **values})


def build(events=(), series_list=(), name="Sự kiện – Bộ Thông tin và Truyền thông") -> bytes:
    return ical.build_feed(ical.FeedCalendar(name=name), list(events), list(series_list))


@pytest.fixture
def body() -> bytes:
    item = series()
    rows = occurrences(item, datetime(2026, 12, 31, tzinfo=UTC))
    rows[1] = ical.FeedEvent(**{**rows[1].__dict__, "title": LONG_TITLE})  # edited
    del rows[2]  # cancelled: not shown
    return build([*rows, one_off()], [item])


def test_bytes_are_crlf_folded_at_75_octets_utf8_safe_without_bom(body):
    assert not body.startswith(b"\xef\xbb\xbf")
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"") and b"\r" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a fold inside a multi-byte character would fail here
    assert any(line.startswith(b" ") for line in lines)  # long Vietnamese lines really are folded


def test_vietnamese_round_trips(body):
    events = Calendar.from_ical(body).walk("VEVENT")
    summaries = {str(e["SUMMARY"]) for e in events}
    assert LONG_TITLE in summaries and LONG_TITLE * 2 in summaries
    description = next(str(e["DESCRIPTION"]) for e in events if e["UID"] == "one@eventapp")
    assert "Dòng một\nDòng hai; dấu phẩy, và \\ gạch chéo" in description
    assert "Kỹ năng phát ngôn (Bà Trần Thị B – Cục Báo chí)" in description
    assert "https://eventapp.example/events/99" in description


@pytest.mark.parametrize("text", ["a" * 73 + "\\n" + "b" * 80, "ư" * 100, "x" + "\\\\" * 60, "ạ" * 37 + "\\,"])
def test_fold_never_splits_a_character_or_an_escape(text):
    folded = ical.fold("DESCRIPTION:" + text)
    lines = folded.split(b"\r\n ")
    assert all(len(line) <= 75 for line in lines[:1]) and all(len(line) <= 74 for line in lines[1:])
    assert b"".join(lines).decode() == "DESCRIPTION:" + text
    for line in lines[:-1]:
        trailing = len(line) - len(line.rstrip(b"\\"))
        assert trailing % 2 == 0


def test_calendar_properties(body):
    head = body.split(b"BEGIN:VTIMEZONE")[0]
    assert "\r\nNAME:Sự kiện – Bộ Thông tin và Truyền thông\r\n" in head.decode()
    assert "X-WR-CALNAME:Sự kiện – Bộ Thông tin và Truyền thông\r\n" in head.decode()
    assert b"X-WR-TIMEZONE:Asia/Ho_Chi_Minh\r\n" in head
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in head
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in head
    assert b"VERSION:2.0\r\n" in head and b"PRODID:" in head
    for forbidden in (b"METHOD", b"ORGANIZER", b"ATTENDEE", b"VALARM"):
        assert forbidden not in body


def test_one_vtimezone_per_tzid_before_first_use_with_one_standard(body):
    assert body.count(b"BEGIN:VTIMEZONE") == 1
    assert body.index(b"END:VTIMEZONE") < body.index(b"TZID=Asia/Ho_Chi_Minh")
    zone = body[body.index(b"BEGIN:VTIMEZONE"):body.index(b"END:VTIMEZONE")]
    assert zone.count(b"BEGIN:STANDARD") == 1 and b"BEGIN:DAYLIGHT" not in zone
    # No floating times: every DTSTART/DTEND/RECURRENCE-ID/EXDATE has a TZID or is UTC.
    for line in re.findall(rb"^(?:DTSTART|DTEND|RECURRENCE-ID|EXDATE)[^\r]*", body.split(b"END:VTIMEZONE")[1], re.M):
        assert b";TZID=" in line or line.endswith(b"Z"), line


def test_series_master_until_in_utc_exdate_and_override_after_master(body):
    events = Calendar.from_ical(body).walk("VEVENT")
    master = events[0]
    assert master["UID"] == "series-1@eventapp" and "RECURRENCE-ID" not in master
    rrule = re.search(rb"RRULE:([^\r]*)", body).group(1)
    assert b"COUNT" not in rrule
    assert re.search(rb"UNTIL=\d{8}T\d{6}Z", rrule)  # UTC, clamped to the last row
    assert b"UNTIL=20261203T020000Z" in rrule  # 1st Thursday of Dec 2026, 09:00 +07
    assert re.search(rb"EXDATE;TZID=Asia/Ho_Chi_Minh:20260305T090000\r\n", body)
    override = events[1]
    assert override["UID"] == master["UID"]
    assert override["RECURRENCE-ID"].dt == datetime(2026, 2, 5, 9, tzinfo=recurrence.zone(TZ))
    assert str(override["SUMMARY"]) == LONG_TITLE
    assert sum(1 for e in events if "RECURRENCE-ID" in e) == 1  # unchanged rows get no override
    assert master["SEQUENCE"] == 3 and master["DTSTAMP"].dt == STAMP and master["LAST-MODIFIED"].dt == STAMP


def test_the_online_link_is_left_out_unless_the_caller_says_the_reader_may_see_it():
    body = build([one_off()])
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert b"meet.example.vn" not in body and "CONFERENCE" not in event
    assert str(event["URL"]) == "https://eventapp.example/events/99"  # the page says how to get it
    assert str(event["LOCATION"]) == "Hạ Long, Quảng Ninh"


def test_cancelled_one_off_is_prefixed_and_a_visible_online_link_is_everywhere():
    body = ical.build_feed(ical.FeedCalendar(name="Của tôi"), [one_off(cancelled=True)], join_link_visible=True)
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).startswith("[Đã hủy] ")
    assert event["STATUS"] == "CANCELLED"
    assert "Trực tuyến: https://meet.example.vn/tap-huan" in str(event["LOCATION"])
    assert "Hạ Long" in str(event["LOCATION"])
    assert str(event["URL"]) == "https://meet.example.vn/tap-huan"
    assert str(event["CONFERENCE"]) == "https://meet.example.vn/tap-huan"
    assert event["CONFERENCE"].params["VALUE"] == "URI"
    assert "https://meet.example.vn/tap-huan" in str(event["DESCRIPTION"])


def test_same_input_same_bytes_and_no_random_values():
    item = series()
    rows = occurrences(item, datetime(2026, 6, 30, tzinfo=UTC))
    first = build([*rows, one_off()], [item])
    assert first == build([*rows, one_off()], [item])
    assert b"DTSTAMP:20260102T030405Z" in first


def test_a_row_outside_the_rule_is_emitted_on_its_own():
    item = series(rrule="FREQ=MONTHLY;BYDAY=1TH")
    rows = occurrences(item, datetime(2026, 4, 1, tzinfo=UTC))
    stray_start = datetime(2026, 2, 20, 2, tzinfo=UTC)
    stray = ical.FeedEvent(**{**rows[0].__dict__, "uid": "stray@eventapp", "original_start": stray_start,
                              "starts_at": stray_start, "ends_at": stray_start + timedelta(hours=1)})
    events = Calendar.from_ical(build([*rows, stray], [item])).walk("VEVENT")
    assert [str(e["UID"]) for e in events].count("stray@eventapp") == 1


def test_a_series_with_more_rows_than_the_planning_cap_still_builds() -> None:
    """The feed shows 30 days past plus the horizon: a busy series can hold a few more rows than the
    500 allowed ahead, and one such series must not break the whole feed."""
    item = series(rrule="FREQ=DAILY", dtstart_local=datetime(2026, 1, 1, 9))
    until = datetime(2027, 7, 1, tzinfo=UTC)
    rows = [ical.FeedEvent(
        uid=f"occ-{i}@eventapp", kind=item.kind, title=item.title, starts_at=start,
        ends_at=start + timedelta(minutes=90), tz=TZ, updated_at=STAMP, url=f"https://e.example/{i}",
        series_id=item.id, original_start=start, venue=item.venue, sequence=1)
        for i, start in enumerate(recurrence.expand(item.rrule, item.dtstart_local, TZ, until_utc=until,
                                                    limit=None))]
    assert len(rows) > recurrence.MAX_OCCURRENCES
    calendar = Calendar.from_ical(build(rows, [item]))
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and "RRULE" in events[0]  # one master, no overrides, nothing dropped
