"""A list feed's data version: a key that moves whenever its body may, from one cheap query.

The body is cached by this key (feeds.validators); the listing (feeds.listing) re-lists in full
when the key moved and it sees no row that says why.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import sqlalchemy as sa

from eventapp.directory.models import Site
from eventapp.events.ical_words import CALENDAR_LOCALE as FEED_LOCALE
from eventapp.events.models import Event, EventSeries, EventSite
from eventapp.extensions import db
from eventapp.feeds.cache import prepared
from eventapp.feeds.services import (
    CANCELLED_GRACE,
    FORMAT_VERSION,
    PAST_DAYS,
    FeedScope,
    base_url,
    calendar_tz,
    cancelled_at,
    cancelled_one_off,
    listed,
    members,
    shown,
    starts,
    time_params,
)
from eventapp.models import UTCDateTime
from eventapp.registrations.models import Enrolment, Registration


@dataclass(frozen=True)
class DataVersion:
    """What a feed's body depends on, known from one aggregate query (no body needed)."""

    key: str
    count: int


def _max(*values: datetime | None) -> datetime:
    present = [v if v.tzinfo else v.replace(tzinfo=UTC) for v in values if v is not None]
    return max(present, default=datetime(2000, 1, 1, tzinfo=UTC))


def data_version(scope: FeedScope, now: datetime) -> DataVersion:
    """A key that changes whenever a list feed's body may. Several keys may give the same bytes;
    the ETag is the bytes' hash. (One event's .ics is built outright: feeds.validators.)"""
    dialect = db.engine.dialect.name
    statement, waits, stamp_count = prepared.get(("version", scope.key, dialect),
                                                 lambda: _version_statement(scope, dialect))
    values = iter(db.session.execute(statement, _params(now)).one())
    count, *rest = islice(values, 4)
    started = list(islice(values, len(waits)))
    extra, text = list(islice(values, stamp_count)), list(values)
    left_at = [_max(at) + wait for at, wait in zip(started, waits, strict=True) if at is not None]
    key = "|".join(str(v) for v in (
        FORMAT_VERSION, FEED_LOCALE, base_url(), calendar_tz(), scope.key, count, *rest,
        *left_at, *extra, *text))
    return DataVersion(key=hashlib.sha256(key.encode()).hexdigest()[:32], count=count)


# Rows changed this recently are summed by their xmin (below); a transaction that stays open
# longer before it commits an edit older than a newer one is only seen at the next change.
RECENT_COMMITS = timedelta(hours=1)
RECENT = sa.bindparam("feed_recent", type_=UTCDateTime())


def _recent_xmins(model: Any, *where: sa.ColumnElement[bool]) -> sa.Select:
    xmin = sa.cast(sa.cast(sa.literal_column(f"{model.__tablename__}.xmin"), sa.Text), sa.BigInteger)
    return sa.select(xmin.label("xmin")).select_from(model).where(model.updated_at > RECENT, *where)


def _commits(*parts: sa.Select) -> sa.ColumnElement[Any]:
    """PostgreSQL: the sum of the xmin (the transaction that wrote each row version) of the rows
    changed in the last RECENT_COMMITS, from the updated_at indexes. It moves when any of them is
    written and committed, even by a transaction that set its updated_at before a newer one
    committed: a maximum of updated_at cannot see that commit."""
    rows = sa.union_all(*parts).subquery("recent") if len(parts) > 1 else parts[0].subquery("recent")
    return sa.select(sa.func.sum(rows.c.xmin)).scalar_subquery()


def _params(now: datetime) -> dict[str, datetime]:
    return {**time_params(now), "feed_recent": now - RECENT_COMMITS}


def _version_statement(scope: FeedScope, dialect: str) -> tuple[sa.Select, list[timedelta], int]:
    """data_version's one query, with the time parameters; and how to read its columns.

    Every change to an event, a series or a programme moves some row's updated_at (the ORM
    sets it; a programme change bumps its event), so the newest updated_at of the two tables,
    read from their indexes, covers every shown row, every session of a shown series (a
    cancelled one is an EXDATE) and rows that left the feed by an edit. A row deleted is caught
    by the count; rows that left by time alone, by _left_by_time; on PostgreSQL, a change that
    commits after a newer one, by the tables' commits (_commits). A key that moves more often
    than the body only costs a rebuild that finds the same bytes."""
    postgres = dialect == "postgresql"
    columns: list[sa.ColumnElement[Any]] = [
        sa.select(sa.func.count()).where(shown(scope, None)).scalar_subquery(),
        sa.select(sa.func.max(Event.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(EventSeries.updated_at)).scalar_subquery(),
        _commits(_recent_xmins(Event), _recent_xmins(EventSeries)) if postgres else sa.null(),
    ]
    stamps: list[sa.ColumnElement[Any]] = []  # changes of what the scope's filter reads
    texts = []  # body text that no timestamp of the feed's rows covers
    if scope.person_id is not None:
        stamps += [
            sa.select(sa.func.max(Registration.updated_at)).where(
                Registration.person_id == scope.person_id).scalar_subquery(),
            sa.select(sa.func.max(Enrolment.updated_at)).where(
                Enrolment.person_id == scope.person_id).scalar_subquery(),
        ]
        if postgres:
            stamps.append(_commits(_recent_xmins(Registration, Registration.person_id == scope.person_id)))
    if scope.site_id is not None:
        stamps += [
            sa.select(sa.func.max(EventSite.updated_at)).where(
                EventSite.site_id == scope.site_id).scalar_subquery(),
            sa.select(Site.updated_at).where(Site.id == scope.site_id).scalar_subquery(),
        ]
        if postgres:
            stamps.append(_commits(_recent_xmins(EventSite, EventSite.site_id == scope.site_id)))
        texts.append(sa.select(Site.name).where(Site.id == scope.site_id).scalar_subquery())  # NAME
    left = _left_by_time(scope, None)
    statement = sa.select(*columns, *(query for query, _wait in left), *stamps, *texts)
    return statement, [wait for _query, wait in left], len(stamps)


def _left_by_time(scope: FeedScope, now: datetime | None) -> list[tuple[sa.ScalarSelect, timedelta]]:
    """When rows of the scope last left the feed by time alone, as (newest start, wait) pairs."""
    # No row's updated_at records those moments (start + wait ≤ now), yet the body changed then:
    # Last-Modified must move past them, or a client polling with If-Modified-Since alone keeps
    # its stale copy. Rows that had left for another reason can only make them later: a spare 200.
    if scope.event_id is not None:
        return []  # the one-event feed has no window and no grace period
    (window, grace), scope_rows = starts(now), members(scope)
    return [
        (sa.select(sa.func.max(Event.ends_at)).where(scope_rows, listed(), Event.ends_at <= window)
         .scalar_subquery(), timedelta(days=PAST_DAYS)),
        (sa.select(sa.func.max(cancelled_at())).where(
            scope_rows, cancelled_one_off(), cancelled_at() <= grace).scalar_subquery(),
         CANCELLED_GRACE),
    ]
