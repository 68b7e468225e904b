"""Accreditation and announcing an event to the network (services)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from eventapp import audit
from eventapp.accounts.models import Role, User
from eventapp.audit import AuditEntry
from eventapp.calendar import recurrence
from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.directory.models import Organisation, OrganisationKind, Person
from eventapp.events import site_notices
from eventapp.events.models import Event, EventSeries, EventSite
from eventapp.extensions import db
from eventapp.registrations import emails
from eventapp.registrations.capacity import lock_event
from eventapp.registrations.models import Accreditation, AccreditationStatus


def accredit(person: Person, *, series: EventSeries | None, valid_until: date | None, actor: Any,
             note: str | None = None, tz: str = DEFAULT_TZ) -> Accreditation:
    """Approve a journalist for a series, or for every event until a date (inclusive, local)."""
    until = None
    if valid_until is not None:
        until = datetime.combine(valid_until, time(23, 59, 59), recurrence.zone(tz))
    accreditation = Accreditation(person_id=person.id, outlet_id=person.organisation_id,
                                  series_id=series.id if series else None,
                                  status=AccreditationStatus.APPROVED, valid_until=until,
                                  decided_by_id=getattr(actor, "id", None), note=note or None)
    db.session.add(accreditation)
    db.session.flush()
    audit.record(actor, "accreditation.approve", accreditation, person.full_name,
                 {"series_id": accreditation.series_id, "valid_until": until.isoformat() if until else None})
    return accreditation


def revoke(accreditation: Accreditation, *, actor: Any) -> None:
    accreditation.status = AccreditationStatus.REVOKED
    accreditation.decided_by_id = getattr(actor, "id", None)
    audit.record(actor, "accreditation.revoke", accreditation, accreditation.person.full_name)
    db.session.flush()


def announcement_recipients(event: Event, *, coordinators: bool, units: bool,
                            journalists: bool) -> list[emails.Announced]:
    """Everyone to tell, each address once, in four queries at most. Coordinators are those of the
    sites taking part (each with their places and quotas); when no site takes part, every one."""
    found: dict[str, emails.Announced] = {}

    def add(address: str | None, name: str | None, locale: str | None,
            places: tuple[EventSite, ...] = ()) -> None:
        if address and address.strip().lower() not in found:
            found[address.strip().lower()] = emails.Announced(address.strip(), name, locale or "vi", places)

    if coordinators:
        if event.sites:
            places: dict[int, list[EventSite]] = {}
            by_site = site_notices.coordinators([p.site_id for p in event.sites])
            users: dict[int, User] = {}
            for participation in sorted(event.sites, key=lambda p: p.site_id):
                for user in by_site.get(participation.site_id, []):
                    users[user.id] = user
                    places.setdefault(user.id, []).append(participation)
            for user_id in sorted(users):
                add(users[user_id].email, users[user_id].full_name or None, users[user_id].locale,
                    tuple(places[user_id]))
        else:
            for user in db.session.scalars(sa.select(User).where(
                    User.role == Role.SITE_COORDINATOR, User.is_active_account.is_(True)).order_by(User.id)):
                add(user.email, user.full_name or None, user.locale)
    if units:
        for unit in db.session.scalars(sa.select(Organisation).where(
                Organisation.kind == OrganisationKind.MINISTRY_UNIT, Organisation.is_active.is_(True),
                Organisation.email.is_not(None)).order_by(Organisation.id)):
            add(unit.email, unit.name, "vi")
    if journalists:
        scope: sa.ColumnElement[bool] = Accreditation.series_id.is_(None)
        if event.series_id:
            scope = sa.or_(scope, Accreditation.series_id == event.series_id)
        for person in db.session.scalars(sa.select(Person).where(Person.id.in_(
                sa.select(Accreditation.person_id).where(
                    Accreditation.status == AccreditationStatus.APPROVED, scope,
                    sa.or_(Accreditation.valid_until.is_(None), Accreditation.valid_until >= event.starts_at))))
                .order_by(Person.id)):
            add(person.email, person.full_name, person.locale)
    return list(found.values())


class AlreadyAnnounced(Exception):
    """This confirmed announcement was queued before (a re-posted form, a double click)."""

    def __init__(self, at: datetime) -> None:
        super().__init__("already announced")
        self.at = at


def announce(event: Event, *, actor: Any, coordinators: bool = True, units: bool = True,
             journalists: bool = True, note: str | None = None, once: str | None = None) -> int:
    """Queue the announcement for each recipient; returns how many.

    `once` is the key of the confirmation the organiser saw: the same key never sends twice
    (the event's row lock makes two simultaneous posts of one form queue it once)."""
    if once:
        lock_event(event.id)
        for entry in db.session.scalars(sa.select(AuditEntry).where(
                AuditEntry.action == "event.announce", AuditEntry.object_type == "Event",
                AuditEntry.object_id == event.id)):
            if (entry.diff or {}).get("once") == once:
                raise AlreadyAnnounced(entry.at)
    recipients = announcement_recipients(event, coordinators=coordinators, units=units,
                                         journalists=journalists)
    for recipient in recipients:
        emails.announce(event, recipient, note=note)
    audit.record(actor, "event.announce", event, event.title,
                 {"recipients": len(recipients), **({"once": once} if once else {})})
    db.session.flush()
    return len(recipients)
