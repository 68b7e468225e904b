"""iCalendar feed building (pure: plain frozen dataclasses in, bytes out; no database, no Flask).

A series is one master VEVENT whose RRULE covers exactly the occurrence rows the feed shows: it is
anchored at the first shown occurrence, UNTIL (in UTC) is the last shown one, every rule instance
in between that is not shown (cancelled, draft, skipped, missing) is an EXDATE, and every shown row
that differs from what the master produces gets an override VEVENT (same UID, RECURRENCE-ID = its
original start) right after the master. One-off events are plain VEVENTs.

The online join link is private: it is written (URL, LOCATION, DESCRIPTION, CONFERENCE) only when
the caller passes join_link_visible=True for a reader entitled to it; by default it is left out.
Anything that caches built components must key them by that flag as well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from icalendar import (
    Component,
    Timezone,
    vDDDLists,
    vDuration,
)

from eventapp.events import recurrence

CANCELLED_PREFIX = "[Đã hủy]"  # literal Vietnamese, per the issue
ONLINE_LOCATION = "Trực tuyến"  # literal Vietnamese, per the issue
PRODID = "-//Bo TT&TT//EventApp feeds 1.0//VI"
REFRESH = timedelta(hours=1)
# VTIMEZONE rules from 1976 on: Asia/Ho_Chi_Minh has had +07 since 1975, so exactly one STANDARD.
VTIMEZONE_FIRST_DATE = date(1976, 1, 1)


@dataclass(frozen=True)
class AgendaLine:
    """One programme item, shown in DESCRIPTION."""

    starts_at: datetime
    ends_at: datetime
    title: str
    speaker: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class FeedEvent:
    """One event row: a one-off event or an occurrence of a series (series_uid/original_start set)."""

    uid: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    tz: str
    updated_at: datetime
    url: str
    sequence: int = 0
    cancelled: bool = False
    description: str = ""
    mode: str = "in_person"
    venue: str | None = None
    venue_address: str | None = None
    online_url: str | None = None
    series_id: int | None = None
    original_start: datetime | None = None
    agenda: tuple[AgendaLine, ...] = ()


@dataclass(frozen=True)
class FeedSeries:
    """A recurring series; sequence/updated_at already include every occurrence row's (EXDATEs too)."""

    id: int
    uid: str
    kind: str
    title: str
    rrule: str
    dtstart_local: datetime
    tz: str
    duration_minutes: int
    updated_at: datetime
    sequence: int = 0
    description: str = ""
    mode: str = "in_person"
    venue: str | None = None
    venue_address: str | None = None
    online_url: str | None = None


@dataclass(frozen=True)
class FeedLabels:
    """Translated words used inside event text (the caller renders them in the feed's locale)."""

    programme: str = "Chương trình"
    register: str = "Đăng ký"
    details: str = "Chi tiết"
    join_online: str = "Tham gia trực tuyến"
    categories: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedCalendar:
    """Calendar-level properties of one feed."""

    name: str
    description: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    labels: FeedLabels = field(default_factory=FeedLabels)


# ------------------------------------------------------------------------------- serialising

def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets without splitting a character or an escape."""
    data = line.encode("utf-8")
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


# ------------------------------------------------------------------------------------ content

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str | None) -> str:
    """NFC text with LF line ends and no control characters (TEXT may not contain them)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def _local(instant: datetime, tz: str) -> datetime:
    """An aware datetime in the event's zone, so icalendar writes TZID (never a floating time)."""
    return instant.astimezone(recurrence.zone(tz))


@dataclass(frozen=True)
class _Content:
    """The per-instance properties compared between the master's projection and a row."""

    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    url: str
    online_url: str
    kind: str
    cancelled: bool


def _content(item: FeedEvent | FeedSeries, start: datetime, end: datetime, link: str,
             labels: FeedLabels, agenda: Iterable[AgendaLine] = (), cancelled: bool = False, *,
             join_link_visible: bool = False) -> _Content:
    visible = join_link_visible and item.mode in ("online", "hybrid")
    online = clean(item.online_url) if visible else ""
    venue = ", ".join(p for p in (clean(item.venue), clean(item.venue_address)) if p)
    location = "; ".join(p for p in (venue, f"{ONLINE_LOCATION}: {online}" if online else "") if p)
    text = [clean(item.description)]
    lines = []
    for line in agenda:
        who = " – ".join(p for p in (clean(line.speaker), clean(line.organisation)) if p)
        lines.append(f"{_local(line.starts_at, item.tz):%H:%M}–{_local(line.ends_at, item.tz):%H:%M} "
                     f"{clean(line.title)}" + (f" ({who})" if who else ""))
    if lines:
        text.append(f"{labels.programme}:\n" + "\n".join(lines))
    if online:
        text.append(f"{labels.join_online}: {online}")
    text.append(f"{labels.register}: {link}")
    summary = clean(item.title)
    if cancelled:
        summary = f"{CANCELLED_PREFIX} {summary}"
    return _Content(start=start, end=end, summary=summary, description="\n\n".join(t for t in text if t),
                    location=location, url=online or link, online_url=online, kind=item.kind,
                    cancelled=cancelled)


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping (backslash first)."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param(value: str) -> str:
    """A quoted parameter value: one line (no control characters, RFC 5545 QSAFE-CHAR), and
    DQUOTE, which is not allowed inside, as an apostrophe. A line feed here would start a line."""
    value = " ".join(_CONTROL_ANY.sub(" ", value).split())
    return '"' + value.replace('"', "'") + '"'


