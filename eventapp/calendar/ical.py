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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from icalendar import vDuration

from eventapp.calendar import recurrence
from eventapp.calendar.ictext import (  # noqa: F401 - fold, serialise, vtimezone, _param, _uri: used by importers
    clean,
    fold,
    serialise,
    vtimezone,
)
from eventapp.calendar.ictext import escape as _escape
from eventapp.calendar.ictext import local_time as _local
from eventapp.calendar.ictext import param as _param
from eventapp.calendar.ictext import uri as _uri
from eventapp.calendar.ictext import utc_stamp as _stamp
from eventapp.calendar.ictext import when as _when

CANCELLED_PREFIX = "[Đã hủy]"  # literal Vietnamese, per the issue
ONLINE_LOCATION = "Trực tuyến"  # literal Vietnamese, per the issue
PRODID = "-//Bo TT&TT//EventApp feeds 1.0//VI"
REFRESH = timedelta(hours=1)


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
    event_id: int | None = None  # the row's id (not written: the incremental build finds rows by it)


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
    timezone: str = recurrence.DEFAULT_TZ
    labels: FeedLabels = field(default_factory=FeedLabels)


# ------------------------------------------------------------------------------------ content

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


def _instance(row: FeedEvent, series: FeedSeries, labels: FeedLabels, join_link_visible: bool) -> list[str]:
    """One session on its own, as its invitation has it: series UID, RECURRENCE-ID = original start.
    An instance carries its own SEQUENCE and stamp (RFC 5546 compares them per RECURRENCE-ID), so
    a change to a sibling session leaves this session's bytes, and its validators, alone."""
    content = _content(row, row.starts_at, row.ends_at, row.url, labels, row.agenda, row.cancelled,
                       join_link_visible=join_link_visible)
    return _vevent(series.uid, content, row.tz, row.sequence, row.updated_at, labels,
                   recurrence_id=row.original_start)


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


class Block(NamedTuple):
    """Serialised VEVENTs that stay together in a feed: a one-off event, or a series' master and
    its overrides. Blocks are sorted by (start, uid), which is unique per block, so a feed is the
    same bytes whichever order its blocks were built in (see feeds.fragments).

    A tuple of plain values, so the garbage collector stops tracking it: a worker keeps thousands
    of them, and a tracked object is one every full collection walks."""

    start: datetime
    uid: str
    tzid: str
    data: bytes


def _serialise(components: Iterable[list[str]]) -> bytes:
    return b"".join(b"\r\n".join(fold(line) for line in lines) + b"\r\n" for lines in components)


def event_block(row: FeedEvent, labels: FeedLabels, join_link_visible: bool = False) -> Block:
    """A one-off event (or a series row the rule does not produce) on its own."""
    return Block(row.starts_at, row.uid, row.tz, _serialise([_one_off(row, labels, join_link_visible)]))


def instance_block(row: FeedEvent, series: FeedSeries, labels: FeedLabels,
                   join_link_visible: bool = False) -> Block:
    """A series row as a lone instance (one event's .ics): series UID and RECURRENCE-ID."""
    return Block(row.starts_at, series.uid, row.tz,
                 _serialise([_instance(row, series, labels, join_link_visible)]))


def series_blocks(series: FeedSeries, rows: Sequence[FeedEvent], labels: FeedLabels,
                  join_link_visible: bool = False) -> list[Block]:
    """A series' master with its overrides, plus a block for each row its rule does not produce."""
    components, orphans = _series_components(series, rows, labels, join_link_visible)
    blocks = [event_block(row, labels, join_link_visible) for row in orphans]
    if components:
        first = min(row.original_start or row.starts_at for row in rows)
        blocks.append(Block(first, series.uid, series.tz, _serialise(components)))
    return blocks


def group_rows(events: Iterable[FeedEvent], series_ids: Iterable[int]) -> tuple[dict[int, list[FeedEvent]],
                                                                               list[FeedEvent]]:
    """Rows grouped under their (known) series, and the rows that stand alone."""
    known = set(series_ids)
    groups: dict[int, list[FeedEvent]] = {}
    singles: list[FeedEvent] = []
    for row in events:
        if row.series_id is not None and row.series_id in known and not row.cancelled:
            groups.setdefault(row.series_id, []).append(row)
        else:
            singles.append(row)
    return groups, singles


def assemble(calendar: FeedCalendar, blocks: Iterable[Block]) -> bytes:
    """The VCALENDAR around the blocks: header, every VTIMEZONE before its first use, blocks in order."""
    ordered = sorted(blocks)  # by (start, uid): unique per block, so the bytes never decide
    tzids = sorted({block.tzid for block in ordered} - {"UTC"})
    out = [b"\r\n".join(fold(line) for line in _calendar_header(calendar)), b"\r\n"]
    out.extend(vtimezone(tzid) for tzid in tzids)
    out.extend(block.data for block in ordered)
    out.append(b"END:VCALENDAR\r\n")
    return b"".join(out)


def build_feed(calendar: FeedCalendar, events: Sequence[FeedEvent],
               series: Iterable[FeedSeries] = (), *, instances: bool = False,
               join_link_visible: bool = False) -> bytes:
    """The whole VCALENDAR as bytes; the same input always gives the same bytes.

    join_link_visible: write the rows' online links; only for a reader entitled to them (a
    personal or a taking-part site's feed), never for a public feed or one event's .ics.
    """
    labels, visible = calendar.labels, join_link_visible
    by_id = {s.id: s for s in series}
    if instances:
        # One event's .ics: a series row is a lone instance of its series, never a master of its
        # own, so it has the UID and RECURRENCE-ID of the feeds and of its invitation.
        return assemble(calendar, [
            instance_block(row, by_id[row.series_id], labels, visible)
            if row.series_id in by_id and row.original_start is not None else event_block(row, labels, visible)
            for row in events])
    groups, singles = group_rows(events, by_id)
    blocks = [event_block(row, labels, visible) for row in singles]
    for series_id, rows in groups.items():
        blocks.extend(series_blocks(by_id[series_id], rows, labels, visible))
    return assemble(calendar, blocks)
