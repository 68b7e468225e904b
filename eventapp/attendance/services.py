"""Check-in at the door: ticket payloads, race-free check-in and undo, offline replays, counters, search.

Race-freedom: a check-in is one conditional UPDATE (`... WHERE checked_in_at IS NULL`). On
PostgreSQL a concurrent UPDATE of the same row waits for the first to commit and then re-checks
its WHERE against the new row, so exactly one desk wins and the others see "already"; SQLite
serialises writers. An offline scan replayed later carries its scan time: a second conditional
UPDATE (`... WHERE checked_in_at > :t`) lets the earliest scan win, and a replay of the same scan
changes nothing. A desk sends its own clock with a batch, so scan times from a desk whose clock runs
fast or slow are first moved onto the server's clock.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from eventapp import audit
from eventapp.accounts.models import User
from eventapp.directory.models import Organisation, Person, Site
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.models import rows_changed, utcnow
from eventapp.params import (
    valid_id,  # the one id rule (also used from here by the desk and the API)
)
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationStatus
from eventapp.tokens import hash_token

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")
MAX_PAYLOAD = 500
MAX_BATCH = 500
CLOCK_SKEW = timedelta(minutes=2)  # an uncorrected scan time may be this far ahead (clocks, latency)
MAX_DESK_SKEW = timedelta(days=1)  # a desk clock further off cannot have stamped its scans sensibly


def scan_time(raw: object) -> datetime | None:
    """A client's scan time: ISO 8601 / RFC 3339 with an offset, in UTC; None when unreadable.

    A stamp that exists but cannot be placed in UTC (year 1 or 9999) comes back as the earliest
    instant, which check_in answers with bad_time like any other time far from the event.
    """
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    try:
        value = datetime.fromisoformat(raw.upper())  # RFC 3339 allows "t" and "z"
    except ValueError:
        return None
    if value.tzinfo is None:
        return None  # a time without a zone cannot be placed
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def scan_target(body: dict[str, Any]) -> dict[str, Any] | str:
    """What one scan names, as check_in's keywords (a ticket's text or a registration id, with the
    method), or the error code of a body that names neither or sends a field of the wrong type."""
    if "payload" in body and not isinstance(body["payload"], str):
        return "payload_invalid"
    if "registration_id" in body:
        registration_id = body["registration_id"]
        if isinstance(registration_id, float) and registration_id.is_integer():
            registration_id = int(registration_id)  # 7.0 is an integer in JSON
        if not valid_id(registration_id):
            return "registration_id_invalid"
        return {"registration_id": registration_id, "method": CheckinMethod.SEARCH}
    if isinstance(body.get("payload"), str):
        return {"token": body["payload"], "method": CheckinMethod.SCAN}
    return "payload_missing"


class ScanCode(enum.StrEnum):
    """The answer a desk shows for one scan, search tap or undo."""

    CHECKED_IN = "checked_in"
    ALREADY = "already"
    NOT_REGISTERED = "not_registered"
    INVALID = "invalid"
    WRONG_EVENT = "wrong_event"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    PENDING = "pending"
    REJECTED = "rejected"
    CLOSED = "closed"
    BAD_TIME = "bad_time"
    UNDONE = "undone"
    NOT_CHECKED_IN = "not_checked_in"
    FULL = "full"


STATUS_CODES = {
    RegistrationStatus.WAITLISTED: ScanCode.WAITLISTED,
    RegistrationStatus.CANCELLED: ScanCode.CANCELLED,
    RegistrationStatus.PENDING: ScanCode.PENDING,
    RegistrationStatus.REJECTED: ScanCode.REJECTED,
}
OK_CODES = frozenset({ScanCode.CHECKED_IN, ScanCode.UNDONE})
DOOR_METHODS = (CheckinMethod.SCAN, CheckinMethod.SEARCH, CheckinMethod.WALK_IN)


@dataclass
class ScanResult:
    """What happened to one scan; `corrected` means an earlier offline scan time replaced a later one."""

    code: ScanCode
    registration_id: int | None = None
    name: str | None = None
    organisation: str | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    other_event: str | None = None
    corrected: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code in OK_CODES


def parse_payload(payload: object) -> str | None:
    """The ticket token in what a scanner typed or a camera decoded (a bare token or a ticket URL)."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
        return None
    text = payload.strip()
    if "/" in text:  # a ticket link: the token is the last path segment
        text = text.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return text if TOKEN_RE.fullmatch(text) else None


