"""E-mailed invitations (iTIP): METHOD:REQUEST / METHOD:CANCEL with ORGANIZER and ATTENDEE.

Pure like ical.py, and built from the same pieces, so an invitation carries the feed's UID (the
series UID plus RECURRENCE-ID for an occurrence, the event's own UID for a one-off) and the same
text; a calendar that has both the feed and the invitation sees one event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from eventapp.calendar import ical


@dataclass(frozen=True)
class Party:
    """An organiser or attendee: address and display name."""

    email: str
    name: str = ""


def _address(role: str, party: Party, extra: str = "") -> str:
    name = f";CN={ical._param(ical.clean(party.name))}" if party.name else ""
    return f"{role}{name}{extra}:mailto:{ical._uri(party.email)}"


def build_invitation(method: str, event: ical.FeedEvent, *, uid: str, recurrence_id: datetime | None,
                     sequence: int, organizer: Party, attendee: Party, labels: ical.FeedLabels,
                     stamp: datetime, join_link_visible: bool) -> str:
    """The VCALENDAR text of a REQUEST (invite or update) or CANCEL for one attendee.

    join_link_visible: the attendee may have the online join link (a confirmed registrant).
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method}")
    cancelled = method == "CANCEL" or event.cancelled
    content = ical._content(event, event.starts_at, event.ends_at, event.url, labels, event.agenda, cancelled,
                            join_link_visible=join_link_visible)
    lines = ical._vevent(uid, content, event.tz, sequence, stamp, labels, recurrence_id=recurrence_id)
    status = "DECLINED" if method == "CANCEL" else "ACCEPTED"
    parties = [_address("ORGANIZER", organizer),
               _address("ATTENDEE", attendee, f";ROLE=REQ-PARTICIPANT;PARTSTAT={status};RSVP=FALSE")]
    lines[-1:-1] = parties  # before END:VEVENT
    header = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{ical._escape(ical.PRODID)}",
              "CALSCALE:GREGORIAN", f"METHOD:{method}"]
    body = [*header]
    text = b"\r\n".join(ical.fold(line) for line in body) + b"\r\n"
    if event.tz != "UTC":
        text += ical.vtimezone(event.tz)
    text += b"\r\n".join(ical.fold(line) for line in lines) + b"\r\nEND:VCALENDAR\r\n"
    return text.decode("utf-8")


# ------------------------------------------------------------- reconciled messages (calendar_sync)

# The properties whose change a calendar must see (RFC 5545 §3.8.7.4 "significant"), plus the
# component structure: a change in anything else (description, programme) rides along with the
# next message but does not send one of its own.
SIGNIFICANT = ("BEGIN", "END", "UID", "RECURRENCE-ID", "DTSTART", "DTEND", "RRULE", "RDATE", "EXDATE",
               "STATUS", "LOCATION", "SUMMARY", "URL", "CONFERENCE")


def _name(line: str) -> str:
    cut = min((i for i in (line.find(":"), line.find(";")) if i >= 0), default=len(line))
    return line[:cut]


def fingerprint(components: list[list[str]]) -> str:
    """A digest of the significant content of a message's components (no stamps, no SEQUENCE)."""
    text = "\n".join(line for lines in components for line in lines if _name(line) in SIGNIFICANT)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# join_link_visible: whether the recipient may have the online join link (they hold a confirmed
# seat); the caller decides, the builder writes the link only when told so.

def series_message(series: ical.FeedSeries, rows: list[ical.FeedEvent], labels: ical.FeedLabels, *,
                   join_link_visible: bool) -> tuple[list[list[str]], list[ical.FeedEvent]]:
    """A person's whole-series invitation: the master with RRULE over their sessions, EXDATEs for
    the others, overrides for edited ones (the feeds' shape); rows the rule does not produce are
    returned to be sent on their own."""
    return ical._series_components(series, rows, labels, join_link_visible)


def instance_message(row: ical.FeedEvent, series: ical.FeedSeries, labels: ical.FeedLabels, *,
                     join_link_visible: bool) -> list[str]:
    """One session of a series on its own: series UID, RECURRENCE-ID = its original start."""
    return ical._instance(row, series, labels, join_link_visible)


def one_off_message(row: ical.FeedEvent, labels: ical.FeedLabels, *, join_link_visible: bool) -> list[str]:
    return ical._one_off(row, labels, join_link_visible)


def cancel_component(uid: str, recurrence_id: datetime | None, *, summary: str, starts_at: datetime,
                     ends_at: datetime, tz: str) -> list[str]:
    """The VEVENT of a CANCEL for an identity whose rows may be gone: what was last sent of it."""
    lines = ["BEGIN:VEVENT", f"UID:{ical._escape(uid)}", "DTSTAMP:19700101T000000Z"]
    if recurrence_id is not None:
        lines.append(ical._when("RECURRENCE-ID", (recurrence_id,), tz))
    lines += ["SEQUENCE:0", ical._when("DTSTART", (starts_at,), tz), ical._when("DTEND", (ends_at,), tz),
              f"SUMMARY:{ical._escape(summary)}", "STATUS:CANCELLED", "END:VEVENT"]
    return lines


def itip_message(method: str, components: list[list[str]], *, tz: str, sequence: int, stamp: datetime,
                 organizer: Party, attendee: Party) -> str:
    """One iTIP VCALENDAR (one UID) for one attendee: every component gets the same SEQUENCE (the
    identity's counter), DTSTAMP now, and the ORGANIZER and ATTENDEE lines."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method}")
    status = "DECLINED" if method == "CANCEL" else "ACCEPTED"
    parties = [_address("ORGANIZER", organizer),
               _address("ATTENDEE", attendee, f";ROLE=REQ-PARTICIPANT;PARTSTAT={status};RSVP=FALSE")]
    stamp_line = f"DTSTAMP:{ical._stamp(stamp)}"
    out: list[str] = []
    for lines in components:
        for line in lines:
            name = _name(line)
            if name == "DTSTAMP":
                line = stamp_line
            elif name == "SEQUENCE":
                line = f"SEQUENCE:{int(sequence)}"
            elif line == "END:VEVENT":
                out.extend(parties)
            out.append(line)
    header = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{ical._escape(ical.PRODID)}",
              "CALSCALE:GREGORIAN", f"METHOD:{method}"]
    text = b"\r\n".join(ical.fold(line) for line in header) + b"\r\n"
    if tz != "UTC":
        text += ical.vtimezone(tz)
    text += b"\r\n".join(ical.fold(line) for line in out) + b"\r\nEND:VCALENDAR\r\n"
    return text.decode("utf-8")
