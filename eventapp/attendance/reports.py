"""Attendance reports: rows fetched in a fixed number of queries, then pure aggregation.

Definitions used everywhere (and by the tests' direct counts):
- registered: approved registrations (they hold a seat);
- attended: registrations with a check-in (door scan, search, walk-in or roll-call tick);
- no-show: registered and not attended;
- a site's present: its headcount when one was given, else its attended names;
- late: checked in at the door more than LATE_AFTER after the start (roll-call ticks never are);
- upcoming (series and period reports): a session that has not ended yet. Its no-shows are not
  final (people still arrive until the end), so it is shown apart and left out of rates and totals;
  once it ends it is "completed" (`Event.is_completed`) and counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext

from eventapp.calendar import recurrence
from eventapp.directory.models import Organisation, OrganisationKind, Person, Site
from eventapp.events.models import Event, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationStatus

LATE_AFTER = timedelta(minutes=15)
MAX_SESSIONS = 120  # a year of weekly briefings with room to spare; more is truncated, and said so
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a period outside these years is a typo (and would overflow)


@dataclass(frozen=True)
class Row:
    """One registration as the reports see it."""

    registration_id: int
    event_id: int
    person_id: int
    name: str
    organisation: str | None
    organisation_kind: str | None
    site_id: int | None
    site: str | None
    channel: str
    status: str
    checked_in_at: datetime | None
    method: str | None

    @property
    def registered(self) -> bool:
        return self.status == RegistrationStatus.APPROVED.value

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None

    @property
    def is_outlet(self) -> bool:
        return self.organisation_kind == OrganisationKind.PRESS_OUTLET.value


@dataclass(frozen=True)
class SiteRow:
    """A site's participation in one event."""

    event_id: int
    site_id: int
    code: str
    name: str
    status: str
    headcount: int | None


def fetch_rows(event_ids: list[int]) -> list[Row]:
    """Every registration of the events, with person, organisation and site: one query."""
    if not event_ids:
        return []
    result = db.session.execute(
        sa.select(Registration.id, Registration.event_id, Registration.person_id, Person.full_name,
                  Organisation.name, Organisation.kind,  # names, not codes like "VNN", for readers
                  Registration.site_id, Site.name, Registration.channel, Registration.status,
                  Registration.checked_in_at, Registration.checkin_method)
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(Site, Site.id == Registration.site_id)
        .where(Registration.event_id.in_(event_ids))
        .order_by(Person.full_name, Registration.id))
    return [Row(r[0], r[1], r[2], r[3], r[4], r[5].value if r[5] else None, r[6], r[7], r[8].value,
                r[9].value, r[10], r[11].value if r[11] else None) for r in result]


def fetch_sites(event_ids: list[int]) -> list[SiteRow]:
    """Participating sites of the events: one query."""
    if not event_ids:
        return []
    result = db.session.execute(
        sa.select(EventSite.event_id, EventSite.site_id, Site.code, Site.name, EventSite.status,
                  EventSite.headcount)
        .join(Site, Site.id == EventSite.site_id)
        .where(EventSite.event_id.in_(event_ids))
        .order_by(Site.is_ministry_location.desc(), Site.code))
    return [SiteRow(r[0], r[1], r[2], r[3], r[4].value, r[5]) for r in result]


@dataclass
class Tally:
    """Registered / attended / no-shows of one group."""

    registered: int = 0
    attended: int = 0
    no_shows: int = 0

    def add(self, row: Row) -> None:
        self.registered += row.registered
        self.attended += row.attended
        self.no_shows += row.registered and not row.attended

    @property
    def rate(self) -> float | None:
        return self.attended / self.registered if self.registered else None


def _group(rows: list[Row], key) -> dict[str, Tally]:
    groups: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        if row.registered or row.attended:
            groups[key(row)].add(row)
    return dict(sorted(groups.items(), key=lambda item: (-item[1].registered, item[0])))


@dataclass
class EventReport:
    """Everything the per-event report page and its exports show."""

    totals: Tally
    statuses: dict[str, int]
    present_total: int
    by_channel: dict[str, Tally]
    by_site: list[tuple[SiteRow, Tally, int]]
    by_organisation: dict[str, Tally]
    by_outlet: dict[str, Tally]
    late: list[tuple[Row, timedelta]]
    rows: list[Row] = field(repr=False, default_factory=list)


def is_late(row: Row, starts_at: datetime) -> bool:
    return (row.checked_in_at is not None and row.method != CheckinMethod.ROLL_CALL.value
            and row.checked_in_at > starts_at + LATE_AFTER)


def event_report(event: Event, rows: list[Row], sites: list[SiteRow], none_label: str = "—") -> EventReport:
    """Aggregate one event's rows (pure)."""
    totals = Tally()
    statuses: dict[str, int] = defaultdict(int)
    for row in rows:
        statuses[row.status] += 1
        totals.add(row)
    by_site_names = _group([r for r in rows if r.site_id is not None], lambda r: str(r.site_id))
    site_rows = []
    for site in sites:
        tally = by_site_names.get(str(site.site_id), Tally())
        present = site.headcount if site.headcount is not None else tally.attended
        site_rows.append((site, tally, present))
    venue_attended = sum(1 for r in rows if r.attended and r.site_id is None)
    late = sorted(((r, r.checked_in_at - event.starts_at) for r in rows
                   if r.checked_in_at is not None and is_late(r, event.starts_at)),
                  key=lambda item: item[1], reverse=True)
    return EventReport(
        totals=totals, statuses=dict(statuses),
        present_total=venue_attended + sum(present for _, _, present in site_rows),
        by_channel=_group(rows, lambda r: r.channel),
        by_site=site_rows,
        by_organisation=_group([r for r in rows if not r.is_outlet],
                               lambda r: r.organisation or none_label),
        by_outlet=_group([r for r in rows if r.is_outlet], lambda r: r.organisation or none_label),
        late=late, rows=rows)


