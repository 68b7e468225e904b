"""Incremental feed bodies: each event's (or series') blocks cached by its rows' version.

A feed is the sorted concatenation of blocks (calendar.ical.Block): one per one-off event, one per
series (master and overrides) plus a block per row its rule does not produce. A block depends only
on its own rows, so after one change only that event's or series' block is rebuilt. Blocks are
kept per process, keyed by unit ("e<id>" or "s<id>") with a version made of the rows' updated_at
and SEQUENCE (feeds.listing). For the other workers, a worker that lists a feed in full stores a
snapshot of it (FeedFragment: the listing and every block with its version, one row per feed): a
new worker starts from it and rebuilds only the units whose version moved since, and stores a
newer one when much has. The same pure functions build a feed from scratch (ical.build_feed), so
every path gives the same bytes.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from eventapp.calendar import ical
from eventapp.extensions import db
from eventapp.feeds import listing, services
from eventapp.feeds.listing import Unit
from eventapp.feeds.models import FeedFragment
from eventapp.models import conflict_insert

log = logging.getLogger(__name__)

LOCAL_FEEDS = 256  # feeds whose blocks a process keeps (the public ones and the busiest personal ones)
SNAPSHOT = "*"  # FeedFragment.unit of a whole feed's snapshot
SNAPSHOT_SPARE = 10  # changes a snapshot may lack before a worker that used it stores a newer one
SNAPSHOT_SQL = "SELECT blocks FROM feed_fragments WHERE feed_key = %s AND unit = %s AND version = %s"

Units = dict[str, tuple[str, list[ical.Block]]]  # unit key -> (version, blocks)


class LocalBlocks:
    """Per-process blocks by feed, then unit; least recently used feed out."""

    def __init__(self, max_feeds: int = LOCAL_FEEDS) -> None:
        self.max_feeds = max_feeds
        self._feeds: OrderedDict[str, Units] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, feed_key: str) -> Units:
        """The feed's blocks (never changed in place: replace() swaps in a new dict)."""
        with self._lock:
            found = self._feeds.get(feed_key)
            if found is None:
                return {}
            self._feeds.move_to_end(feed_key)
            return found

    def replace(self, feed_key: str, units: Units) -> None:
        with self._lock:
            self._feeds[feed_key] = units
            self._feeds.move_to_end(feed_key)
            while len(self._feeds) > self.max_feeds:
                self._feeds.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._feeds.clear()


local_blocks = LocalBlocks()


@dataclass
class Snapshot:
    """A feed as a worker stored it for the others: its listing and its blocks by unit."""

    listing: listing.Listing
    blocks: Units


def _encode_snapshot(feed_listing: listing.Listing, units: Units) -> bytes:
    data = b"".join(b.data for _version, blocks in units.values() for b in blocks)
    header = {"listing": feed_listing.dump(), "size": len(data), "crc": zlib.crc32(data), "units": [
        [unit, version, [[b.start.astimezone(UTC).isoformat(), b.uid, b.tzid, len(b.data)] for b in blocks]]
        for unit, (version, blocks) in units.items()]}
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + data


def _decode_snapshot(data: bytes) -> Snapshot:
    # Tens of thousands of small acyclic objects at once: with the collector on, they set off
    # full collections that walk the whole heap (100 ms and more) and can free nothing.
    paused = gc.isenabled()
    gc.disable()
    try:
        header_bytes, _, rest = data.partition(b"\n")
        header = json.loads(header_bytes)
        # Cut short or altered, it would serve a VEVENT without its END (1 ms for 2 MB).
        if len(rest) != header["size"] or zlib.crc32(rest) != header["crc"]:
            raise ValueError("snapshot damaged: size or checksum differs")
        units: Units = {}
        offset = 0
        for unit, version, heads in header["units"]:
            blocks = []
            for start, uid, tzid, size in heads:
                blocks.append(ical.Block(datetime.fromisoformat(start), uid, tzid, rest[offset:offset + size]))
                offset += size
            units[unit] = (version, blocks)
        return Snapshot(listing.Listing.load(header["listing"]), units)
    finally:
        if paused:
            gc.enable()


def _store_snapshot(feed_key: str, feed_listing: listing.Listing, units: Units) -> None:
    """Replace the feed's snapshot (and drop rows of single units an older version kept)."""
    connection = db.session.connection()
    connection.execute(sa.delete(FeedFragment).where(FeedFragment.feed_key == feed_key,
                                                     FeedFragment.unit != SNAPSHOT))
    statement = conflict_insert(FeedFragment, db.session.get_bind().dialect.name)
    connection.execute(statement.values(
        feed_key=feed_key, unit=SNAPSHOT, version=feed_listing.salt, blocks=_encode_snapshot(feed_listing, units),
    ).on_conflict_do_update(index_elements=[FeedFragment.feed_key, FeedFragment.unit],
                            set_={"version": statement.excluded.version, "blocks": statement.excluded.blocks}))
    services.mark_written()


