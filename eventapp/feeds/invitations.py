"""E-mailed invitations (iTIP): METHOD:REQUEST / METHOD:CANCEL with ORGANIZER and ATTENDEE.

Pure like ical.py, and built from the same pieces, so an invitation carries the feed's UID (the
series UID plus RECURRENCE-ID for an occurrence, the event's own UID for a one-off) and the same
text; a calendar that has both the feed and the invitation sees one event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventapp.feeds import ical


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