class PeriodError(ValueError):
    """A report period the user must correct; the message is translated and shown in the form."""


def period(start: str | None, end: str | None, tz: str) -> tuple[datetime | None, datetime | None]:
    """UTC bounds [start, end + 1 day) of a period given as local ISO dates; raises PeriodError."""
    days = []
    for raw in (start, end):
        try:
            day = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise PeriodError(gettext("Enter dates as YYYY-MM-DD.")) from None
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise PeriodError(gettext("Choose dates between %(first)s and %(last)s.",
                                first=FIRST_YEAR, last=LAST_YEAR))
        days.append(day)
    if days[0] and days[1] and days[1] < days[0]:
        raise PeriodError(gettext("The end date is before the start date."))
    zone = recurrence.zone(tz)
    start_at = datetime.combine(days[0], time.min, zone).astimezone(UTC) if days[0] else None
    end_at = (datetime.combine(days[1] + timedelta(days=1), time.min, zone).astimezone(UTC)
              if days[1] else None)
    return start_at, end_at


def fetch_sessions(*, series_id: int | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> tuple[list[Event], bool]:
    """Published sessions of a series or a period (drafts and cancelled ones left out): one query.

    Returns the first MAX_SESSIONS in time order and whether more were left out.
    """
    query = sa.select(Event).where(Event.status == EventStatus.PUBLISHED)
    if series_id is not None:
        query = query.where(Event.series_id == series_id)
    if start is not None:
        query = query.where(Event.starts_at >= start)
    if end is not None:
        query = query.where(Event.starts_at < end)
    sessions = list(db.session.scalars(query.order_by(Event.starts_at, Event.id).limit(MAX_SESSIONS + 1)))
    return sessions[:MAX_SESSIONS], len(sessions) > MAX_SESSIONS


def upcoming_ids(sessions: list[Event], now: datetime | None = None) -> set[int]:
    """The sessions that have not ended yet (see "upcoming" above)."""
    now = now or utcnow()
    return {s.id for s in sessions if not s.is_completed(now)}


@dataclass(frozen=True)
class Cell:
    """One site at one session; an upcoming session's cell has no rate and counts in no total."""

    registered: int
    present: int
    upcoming: bool = False

    @property
    def rate(self) -> float | None:
        return self.present / self.registered if self.registered and not self.upcoming else None


def total(cells: list[Cell | None]) -> Cell:
    """A site's completed sessions added up (upcoming ones and non-participation left out)."""
    held = [c for c in cells if c is not None and not c.upcoming]
    return Cell(sum(c.registered for c in held), sum(c.present for c in held))


def site_matrix(sessions: list[Event], rows: list[Row], sites: list[SiteRow], now: datetime | None = None
                ) -> list[tuple[SiteRow, list[Cell | None]]]:
    """Site × session attendance (pure); None where the site did not take part in the session."""
    upcoming = upcoming_ids(sessions, now)
    tallies: dict[tuple[int, int], Tally] = defaultdict(Tally)
    for row in rows:
        if row.site_id is not None:
            tallies[(row.site_id, row.event_id)].add(row)
    taking_part: dict[int, dict[int, SiteRow]] = defaultdict(dict)
    order: dict[int, SiteRow] = {}
    for site in sites:
        taking_part[site.site_id][site.event_id] = site
        order.setdefault(site.site_id, site)
    matrix = []
    for site_id, first in order.items():
        cells: list[Cell | None] = []
        for session in sessions:
            participation = taking_part[site_id].get(session.id)
            if participation is None:
                cells.append(None)
                continue
            tally = tallies.get((site_id, session.id), Tally())
            present = participation.headcount if participation.headcount is not None else tally.attended
            cells.append(Cell(tally.registered, present, session.id in upcoming))
        matrix.append((first, cells))
    return matrix


@dataclass
class Participant:
    """A journalist (or any public registrant) over the sessions."""

    person_id: int
    name: str
    outlet: str | None
    # per session: "attended", "no_show", "upcoming" (approved, session not over),
    # "other" (not approved) or "" (not registered)
    marks: list[str]

    @property
    def attended(self) -> int:
        return self.marks.count("attended")

    @property
    def registered(self) -> int:
        return self.marks.count("attended") + self.marks.count("no_show")


def participation(sessions: list[Event], rows: list[Row], now: datetime | None = None) -> list[Participant]:
    """Each journalist's marks per session (pure): people of press outlets or public registrations."""
    index = {session.id: i for i, session in enumerate(sessions)}
    upcoming = upcoming_ids(sessions, now)
    journalists = {row.person_id for row in rows if row.is_outlet or row.channel == "public"}
    people: dict[int, Participant] = {}
    for row in rows:
        if row.event_id not in index or row.person_id not in journalists:
            continue
        person = people.get(row.person_id)
        if person is None:
            person = people[row.person_id] = Participant(row.person_id, row.name, row.organisation,
                                                         [""] * len(sessions))
        if row.event_id in upcoming:
            mark = "upcoming" if row.registered or row.attended else "other"
        else:
            mark = "attended" if row.attended else "no_show" if row.registered else "other"
        person.marks[index[row.event_id]] = mark
    return sorted(people.values(), key=lambda p: (-p.attended, p.name))
