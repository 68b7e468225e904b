"""Which units (events and series) a feed holds and at which versions, kept up to date cheaply.

A full listing reads one light row per shown event. After that, a process only reads the rows
changed since its last look (updated_at past its high-water mark, less a margin for transactions
that committed late or clocks that differ a little) and applies them; if the result does not
hold exactly as many rows as the feed's data version counts (a row deleted, or gone by time),
it lists everything again. So one change costs a few rows, not the whole feed. A listing is
also redone from scratch every FULL_EVERY, which bounds what a change it could not see (a
transaction that committed later than the margin, a restored backup) could leave stale.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from eventapp.events.models import Event, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.feeds import services
from eventapp.models import UTCDateTime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
MARGIN = timedelta(seconds=60)
FULL_EVERY = 300.0  # seconds
CANCELLED = EventStatus.CANCELLED.value
MAX_FEEDS = 256


class Unit(NamedTuple):
    """One event or series of a feed: its key, its version and the shown rows it covers (a tuple
    of plain values: the garbage collector stops tracking it, see calendar.ical.Block)."""

    key: str
    version: str
    event_ids: tuple[int, ...]
    series_id: int | None = None


def stamp(value: datetime) -> int:
    """Microseconds since 1970: exact, and cheaper than formatting a date for every row."""
    return ((value if value.tzinfo else value.replace(tzinfo=UTC)) - EPOCH) // MICROSECOND


def _aware(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def one_off_version(salt: str, updated_at: datetime, sequence: int) -> str:
    return f"{salt}:{stamp(updated_at)}:{sequence}"


@dataclass
class Listing:
    """One feed's shown rows and units as last seen by this process."""

    salt: str
    high: datetime  # newest updated_at seen (events and series), aware UTC
    listed_at: float = field(default_factory=time.monotonic)
    listed_wall: float = field(default_factory=time.time)  # the same moment, for other processes
    last_new: int = 0  # rows the last update found changed past the high-water mark (not re-reads)
    key: str = ""  # the data version (feeds.versions) the listing was last brought up to
    rows: dict[int, tuple[int | None, int, int]] = field(default_factory=dict)  # id -> (series, stamp, seq)
    members: dict[int, set[int]] = field(default_factory=dict)  # series id -> grouped shown row ids
    series: dict[int, str] = field(default_factory=dict)  # series id -> version of its own row and totals
    units: dict[str, Unit] = field(default_factory=dict)

    def _unit(self, key: str) -> Unit | None:
        if key[0] == "e":
            event_id = int(key[1:])
            row = self.rows.get(event_id)
            if row is None or (row[0] is not None and event_id in self.members.get(row[0], ())):
                return None
            return Unit(key, f"{self.salt}:{row[1]}:{row[2]}", (event_id,))
        series_id = int(key[1:])
        ids = sorted(self.members.get(series_id, ()))
        if not ids or series_id not in self.series:
            return None
        text = "|".join([self.series[series_id], *(f"{i}:{self.rows[i][1]}:{self.rows[i][2]}" for i in ids)])
        return Unit(key, hashlib.sha256(text.encode()).hexdigest(), tuple(ids), series_id)

    def apply(self, row: sa.Row, shown: bool) -> set[str] | None:
        """Take one row's current state; returns the unit keys it touched, None if it is shown
        exactly as listed (a row read again within the margin)."""
        at = stamp(row.updated_at)
        if shown and self.rows.get(row.id) == (row.series_id, at, row.sequence):
            grouped = row.series_id is not None and row.status != CANCELLED
            if grouped == (row.id in self.members.get(row.series_id, ())):
                return None
        touched = set()
        old = self.rows.pop(row.id, None)
        if old is not None:
            touched.add(f"e{row.id}")
            if old[0] is not None:
                self.members.get(old[0], set()).discard(row.id)
                touched.add(f"s{old[0]}")
        if shown:
            self.rows[row.id] = (row.series_id, at, row.sequence)
            if row.series_id is not None and row.status != CANCELLED:  # as ical.group_rows
                self.members.setdefault(row.series_id, set()).add(row.id)
                touched.add(f"s{row.series_id}")
            else:
                touched.add(f"e{row.id}")
        self.high = max(self.high, _aware(row.updated_at))
        return touched

    def load_series(self, series_ids: set[int]) -> None:
        """Versions of these series: their own row, and SEQUENCE and last change over all their rows."""
        wanted = sorted(i for i in series_ids if self.members.get(i))
        for i in series_ids:
            self.series.pop(i, None)
        if not wanted:
            return
        for series_id, updated_at, sequence, rows_sequence, rows_changed in db.session.connection().execute(
                SERIES_TOTALS, {"ids": wanted}):
            self.series[series_id] = f"{self.salt}:{stamp(updated_at)}:{sequence}:{rows_sequence}:{stamp(rows_changed)}"
            self.high = max(self.high, _aware(updated_at))

    def dump(self) -> dict:
        """The listing as JSON-able data, for other workers (feeds.fragments' snapshot)."""
        return {"salt": self.salt, "key": self.key, "high": stamp(self.high), "wall": self.listed_wall,
                "rows": [[i, *row] for i, row in self.rows.items()],
                "members": [[i, sorted(ids)] for i, ids in self.members.items()],
                "series": [[i, version] for i, version in self.series.items()],
                "units": [[u.key, u.version, u.event_ids, u.series_id] for u in self.units.values()]}

    @classmethod
    def load(cls, data: dict) -> Listing:
        """A listing another worker dumped; its age carries over, so FULL_EVERY still bounds it."""
        age = max(0.0, time.time() - data["wall"])
        return cls(salt=data["salt"], key=data["key"], high=EPOCH + data["high"] * MICROSECOND,
                   listed_at=time.monotonic() - age, listed_wall=data["wall"],
                   rows={i: (series_id, at, sequence) for i, series_id, at, sequence in data["rows"]},
                   members={i: set(ids) for i, ids in data["members"]},
                   series={i: version for i, version in data["series"]},
                   units={key: Unit(key, version, tuple(ids), series_id)
                          for key, version, ids, series_id in data["units"]})

    def refresh(self, keys: set[str]) -> None:
        for key in keys:
            unit = self._unit(key)
            if unit is None:
                self.units.pop(key, None)
            else:
                self.units[key] = unit