def _lookup(where: sa.ColumnElement) -> sa.Row | None:
    return db.session.execute(
        sa.select(Registration.id, Registration.event_id, Registration.status, Person.full_name,
                  sa.func.coalesce(Organisation.short_name, Organisation.name).label("org"))
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(where)
    ).first()


def _state(registration_id: int) -> sa.Row:
    return db.session.execute(
        sa.select(Registration.status, Registration.checked_in_at,
                  sa.func.coalesce(sa.func.nullif(User.full_name, ""), User.email).label("by"))
        .outerjoin(User, User.id == Registration.checked_in_by_id)
        .where(Registration.id == registration_id)
    ).one()


def _claim(registration_id: int, at: datetime, actor_id: int | None, method: CheckinMethod,
           condition: sa.ColumnElement) -> bool:
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.id == registration_id,
               Registration.holds_seat, condition)
        .values(checked_in_at=at, checked_in_by_id=actor_id, checkin_method=method)
        .execution_options(synchronize_session=False))
    return rows_changed(result) == 1


def commit_scans_without_waiting() -> None:
    """Let this transaction (scans only) commit without waiting for PostgreSQL's WAL flush.

    A check-in is a fact that can be recorded again: if PostgreSQL itself crashes, the scans it
    acknowledged in the last fraction of a second (3 × wal_writer_delay, 0.6 s by default) may be
    lost, and the data stays consistent; a re-scan records them. In exchange a desk never waits
    behind a slow disk flush (on this machine's virtual disk those stalls reached 200 ms for every
    scan in flight). Never for transactions that also create registrations (walk-ins): those keep
    the default, so an acknowledged registration is never lost.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))


def door_open(event: Event, at: datetime) -> bool:
    """Check-in is possible inside the event's attendance window (the rule on Event)."""
    return event.is_attendance_open(at)


def check_in(event: Event, *, token: object = None, registration_id: int | None = None,
             actor: User | None = None, method: CheckinMethod = CheckinMethod.SCAN,
             scanned_at: datetime | None = None, now: datetime | None = None) -> ScanResult:
    """Check one ticket (or a registration picked by search) in for `event`; idempotent."""
    now = now or utcnow()
    at = scanned_at or now
    if scanned_at is not None and not (
            event.attendance_opens_at <= scanned_at <= now + CLOCK_SKEW):
        return ScanResult(ScanCode.BAD_TIME)
    at = min(at, now)
    if token is not None:
        parsed = parse_payload(token)
        if parsed is None:
            return ScanResult(ScanCode.INVALID)
        row = _lookup(Registration.ticket_token_hash == hash_token(parsed))
    elif valid_id(registration_id):
        row = _lookup(Registration.id == registration_id)
    else:
        return ScanResult(ScanCode.INVALID)
    if row is None:
        return ScanResult(ScanCode.NOT_REGISTERED)
    base = {"registration_id": row.id, "name": row.full_name, "organisation": row.org}
    if row.event_id != event.id:
        other = db.session.get(Event, row.event_id)
        return ScanResult(ScanCode.WRONG_EVENT, other_event=other.title if other else None, **base)
    if not door_open(event, at):
        return ScanResult(ScanCode.CLOSED, **base)
    if row.status != RegistrationStatus.APPROVED:
        return ScanResult(STATUS_CODES[row.status], **base)
    actor_id = getattr(actor, "id", None)
    if _claim(row.id, at, actor_id, method, Registration.checked_in_at.is_(None)):
        by = (actor.full_name or actor.email) if actor is not None else None
        return ScanResult(ScanCode.CHECKED_IN, checked_in_at=at, checked_in_by=by, **base)
    corrected = scanned_at is not None and _claim(
        row.id, at, actor_id, method, Registration.checked_in_at > at)
    state = _state(row.id)
    if state.status != RegistrationStatus.APPROVED and state.checked_in_at is None:
        return ScanResult(STATUS_CODES.get(state.status, ScanCode.NOT_REGISTERED), **base)
    code = ScanCode.CHECKED_IN if corrected else ScanCode.ALREADY
    return ScanResult(code, checked_in_at=state.checked_in_at, checked_in_by=state.by,
                      corrected=corrected, **base)


@dataclass(frozen=True)
class OfflineScan:
    """A scan the browser queued while offline: its client id, what was scanned and when."""

    client_id: str
    scanned_at: datetime
    token: str | None = None
    registration_id: int | None = None
    method: CheckinMethod = CheckinMethod.SCAN


