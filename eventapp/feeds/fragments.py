"""Incremental feed bodies: each event's (or series') blocks cached by its rows' version.

A feed is the sorted concatenation of blocks (calendar.ical.Block): one per one-off event, one per
series (master and overrides) plus a block per row its rule does not produce. A block depends only
on its own rows, so after one change only that event's or series' block is rebuilt. Blocks are
kept per process and in the database (FeedFragment, shared by every worker), keyed by feed and
unit ("e<id>" or "s<id>") with a version made of the rows' updated_at and SEQUENCE (feeds.listing).
The same pure functions build a feed from scratch (ical.build_feed), so both give the same bytes.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from eventapp.calendar import ical
from eventapp.extensions import db
from eventapp.feeds import listing, services
from eventapp.feeds.listing import Unit
from eventapp.feeds.models import FeedFragment

LOCAL_FEEDS = 256  # feeds whose blocks a process keeps (the public ones and the busiest personal ones)


def _encode(blocks: Iterable[ical.Block]) -> bytes:
    blocks = list(blocks)
    header = json.dumps([[b.start.astimezone(UTC).isoformat(), b.uid, b.tzid, len(b.data)] for b in blocks])
    return header.encode() + b"\n" + b"".join(b.data for b in blocks)


def _decode(data: bytes) -> list[ical.Block]:
    header, _, rest = data.partition(b"\n")
    blocks, offset = [], 0
    for start, uid, tzid, size in json.loads(header):
        blocks.append(ical.Block(datetime.fromisoformat(start), uid, tzid, rest[offset:offset + size]))
        offset += size
    return blocks


class LocalBlocks:
    """Per-process blocks by feed, then unit: {unit: (version, blocks)}; least recently used feed out."""

    def __init__(self, max_feeds: int = LOCAL_FEEDS) -> None:
        self.max_feeds = max_feeds
        self._feeds: OrderedDict[str, dict[str, tuple[str, list[ical.Block]]]] = OrderedDict()
        self._lock = threading.Lock()

    def snapshot(self, feed_key: str) -> dict[str, tuple[str, list[ical.Block]]]:
        with self._lock:
            found = self._feeds.get(feed_key)
            if found is None:
                return {}
            self._feeds.move_to_end(feed_key)
            return dict(found)

    def replace(self, feed_key: str, units: dict[str, tuple[str, list[ical.Block]]]) -> None:
        with self._lock:
            self._feeds[feed_key] = units
            self._feeds.move_to_end(feed_key)
            while len(self._feeds) > self.max_feeds:
                self._feeds.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._feeds.clear()


local_blocks = LocalBlocks()


def _insert():
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(FeedFragment)


def _store(feed_key: str, built: dict[str, tuple[str, list[ical.Block]]]) -> None:
    """Upsert the blocks built here, in unit order (two workers never lock rows in a cycle)."""
    if not built:
        return
    rows = [{"feed_key": feed_key, "unit": unit, "version": version, "blocks": _encode(blocks)}
            for unit, (version, blocks) in sorted(built.items())]
    statement = _insert()
    # One cached statement executed for many rows (batched by SQLAlchemy), not a statement per size.
    db.session.connection().execute(statement.on_conflict_do_update(
        index_elements=[FeedFragment.feed_key, FeedFragment.unit],
        set_={"version": statement.excluded.version, "blocks": statement.excluded.blocks}), rows)
    services.mark_written()


def _forget(feed_key: str, gone: Iterable[str]) -> None:
    gone = sorted(gone)
    for start in range(0, len(gone), 500):
        db.session.connection().execute(sa.delete(FeedFragment).where(
            FeedFragment.feed_key == feed_key, FeedFragment.unit.in_(gone[start:start + 500])))
        services.mark_written()


def _shared(feed_key: str, wanted: dict[str, str]) -> dict[str, tuple[str, list[ical.Block]]]:
    """Blocks other workers stored at the wanted versions."""
    found = {}
    units = sorted(wanted)
    for start in range(0, len(units), 500):
        for unit, version, blocks in db.session.connection().execute(
                sa.select(FeedFragment.unit, FeedFragment.version, FeedFragment.blocks)
                .where(FeedFragment.feed_key == feed_key, FeedFragment.unit.in_(units[start:start + 500]))):
            if version == wanted[unit]:
                found[unit] = (version, _decode(bytes(blocks)))
    return found


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
               count: int | None = None) -> bytes:
    """The feed's bytes from cached blocks, rebuilding only units whose version changed.

    `count`: the shown rows the data version counted, which lets the listing update itself
    from the rows changed since its last look (feeds.listing)."""
    units = listing.listings.units(scope, now, salt, count)
    wanted = {unit.key: unit.version for unit in units}
    have = local_blocks.snapshot(scope.key)
    current = {key: have[key] for key, version in wanted.items() if key in have and have[key][0] == version}
    unsettled: set[str] = set()
    missing = {key: version for key, version in wanted.items() if key not in current}
    if missing:
        current.update(_shared(scope.key, missing))
        to_build = [unit for unit in units if unit.key not in current]
        if to_build:
            built, unsettled = _build(to_build, scope, now, calendar.labels, salt)
            current.update(built)
            _store(scope.key, {key: value for key, value in built.items() if key not in unsettled})
    gone = set(have) - set(wanted)
    if gone:
        _forget(scope.key, gone)
    local_blocks.replace(scope.key, {key: value for key, value in current.items() if key not in unsettled})
    return ical.assemble(calendar, [block for _version, blocks in current.values() for block in blocks])