def _load_snapshot(feed_key: str, salt: str) -> Snapshot | None:
    connection = db.session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql" and driver is not None:
        # In binary: psycopg otherwise reads bytea as hex text, 3-4x slower for a snapshot of megabytes.
        with driver.cursor(binary=True) as cursor:
            row = cursor.execute(SNAPSHOT_SQL, (feed_key, SNAPSHOT, salt)).fetchone()
        data = row[0] if row else None
    else:
        data = connection.execute(sa.select(FeedFragment.blocks).where(
            FeedFragment.feed_key == feed_key, FeedFragment.unit == SNAPSHOT,
            FeedFragment.version == salt)).scalar()
    if data is None:
        return None
    try:
        return _decode_snapshot(bytes(data))
    except (ValueError, KeyError, TypeError, IndexError):
        # Unreadable (written by another version, or damaged): list in full and store a new one.
        log.warning("feed snapshot %s unreadable: rebuilt", feed_key, exc_info=True)
        return None


def _matches(unit: Unit, rows: list[ical.FeedEvent], salt: str) -> bool:
    """Whether the loaded rows are the ones listed (a commit in between makes them newer)."""
    if tuple(sorted(row.event_id or 0 for row in rows)) != tuple(sorted(unit.event_ids)):
        return False
    if unit.series_id is None:
        row = rows[0]
        return unit.version == listing.one_off_version(salt, row.updated_at, row.sequence)
    return True  # member ids checked; a series' own change between the two queries is a rare spare rebuild


def _build(units: list[Unit], scope: services.FeedScope, now: datetime, labels: ical.FeedLabels,
           salt: str) -> tuple[dict[str, tuple[str, list[ical.Block]]], set[str]]:
    """Load the rows of these units only and build their blocks with the pure builder.

    Returns the blocks by unit and the units whose rows changed meanwhile (served, never cached).
    """
    ids = [event_id for unit in units for event_id in unit.event_ids]
    events, series = services.load_feed_data(scope, now, event_ids=ids)
    by_id = {s.id: s for s in series}
    groups, singles = ical.group_rows(events, by_id)
    single = {row.event_id: row for row in singles}
    built: dict[str, tuple[str, list[ical.Block]]] = {}
    unsettled: set[str] = set()
    for unit in units:
        if unit.series_id is not None:
            rows = groups.get(unit.series_id, [])
            blocks = (ical.series_blocks(by_id[unit.series_id], rows, labels, scope.join_link_visible)
                      if unit.series_id in by_id else [])
        else:
            rows = [single[unit.event_ids[0]]] if unit.event_ids[0] in single else []
            blocks = [ical.event_block(row, labels, scope.join_link_visible) for row in rows]
        built[unit.key] = (unit.version, blocks)
        if not _matches(unit, rows, salt):
            unsettled.add(unit.key)
    return built, unsettled


def build_body(scope: services.FeedScope, now: datetime, calendar: ical.FeedCalendar, salt: str,
               count: int | None = None, key: str = "") -> bytes:
    """The feed's bytes from cached blocks, rebuilding only units whose version changed.

    `count` and `key`: the shown rows the data version counted and its key, which let the listing
    update itself from the rows changed since its last look (feeds.listing). A process without its own
    listing of the feed starts from the stored snapshot."""
    snapshot: Snapshot | None = None
    looked = False

    def from_store() -> listing.Listing | None:
        nonlocal snapshot, looked
        snapshot, looked = _load_snapshot(scope.key, salt), True
        return snapshot.listing if snapshot else None

    feed_listing, listed = listing.listings.units(scope, now, salt, count, from_store, key)
    have = local_blocks.get(scope.key)
    current: Units = {}
    missing: list[Unit] = []
    for unit_key, unit in feed_listing.units.items():
        held = have.get(unit_key)
        if held is not None and held[0] == unit.version:
            current[unit_key] = held
        else:
            missing.append(unit)
    if len(missing) > SNAPSHOT_SPARE and not looked:
        from_store()  # a process that lost its blocks (or never had them): one row holds them all
    stale = listed
    if snapshot is not None:
        from_snapshot = snapshot.blocks
        still = []
        for unit in missing:
            held = from_snapshot.get(unit.key)
            if held is not None and held[0] == unit.version:
                current[unit.key] = held
            else:
                still.append(unit)
        missing = still
        # Much changed since it was stored: store a newer one, or every new worker pays again.
        stale = stale or max(len(missing), feed_listing.last_new) > SNAPSHOT_SPARE
    unsettled: set[str] = set()
    if missing:
        built, unsettled = _build(missing, scope, now, calendar.labels, salt)
        current.update(built)
    settled = {unit_key: value for unit_key, value in current.items() if unit_key not in unsettled} \
        if unsettled else current
    if stale:
        _store_snapshot(scope.key, feed_listing, settled)
    local_blocks.replace(scope.key, settled)
    return ical.assemble(calendar, [block for _version, blocks in current.values() for block in blocks])