def desk_time(scanned_at: datetime, skew: timedelta) -> datetime | None:
    """A desk's scan time moved onto the server's clock; None when that is out of any range."""
    if abs(skew) > MAX_DESK_SKEW:
        return None
    try:
        return scanned_at + skew
    except OverflowError:  # a stamp near year 1 or 9999: nonsense, refused as bad_time
        return None


def replay(event: Event, scans: list[OfflineScan], actor: User | None, now: datetime | None = None,
           client_now: datetime | None = None) -> list[tuple[str, ScanResult]]:
    """Apply queued scans in scan-time order with their own times (the earliest scan wins).

    `client_now` is the desk's clock when it sent the batch: every scan time is shifted by
    (server now - desk now), assuming the desk's clock kept its offset since the scans were queued.
    Without it (older desks, the token API) scan times are taken as they are.
    """
    now = now or utcnow()
    skew = now - client_now if client_now is not None else timedelta(0)
    results = []
    for scan in sorted(scans, key=lambda s: s.scanned_at):
        at = desk_time(scan.scanned_at, skew)
        if at is None:
            result = ScanResult(ScanCode.BAD_TIME)
        else:
            result = check_in(event, token=scan.token, registration_id=scan.registration_id,
                              actor=actor, method=scan.method, scanned_at=at, now=now)
        results.append((scan.client_id, result))
    return results


def undo_check_in(event: Event, registration_id: int, actor: User | None) -> ScanResult:
    """Take back a check-in made by mistake (the desk's "Undo"); audited."""
    registration = db.session.get(Registration, registration_id) if valid_id(registration_id) else None
    if registration is None or registration.event_id != event.id:
        return ScanResult(ScanCode.NOT_REGISTERED)
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.id == registration_id, Registration.checked_in_at.is_not(None))
        .values(checked_in_at=None, checked_in_by_id=None, checkin_method=None)
        .execution_options(synchronize_session=False))
    name = registration.person.full_name
    if rows_changed(result) != 1:
        return ScanResult(ScanCode.NOT_CHECKED_IN, registration_id=registration_id, name=name)
    audit.record(actor, "checkin.undo", registration, name)
    return ScanResult(ScanCode.UNDONE, registration_id=registration_id, name=name)


def counters(event_id: int) -> dict[str, int]:
    """The desk's live numbers, in one query: expected in person, checked in at the door, present overall."""
    checked = Registration.checked_in_at.is_not(None)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(Registration.holds_seat,
                                   Registration.site_id.is_(None)),
            sa.func.count().filter(checked, Registration.checkin_method.in_(DOOR_METHODS)),
            sa.func.count().filter(checked),
            sa.func.count().filter(Registration.holds_seat),
        ).where(Registration.event_id == event_id)
    ).one()
    return {"expected": row[0], "checked_in": row[1], "present": row[2], "approved": row[3]}


def fold(text: str | None) -> str:
    """Lower-case, accent-free text for search ("Nguyễn Đức" → "nguyen duc")."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _digits(text: str | None) -> str:
    return "".join(c for c in (text or "") if c.isdigit())


def search(event_id: int, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Registrations of the event matching a name, organisation/outlet or phone, accent-insensitive."""
    needle, digits = fold(query), _digits(query)
    if len(needle) < 2:
        return []
    phone_query = len(digits) >= 3 and len(digits) == len(needle.replace(" ", "").lstrip("+"))
    rows = db.session.execute(
        sa.select(Registration.id, Registration.status, Registration.checked_in_at, Person.full_name,
                  Person.phone, Organisation.name.label("org"), Organisation.short_name,
                  Site.name.label("site"))
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(Site, Site.id == Registration.site_id)
        .where(Registration.event_id == event_id)
        .order_by(Person.full_name, Registration.id)
    ).all()
    found = []
    for row in rows:
        if phone_query:
            hit = digits in _digits(row.phone)
        else:
            hit = any(needle in fold(v) for v in (row.full_name, row.org, row.short_name))
        if hit:
            found.append({"registration_id": row.id, "name": row.full_name,
                          "organisation": row.short_name or row.org, "site": row.site,
                          "phone_tail": _digits(row.phone)[-3:] or None,
                          "status": row.status.value, "checked_in_at": row.checked_in_at})
            if len(found) >= limit:
                break
    return found
