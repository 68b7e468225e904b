"""Remote-site roll-call: connected, who is present (names or a headcount), the report and its lock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from eventapp import audit
from eventapp.accounts.models import User
from eventapp.directory.collation import person_key
from eventapp.directory.models import Person, Site
from eventapp.errors import DomainError
from eventapp.events.models import Event, EventSite, SiteParticipationStatus
from eventapp.extensions import db
from eventapp.models import rows_changed, utcnow
from eventapp.registrations.models import (
    ACTIVE_STATUSES,
    CheckinMethod,
    Registration,
)

MAX_HEADCOUNT = 1000


class RollCallError(DomainError):
    """A roll-call change that cannot be made (worded by attendance.labels.rollcall_error)."""


def is_locked(participation: EventSite, event: Event, now: datetime | None = None) -> bool:
    """Locked by an organiser, or because the event has ended and nobody reopened it."""
    if participation.report_locked:
        return True
    ended = event.ends_at <= (now or utcnow())
    return ended and participation.report_reopened_at is None


def _editable(participation: EventSite, now: datetime) -> None:
    """Before the event's attendance window opens nothing is recorded (the same rule as the desk's);
    after the end the report locks itself."""
    if participation.event.attendance_not_yet_open(now):
        raise RollCallError("not_open")
    if is_locked(participation, participation.event, now):
        raise RollCallError("locked")


def check_editable(participation: EventSite, now: datetime | None = None) -> None:
    """Raise unless the site's roll-call can still be changed and the site is connected."""
    _editable(participation, now or utcnow())
    if participation.status == SiteParticipationStatus.INVITED:
        raise RollCallError("not_connected")


def mark_connected(participation: EventSite, actor: User, now: datetime | None = None) -> bool:
    """The site's coordinator tested the link and is on; True when that changed anything."""
    now = now or utcnow()
    _editable(participation, now)
    if participation.status != SiteParticipationStatus.INVITED:
        return False
    participation.status = SiteParticipationStatus.CONNECTED
    participation.connected_at = now
    audit.record(actor, "rollcall.connected", participation, participation.site.name)
    return True


def site_registrations(participation: EventSite) -> list[sa.Row]:
    """The site's registrations for the event with the person's name, in one query: the people
    who may come first, each list in Vietnamese order of given names (collation.person_key)."""
    rows = db.session.execute(
        sa.select(Registration.id, Registration.status, Registration.holds_seat.label("holds_seat"),
                  Registration.checked_in_at, Registration.checkin_method, Registration.channel,
                  Person.full_name, Person.position)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == participation.event_id,
               Registration.site_id == participation.site_id)
        .order_by(Registration.id)
    ).all()
    return sorted(rows, key=lambda row: (row.status not in ACTIVE_STATUSES, person_key(row.full_name)))


def approved_ids(participation: EventSite) -> set[int]:
    """The site's registrations that can be marked present (approved ones)."""
    return {row.id for row in site_registrations(participation) if row.holds_seat}


def record_present(participation: EventSite, present_ids: set[int], actor: User,
                   now: datetime | None = None) -> tuple[int, int]:
    """Tick exactly `present_ids` among the site's approved registrations; returns (ticked, unticked).

    Ids that are not the site's approved registrations for this event are refused as a whole.
    """
    now = now or utcnow()
    _editable(participation, now)
    if participation.status == SiteParticipationStatus.INVITED:
        raise RollCallError("not_connected")
    own = approved_ids(participation)
    if not present_ids <= own:
        raise RollCallError("foreign_registration")
    scope = (Registration.event_id == participation.event_id,
             Registration.site_id == participation.site_id)
    ticked = rows_changed(db.session.execute(
        sa.update(Registration)
        .where(*scope, Registration.id.in_(present_ids), Registration.checked_in_at.is_(None),
               Registration.holds_seat)
        .values(checked_in_at=now, checked_in_by_id=actor.id, checkin_method=CheckinMethod.ROLL_CALL)
        .execution_options(synchronize_session=False))) if present_ids else 0
    absent = own - present_ids
    unticked = rows_changed(db.session.execute(
        sa.update(Registration)
        .where(*scope, Registration.id.in_(absent), Registration.checked_in_at.is_not(None))
        .values(checked_in_at=None, checked_in_by_id=None, checkin_method=None)
        .execution_options(synchronize_session=False))) if absent else 0
    if ticked or unticked:
        audit.record(actor, "rollcall.present", participation, participation.site.name,
                     {"ticked": ticked, "unticked": unticked, "present": len(present_ids)})
    return ticked, unticked