def _uri(value: str) -> str:
    return "".join(value.split())  # a URI has no whitespace; never let one break a line


def _stamp(instant: datetime) -> str:
    return f"{instant.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _when(name: str, instants: Sequence[datetime], tz: str) -> str:
    """DTSTART/DTEND/RECURRENCE-ID/EXDATE in the event's zone with TZID (UTC as ...Z): never floating."""
    if tz == "UTC":
        return f"{name}:" + ",".join(_stamp(i) for i in instants)
    zone = recurrence.zone(tz)
    return f"{name};TZID={tz}:" + ",".join(f"{i.astimezone(zone):%Y%m%dT%H%M%S}" for i in instants)


def _vevent(uid: str, content: _Content, tz: str, sequence: int, stamp: datetime, labels: FeedLabels,
            recurrence_id: datetime | None = None, rrule: str | None = None,
            exdates: Sequence[datetime] = ()) -> list[str]:
    """The content lines of one VEVENT.

    Written directly rather than through icalendar's Event: its per-property parameter and
    content-line objects cost more than the whole 1,000-event budget. The output is checked by
    parsing it back with icalendar, recurring-ical-events and Mozilla's ical.js in the tests.
    """
    stamp_text = _stamp(stamp)
    lines = ["BEGIN:VEVENT", f"UID:{_escape(uid)}", f"DTSTAMP:{stamp_text}", f"LAST-MODIFIED:{stamp_text}"]
    if recurrence_id is not None:
        lines.append(_when("RECURRENCE-ID", (recurrence_id,), tz))
    lines += [f"SEQUENCE:{int(sequence)}", _when("DTSTART", (content.start,), tz),
              _when("DTEND", (content.end,), tz)]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    if exdates:
        lines.append(_when("EXDATE", exdates, tz))
    lines += [f"SUMMARY:{_escape(content.summary)}", f"DESCRIPTION:{_escape(content.description)}"]
    if content.location:
        lines.append(f"LOCATION:{_escape(content.location)}")
    lines.append(f"URL:{_uri(content.url)}")
    if content.online_url:
        lines.append(f"CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL={_param(labels.join_online)}:"
                     f"{_uri(content.online_url)}")
    category = labels.categories.get(content.kind, content.kind)
    lines += [f"CATEGORIES:{_escape(category)}",
              "STATUS:CANCELLED" if content.cancelled else "STATUS:CONFIRMED", "TRANSP:OPAQUE",
              "END:VEVENT"]
    return lines


def _one_off(row: FeedEvent, labels: FeedLabels, join_link_visible: bool) -> list[str]:
    content = _content(row, row.starts_at, row.ends_at, row.url, labels, row.agenda, row.cancelled,
                       join_link_visible=join_link_visible)
    return _vevent(row.uid, content, row.tz, row.sequence, row.updated_at, labels)


def _instance(row: FeedEvent, series: FeedSeries, labels: FeedLabels,
              join_link_visible: bool) -> list[str]:
    """One session on its own, as its invitation has it: series UID, RECURRENCE-ID = original start."""
    content = _content(row, row.starts_at, row.ends_at, row.url, labels, row.agenda, row.cancelled,
                       join_link_visible=join_link_visible)
    return _vevent(series.uid, content, row.tz, max(series.sequence, row.sequence),
                   max(series.updated_at, row.updated_at), labels, recurrence_id=row.original_start)


def _rule_without_end(rrule: str, tz: str) -> str:
    parts = [p for p in recurrence.normalise_rrule(rrule, tz).split(";")
             if p and not p.startswith(("UNTIL=", "COUNT="))]
    return ";".join(parts)


