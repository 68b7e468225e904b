"""Read-side queries for the registration screens; each is a fixed number of statements (no N+1)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from eventapp.directory.collation import sort_key
from eventapp.directory.models import Organisation, Person, Site
from eventapp.directory.search import DEFAULT_FIELDS, clean_query, search_people
from eventapp.events.models import Event, EventSite
from eventapp.extensions import db
from eventapp.params import MAX_PAGE, int_arg
from eventapp.registrations import capacity
from eventapp.registrations.models import Registration, RegistrationChannel, RegistrationStatus


@dataclass
class Filters:
    """The registrations list's filters from the query string: unknown words are ignored, a malformed
    number is a 400 (BadParameter)."""

    status: RegistrationStatus | None = None
    channel: RegistrationChannel | None = None
    site_id: int | None = None
    outlet_id: int | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: MultiDict) -> Filters:
        status, channel = args.get("status", ""), args.get("channel", "")
        return cls(
            status=RegistrationStatus(status) if status in RegistrationStatus._value2member_map_ else None,
            channel=RegistrationChannel(channel) if channel in RegistrationChannel._value2member_map_ else None,
            site_id=int_arg("site", source=args), outlet_id=int_arg("outlet", source=args),
            q=clean_query(args.get("q")), page=int_arg("page", 1, high=MAX_PAGE, source=args) or 1)

    def args(self, **changes: object) -> dict[str, object]:
        values: dict[str, object] = {"status": self.status.value if self.status else None,
                  "channel": self.channel.value if self.channel else None,
                  "site": self.site_id, "outlet": self.outlet_id, "q": self.q or None}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def filtered(event_id: int, filters: Filters) -> sa.Select:
    """Registrations of one event with people, organisations and sites loaded in bulk."""
    query = (
        sa.select(Registration).join(Person, Registration.person_id == Person.id)
        .where(Registration.event_id == event_id)
        .options(selectinload(Registration.person).selectinload(Person.organisation),
                 selectinload(Registration.site))
        .order_by(Registration.created_at, Registration.id)
    )
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.channel:
        query = query.where(Registration.channel == filters.channel)
    if filters.site_id:
        query = query.where(Registration.site_id == filters.site_id)
    if filters.outlet_id:
        query = query.where(Person.organisation_id == filters.outlet_id)
    if filters.q:
        query = search_people(query, filters.q, (*DEFAULT_FIELDS, "press_card_no"))
    return query


def status_counts(event_id: int) -> dict[RegistrationStatus, int]:
    rows = db.session.execute(sa.select(Registration.status, sa.func.count()).where(
        Registration.event_id == event_id).group_by(Registration.status)).all()
    counts = dict.fromkeys(RegistrationStatus, 0)
    counts.update({RegistrationStatus(s): n for s, n in rows})
    return counts


def status_counts_by_event(event_ids: list[int]) -> dict[int, dict[RegistrationStatus, int]]:
    result: dict[int, dict[RegistrationStatus, int]] = {i: dict.fromkeys(RegistrationStatus, 0) for i in event_ids}
    if event_ids:
        for event_id, status, count in db.session.execute(
                sa.select(Registration.event_id, Registration.status, sa.func.count())
                .where(Registration.event_id.in_(event_ids))
                .group_by(Registration.event_id, Registration.status)):
            result[event_id][RegistrationStatus(status)] = count
    return result


def event_sites(event_id: int) -> list[Site]:
    return list(db.session.scalars(sa.select(Site).join(EventSite).where(EventSite.event_id == event_id)
                                   .order_by(Site.name)))


def registered_outlets(event_id: int) -> list[Organisation]:
    """Organisations of the people registered for the event (the outlet filter's choices)."""
    return sorted(db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(
            sa.select(Person.organisation_id).join(Registration, Registration.person_id == Person.id)
            .where(Registration.event_id == event_id)))), key=lambda outlet: sort_key(outlet.name))


def venue_seats(event: Event) -> tuple[int, int | None]:
    """(approved at the venue, capacity or None)."""
    return capacity.venue_seats_taken(event.id), event.capacity
