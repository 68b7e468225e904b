"""iCalendar text primitives: content-line folding, TEXT cleaning and escaping, date-times (pure).

Written for speed as well as correctness: a 1,000-event feed writes some 15,000 lines, so every
helper here runs thousands of times per build (see calendar.ical for the structure they fill in).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache

from icalendar import Component, Timezone, vDDDLists

from eventapp.calendar import recurrence

# VTIMEZONE rules from 1976 on: Asia/Ho_Chi_Minh has had +07 since 1975, so exactly one STANDARD.
VTIMEZONE_FIRST_DATE = date(1976, 1, 1)


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets without splitting a character or an escape."""
    data = line.encode()
    if len(data) <= 75:
        return data
    parts, start, limit, size = [], 0, 75, len(data)
    while size - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # never cut inside a UTF-8 sequence
            end -= 1
        slashes = 0
        while end - 1 - slashes > start and data[end - 1 - slashes] == 0x5C:  # keep "\n", "\,", "\\" escapes on one line
            slashes += 1
        if slashes % 2:
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # continuation lines start with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def serialise(component: Component) -> bytes:
    """CRLF-terminated bytes of an icalendar component (used for VTIMEZONE), folded by fold():
    icalendar's own to_ical() folds character by character."""
    lines = [fold(component.content_line(name, value, sorted=False))
             for name, value in component.property_items(sorted=False)]
    lines.append(b"")
    return b"\r\n".join(lines)


@lru_cache(maxsize=64)
def vtimezone(tzid: str) -> bytes:
    """The serialised VTIMEZONE for a zone (computing DST rules is slow, so it is cached).

    icalendar writes each transition list as one comma-separated RDATE; Mozilla's ical.js
    (Thunderbird) reads only the first value of an RDATE property and so lost every DST change
    after 1981. One RDATE property per date is equally valid and read by every client.
    """
    timezone = Timezone.from_tzid(tzid, first_date=VTIMEZONE_FIRST_DATE)
    for rule in timezone.subcomponents:
        rdate = rule.get("RDATE")
        if isinstance(rdate, vDDDLists) and len(rdate.dts) > 1:
            rule["RDATE"] = [vDDDLists([value.dt]) for value in rdate.dts]
    return serialise(timezone)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str | None) -> str:
    """NFC text with LF line ends and no control characters (TEXT may not contain them)."""
    if not text:
        return ""
    return _clean(text)


@lru_cache(maxsize=8192)
def _clean(text: str) -> str:
    # Cached: a feed repeats the same titles, venues and descriptions across a series' rows.
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


@lru_cache(maxsize=256)
def zone(tz: str):
    return recurrence.zone(tz)


def local_time(instant: datetime, tz: str) -> datetime:
    """An aware datetime in the event's zone, so icalendar writes TZID (never a floating time)."""
    return instant.astimezone(zone(tz))


def escape(text: str) -> str:
    """RFC 5545 TEXT escaping (backslash first)."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def param(value: str) -> str:
    """A quoted parameter value: one line (no control characters, RFC 5545 QSAFE-CHAR), and
    DQUOTE, which is not allowed inside, as an apostrophe. A line feed here would start a line."""
    value = " ".join(_CONTROL_ANY.sub(" ", value).split())
    return '"' + value.replace('"', "'") + '"'


def uri(value: str) -> str:
    return "".join(value.split())  # a URI has no whitespace; never let one break a line


def basic_time(moment: datetime) -> str:
    """YYYYMMDDTHHMMSS (%-formatting: strftime costs several times more, for every date of a feed)."""
    return "%04d%02d%02dT%02d%02d%02d" % (moment.year, moment.month, moment.day,  # noqa: UP031
                                          moment.hour, moment.minute, moment.second)


def utc_stamp(instant: datetime) -> str:
    return basic_time(instant.astimezone(UTC)) + "Z"


def when(name: str, instants: Sequence[datetime], tz: str) -> str:
    """DTSTART/DTEND/RECURRENCE-ID/EXDATE in the event's zone with TZID (UTC as ...Z): never floating."""
    if tz == "UTC":
        return f"{name}:" + ",".join(utc_stamp(i) for i in instants)
    local = zone(tz)
    return f"{name};TZID={tz}:" + ",".join(basic_time(i.astimezone(local)) for i in instants)