def _series_components(series: FeedSeries, rows: Sequence[FeedEvent], labels: FeedLabels,
                       join_link_visible: bool) -> tuple[list[list[str]], list[FeedEvent]]:
    """The master and its overrides, plus rows the rule does not produce (emitted on their own)."""
    shown = {row.original_start: row for row in rows if row.original_start is not None}
    if not shown:
        return [], list(rows)
    # Instances from the series' true DTSTART, exactly as occurrence rows were generated.
    last = max(shown)
    # No cap: the window is bounded by stored rows (30 days past + the horizon), which may hold a
    # few more than the 500 allowed ahead; refusing here would break the whole feed.
    instants = recurrence.expand(series.rrule, series.dtstart_local, series.tz,
                                 until_utc=last + timedelta(seconds=1), after_utc=min(shown), limit=None)
    in_rule = [start for start in instants if start in shown]
    produced = set(in_rule)
    orphans = [row for row in rows if row.original_start not in produced]
    if not in_rule:
        return [], orphans
    anchor, until = in_rule[0], in_rule[-1]
    duration = timedelta(minutes=series.duration_minutes)
    link = shown[anchor].url
    visible = join_link_visible
    master_content = _content(series, anchor, anchor + duration, link, labels, join_link_visible=visible)
    # UNTIL in UTC ("...Z"), as RFC 5545 requires with a zoned DTSTART, at the last shown row.
    rule = f"{_rule_without_end(series.rrule, series.tz)};UNTIL={_stamp(until)}"
    excluded = [start for start in instants if anchor <= start <= until and start not in shown]
    master = _vevent(series.uid, master_content, series.tz, series.sequence, series.updated_at, labels,
                     rrule=rule, exdates=excluded)
    components: list[list[str]] = [master]
    for start in in_rule:
        row = shown[start]
        projected = _content(series, start, start + duration, link, labels, join_link_visible=visible)
        actual = _content(row, row.starts_at, row.ends_at, link, labels, row.agenda, row.cancelled,
                          join_link_visible=visible)
        if actual != projected or row.tz != series.tz:
            own = _content(row, row.starts_at, row.ends_at, row.url, labels, row.agenda, row.cancelled,
                           join_link_visible=visible)
            components.append(_vevent(
                series.uid, own, series.tz, max(series.sequence, row.sequence),
                max(series.updated_at, row.updated_at), labels, recurrence_id=start))
    return components, orphans


def _calendar_header(calendar: FeedCalendar) -> list[str]:
    # No METHOD: a subscription is not an iTIP message (that is for e-mailed invitations).
    name = _escape(clean(calendar.name))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_escape(PRODID)}", "CALSCALE:GREGORIAN",
             f"NAME:{name}", f"X-WR-CALNAME:{name}"]
    if calendar.description:
        description = _escape(clean(calendar.description))
        lines += [f"DESCRIPTION:{description}", f"X-WR-CALDESC:{description}"]
    # icalendar's refresh_interval= would omit VALUE=DURATION and a bare timedelta is "1:00:00".
    refresh = vDuration(REFRESH).to_ical().decode()
    lines += [f"X-WR-TIMEZONE:{calendar.timezone}", f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
              f"X-PUBLISHED-TTL:{refresh}"]
    return lines


def build_feed(calendar: FeedCalendar, events: Sequence[FeedEvent],
               series: Iterable[FeedSeries] = (), *, instances: bool = False,
               join_link_visible: bool = False) -> bytes:
    """The whole VCALENDAR as bytes; the same input always gives the same bytes.

    join_link_visible: write the rows' online links; only for a reader entitled to them (a
    personal or a taking-part site's feed), never for a public feed or one event's .ics.
    """
    # instances (one event's .ics): a series row is a lone instance of its series, never a master
    # of its own, so it has the UID and RECURRENCE-ID of the feeds and of its invitation.
    labels = calendar.labels
    by_id = {s.id: s for s in series}
    groups: dict[int, list[FeedEvent]] = {}
    singles: list[FeedEvent] = []
    blocks: list[tuple[tuple, list[list[str]], str]] = []  # (sort key, components, tzid)
    for row in events:
        if instances and row.series_id in by_id and row.original_start is not None:
            item = by_id[row.series_id]
            component = _instance(row, item, labels, join_link_visible)
            blocks.append(((row.starts_at, item.uid), [component], row.tz))
        elif row.series_id is not None and row.series_id in by_id and not row.cancelled:
            groups.setdefault(row.series_id, []).append(row)
        else:
            singles.append(row)
    for series_id, rows in groups.items():
        item = by_id[series_id]
        components, orphans = _series_components(item, rows, labels, join_link_visible)
        if components:
            first = min(row.original_start or row.starts_at for row in rows)
            blocks.append(((first, item.uid), components, item.tz))
        singles.extend(orphans)
    for row in singles:
        blocks.append(((row.starts_at, row.uid), [_one_off(row, labels, join_link_visible)], row.tz))
    blocks.sort(key=lambda block: block[0])
    tzids = sorted({block[2] for block in blocks} - {"UTC"})
    out = [b"\r\n".join(fold(line) for line in _calendar_header(calendar)), b"\r\n"]
    out.extend(vtimezone(tzid) for tzid in tzids)  # every VTIMEZONE before its first use
    for _key, components, _tz in blocks:
        for lines in components:
            out.append(b"\r\n".join(fold(line) for line in lines))
            out.append(b"\r\n")
    out.append(b"END:VCALENDAR\r\n")
    return b"".join(out)