SINCE = sa.bindparam("since", type_=UTCDateTime())
SERIES_TOTALS = (
    sa.select(EventSeries.id, EventSeries.updated_at, EventSeries.sequence,
              sa.func.max(Event.sequence), sa.func.max(Event.updated_at))
    .join(Event, Event.series_id == EventSeries.id)
    .where(EventSeries.id.in_(sa.bindparam("ids", expanding=True)))
    .group_by(EventSeries.id, EventSeries.updated_at, EventSeries.sequence))


def _columns(*extra: sa.ColumnElement) -> sa.Select:
    # Plain column types: the app's UTCDateTime and enum conversions would cost more than the rest.
    return sa.select(Event.id, Event.series_id, sa.type_coerce(Event.status, sa.String()).label("status"),
                     sa.type_coerce(Event.updated_at, sa.DateTime()).label("updated_at"), Event.sequence, *extra)


def full(scope: services.FeedScope, now: datetime, salt: str) -> Listing:
    listing = Listing(salt=salt, high=EPOCH)
    keys: set[str] = set()
    statement = services.prepared.get(("listing", scope.key), lambda: _columns().where(services.shown(scope, None)))
    for row in db.session.connection().execute(statement, services.time_params(now)):
        keys |= listing.apply(row, True) or set()
    listing.load_series({int(key[1:]) for key in keys if key[0] == "s"})
    listing.refresh(keys)
    return listing


def _changed(scope: services.FeedScope) -> sa.CompoundSelect:
    """The event rows changed since a moment (each with whether the feed shows it), and the
    series changed since then (id None): one round trip."""
    events = _columns(services.shown(scope, None).label("shown")).where(Event.updated_at > SINCE)
    series = sa.select(sa.null(), EventSeries.id, sa.null(), sa.type_coerce(EventSeries.updated_at, sa.DateTime()),
                       sa.null(), sa.false()).where(EventSeries.updated_at > SINCE)
    return sa.union_all(events, series)


def update(listing: Listing, scope: services.FeedScope, now: datetime, count: int) -> bool:
    """Apply the rows changed since the listing's last look; False if a full listing is needed."""
    since = listing.high - MARGIN
    keys: set[str] = set()
    series_ids: set[int] = set()
    connection = db.session.connection()
    statement = services.prepared.get(("changed", scope.key), lambda: _changed(scope))
    high = stamp(listing.high)
    listing.last_new = 0
    for row in connection.execute(statement, {**services.time_params(now), "since": since}):
        if row.id is None:  # a series' own row
            series_ids.add(row.series_id)
            listing.last_new += stamp(row.updated_at) > high
            continue
        touched = listing.apply(row, bool(row.shown))
        if touched is None:
            continue
        keys |= touched
        listing.last_new += stamp(row.updated_at) > high
        if row.series_id is not None:
            series_ids.add(row.series_id)  # its SEQUENCE and last change cover every row
    if len(listing.rows) != count:
        return False
    series_ids &= set(listing.members)
    listing.load_series(series_ids)
    listing.refresh(keys | {f"s{i}" for i in series_ids})
    return True


class Listings:
    """Per-process listings by feed key, least recently used out first."""

    def __init__(self, max_feeds: int = MAX_FEEDS) -> None:
        self.max_feeds = max_feeds
        self._items: OrderedDict[str, Listing] = OrderedDict()
        self._lock = threading.Lock()

    def units(self, scope: services.FeedScope, now: datetime, salt: str, count: int | None,
              shared: Callable[[], Listing | None] = lambda: None, key: str = "") -> tuple[Listing, bool]:
        """The feed's listing brought up to date, and whether it was listed in full just now.

        `shared`: a listing another worker stored, tried when this process has none of its own.
        `key`: the data version. When it moved yet no row changed past the listing's mark, what
        changed is no event row: a registration or a site's choice (a person's or a site's
        feed), or a change that committed after a newer one. Only a full listing sees that."""
        with self._lock:
            listing = self._items.pop(scope.key, None)  # taken: two threads never update one listing
        if listing is None:
            listing = shared()
        listed = False
        if (listing is None or listing.salt != salt or count is None
                or time.monotonic() - listing.listed_at > FULL_EVERY or not update(listing, scope, now, count)
                or (key and listing.key not in ("", key) and listing.last_new == 0)):
            listing, listed = full(scope, now, salt), True
        listing.key = key
        with self._lock:
            self._items[scope.key] = listing
            while len(self._items) > self.max_feeds:
                self._items.popitem(last=False)
        return listing, listed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


listings = Listings()