def parse_headcount(raw: object) -> int | None:
    """A headcount typed by a person: blank clears it; otherwise a whole number 0..MAX_HEADCOUNT."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise RollCallError("headcount_invalid")
    try:
        value = int(raw.strip()) if isinstance(raw, str) else int(raw)
    except (TypeError, ValueError):
        raise RollCallError("headcount_invalid") from None
    if isinstance(raw, float) and raw != value:
        raise RollCallError("headcount_invalid")
    if value < 0:
        raise RollCallError("headcount_negative")
    if value > MAX_HEADCOUNT:
        raise RollCallError("headcount_too_large")
    return value


def set_headcount(participation: EventSite, headcount: int | None, actor: User,
                  now: datetime | None = None) -> None:
    """Record how many people are in the site's room when names are not practical (None clears)."""
    now = now or utcnow()
    _editable(participation, now)
    if participation.status == SiteParticipationStatus.INVITED:
        raise RollCallError("not_connected")
    if headcount is not None and not 0 <= headcount <= MAX_HEADCOUNT:
        raise RollCallError("headcount_invalid")
    if participation.headcount == headcount:
        return
    audit.record(actor, "rollcall.headcount", participation, participation.site.name,
                 {"headcount": [participation.headcount, headcount]})
    participation.headcount = headcount


def submit_report(participation: EventSite, actor: User, now: datetime | None = None) -> None:
    """The coordinator's roll-call is complete: the tile turns "reported" (still editable until the lock)."""
    now = now or utcnow()
    _editable(participation, now)
    if participation.status == SiteParticipationStatus.INVITED:
        raise RollCallError("not_connected")
    participation.status = SiteParticipationStatus.REPORTED
    participation.reported_at = now
    audit.record(actor, "rollcall.reported", participation, participation.site.name)


def reopen(participation: EventSite, actor: User, now: datetime | None = None) -> None:
    """An organiser reopens a locked report (coordinators cannot)."""
    if not actor.is_organiser:
        raise RollCallError("organisers_only")
    participation.report_locked = False
    participation.report_reopened_at = now or utcnow()
    audit.record(actor, "rollcall.reopen", participation, participation.site.name)


def lock(participation: EventSite, actor: User) -> None:
    """An organiser locks a site's report (again)."""
    if not actor.is_organiser:
        raise RollCallError("organisers_only")
    participation.report_locked = True
    participation.report_reopened_at = None
    audit.record(actor, "rollcall.lock", participation, participation.site.name)


# What every site of a kind would repeat: dropped where space is short and the place name is what counts.
SITE_NAME_PREFIXES = (
    (re.compile(r"^(?:Sở TT&TT|Sở Thông tin và Truyền thông)\s+"), ""),
    (re.compile(r"^Văn phòng đại diện Bộ TT&TT tại\s+"), "VPĐD Bộ · "),
    (re.compile(r"^Trụ sở Bộ TT&TT\s*\((.+)\)$"), "Trụ sở Bộ · "),
)


def short_site_name(name: str) -> str:
    """A site's name where space is short (board tiles, heat-map rows): "Sở TT&TT Hà Giang" → "Hà Giang";
    the full name stays the accessible name and the tooltip."""
    for pattern, replacement in SITE_NAME_PREFIXES:
        match = pattern.match(name)
        if match:
            rest = match.group(1) if pattern.groups else name[match.end():]
            if rest.strip():
                return replacement + re.sub(r"^Thành phố\s+", "TP. ", rest.strip())
    return name


@dataclass(frozen=True)
class Tile:
    """One site on the board."""

    site_id: int
    code: str
    name: str
    status: str
    registered: int
    named_present: int
    headcount: int | None
    locked: bool

    @property
    def label(self) -> str:
        return short_site_name(self.name)

    @property
    def present(self) -> int:
        return self.headcount if self.headcount is not None else self.named_present

    def as_dict(self) -> dict:
        return {"site_id": self.site_id, "code": self.code, "name": self.name, "status": self.status,
                "registered": self.registered, "present": self.present,
                "named_present": self.named_present, "headcount": self.headcount,
                "locked": self.locked}


def board(event: Event, now: datetime | None = None, sites: sa.ColumnElement[bool] | None = None) -> list[Tile]:
    """Every participating site (or those matching `sites`, a condition on Site) with its state and
    present/registered, in two queries."""
    now = now or utcnow()
    participations = db.session.execute(
        sa.select(EventSite, Site.code, Site.name).join(Site, Site.id == EventSite.site_id)
        .where(EventSite.event_id == event.id, *([] if sites is None else [sites]))
        .order_by(Site.is_ministry_location.desc(), Site.code)
    ).all()
    counts = {row.site_id: row for row in db.session.execute(
        sa.select(Registration.site_id,
                  sa.func.count().filter(Registration.holds_seat)
                  .label("registered"),
                  sa.func.count().filter(Registration.checked_in_at.is_not(None)).label("present"))
        .where(Registration.event_id == event.id, Registration.site_id.is_not(None))
        .group_by(Registration.site_id))}
    tiles = []
    for participation, code, name in participations:
        count = counts.get(participation.site_id)
        tiles.append(Tile(
            site_id=participation.site_id, code=code, name=name, status=participation.status.value,
            registered=count.registered if count else 0, named_present=count.present if count else 0,
            headcount=participation.headcount, locked=is_locked(participation, event, now)))
    return tiles


def summary(tiles: list[Tile]) -> dict[str, int]:
    """Totals for the board's header."""
    by_status = {s.value: 0 for s in SiteParticipationStatus}
    for tile in tiles:
        by_status[tile.status] += 1
    return {"sites": len(tiles), **by_status,
            "present": sum(t.present for t in tiles), "registered": sum(t.registered for t in tiles)}
