"""The incremental feed (blocks cached by row version) is byte for byte the feed built from scratch."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventapp.events import agenda
from eventapp.events.models import AgendaItem, Event, EventMode, EventStatus
from eventapp.extensions import db
from eventapp.feeds import cache, fragments, listing, services, validators, versions
from eventapp.feeds.models import FeedFragment
from eventapp.models import utcnow
from eventapp.registrations.models import RegistrationStatus

SCOPES = [services.public_scope(), *(services.public_scope(kind) for kind in services.KIND_SLUGS.values())]


def _pick(rows: list, index: int):
    return rows[index % len(rows)] if rows else None


def _edit(operation: str, index: int, make_event) -> None:
    """One organiser-like change, made straight on the rows (services do the same writes)."""
    events = db.session.scalars(sa.select(Event).order_by(Event.id)).all()
    one_offs = [e for e in events if e.series_id is None]
    sessions = [e for e in events if e.series_id is not None]
    event = _pick(events, index)
    if operation == "retitle" and event:
        event.title = f"{event.title.split(' #')[0]} #{index}"
    elif operation == "move" and event:
        event.starts_at += timedelta(hours=index % 30 - 15)
        event.ends_at += timedelta(hours=index % 30 - 15)
        event.is_exception = event.series_id is not None
    elif operation == "describe" and event:
        event.description = f"Mô tả, có dấu; và \\ gạch chéo {index}\n" * (index % 4)
    elif operation == "venue" and event:
        event.mode = EventMode.HYBRID
        event.online_url = f"https://meet.example.vn/{index}"
    elif operation == "cancel" and event:
        event.status = EventStatus.CANCELLED
        event.cancelled_at = utcnow()
    elif operation == "unpublish" and event:
        event.status = EventStatus.DRAFT
    elif operation == "publish" and event:
        event.status = EventStatus.PUBLISHED
        event.published_at = event.published_at or utcnow()
    elif operation == "add_agenda" and event:
        db.session.add(AgendaItem(event=event, position=len(event.agenda_items), starts_at=event.starts_at,
                                  ends_at=event.starts_at + timedelta(minutes=20), title=f"Tham luận {index}"))
        event.bump_sequence()
    elif operation == "reorder_agenda":
        with_items = [e for e in events if len(e.agenda_items) > 1]
        chosen = _pick(with_items, index)
        if chosen:
            agenda.move_item(sorted(chosen.agenda_items, key=lambda i: i.position)[0], +1)
    elif operation == "series" and sessions:
        series = _pick(sessions, index).series
        series.venue = f"Hội trường {index}"
        series.sequence += 1
    elif operation == "hidden_session":  # a session no feed shows still moves its series' SEQUENCE
        hidden = [e for e in sessions if e.status != EventStatus.PUBLISHED or e.ends_at < utcnow() - timedelta(days=30)]
        chosen = _pick(hidden, index)
        if chosen:
            chosen.title = f"Buổi ẩn {index}"
            chosen.bump_sequence()
    elif operation == "delete" and one_offs:
        db.session.delete(_pick(one_offs, index))
    elif operation == "create":
        make_event(title=f"Sự kiện mới {index}", starts_in=timedelta(days=index % 40 - 5),
                   kind=list(services.KIND_SLUGS.values())[index % 3])
    db.session.commit()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(
    st.sampled_from(["retitle", "move", "describe", "venue", "cancel", "unpublish", "publish", "add_agenda",
                     "reorder_agenda", "series", "hidden_session", "delete", "create"]),
    st.integers(min_value=0, max_value=500),
    st.sampled_from(["warm", "new worker", "empty store"])), min_size=1, max_size=8))
def test_incremental_feed_is_byte_identical_to_a_full_build_after_any_edits(world, make_event, monkeypatch,
                                                                          steps) -> None:
    # No margin: every row here changed seconds ago, and the margin would re-read them all, so the
    # listing's narrow update (only rows past its high-water mark) would go untested.
    monkeypatch.setattr(listing, "MARGIN", timedelta(0))
    for operation, index, cache_state in steps:
        _edit(operation, index, make_event)
        if cache_state == "new worker":  # another process: only the database's blocks
            fragments.local_blocks.clear()
            listing.listings.clear()
        elif cache_state == "empty store":
            db.session.execute(sa.delete(FeedFragment))
            db.session.commit()
        cache.body_cache.clear()
        now = utcnow()
        for scope in SCOPES:
            # With the data version's count, as a request has it: the listing updates in place.
            version = versions.data_version(scope, now)
            incremental = validators.render(scope, now, count=version.count, data_key=version.key)
            db.session.commit()
            assert incremental == services.build_body(scope, now), (operation, index, scope.key)


def _new_worker() -> None:
    """What another process has: nothing in memory, only the database."""
    cache.body_cache.clear()
    fragments.local_blocks.clear()
    listing.listings.clear()


def _render(scope, now) -> bytes:
    version = versions.data_version(scope, now)
    body = validators.render(scope, now, count=version.count, data_key=version.key)
    services.commit_written()
    return body


def _snapshot_row(scope) -> FeedFragment | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(FeedFragment).where(
        FeedFragment.feed_key == scope.key, FeedFragment.unit == fragments.SNAPSHOT))


def test_a_new_worker_starts_from_the_snapshot_and_reads_only_what_changed(world, make_event, monkeypatch) -> None:
    scope = services.public_scope()
    now = utcnow()
    first = _render(scope, now)  # lists in full: stores the snapshot
    stored = _snapshot_row(scope)
    assert stored is not None and stored.version == services.fragment_salt(
        services.feed_calendar(scope).labels, scope)
    world.moved.title = "Họp báo: đã đổi tiêu đề"
    db.session.commit()
    _new_worker()
    loaded = []
    load = fragments._load_snapshot
    monkeypatch.setattr(fragments, "_load_snapshot", lambda *args: loaded.append(load(*args)) or loaded[-1])
    statements: list[str] = []
    listener = lambda *args: statements.append(" ".join(args[2].split()))  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        body = _render(scope, utcnow())
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert body == services.build_body(scope, utcnow()) != first
    assert "Họp báo: đã đổi tiêu đề" in body.decode()
    # the snapshot, then only the changed rows: no full listing (the changed-rows query carries
    # an updated_at bound) and one event's rows loaded by id
    assert len(loaded) == 1 and loaded[0] is not None
    listings = [s for s in statements if s.startswith("SELECT events.id, events.series_id, events.status")]
    assert listings and all("events.updated_at >" in s for s in listings)
    # a change or two: the snapshot stays as it was
    assert _snapshot_row(scope).blocks == stored.blocks


def test_a_snapshot_far_behind_is_replaced_by_the_worker_that_used_it(world, make_event) -> None:
    scope = services.public_scope()
    _render(scope, utcnow())
    old = _snapshot_row(scope).blocks
    for number in range(fragments.SNAPSHOT_SPARE + 1):
        make_event(title=f"Tập huấn {number}", starts_in=timedelta(days=2 + number))
    db.session.commit()
    _new_worker()
    body = _render(scope, utcnow())
    assert body == services.build_body(scope, utcnow())
    newer = _snapshot_row(scope).blocks
    assert newer != old and "Tập huấn 0".encode() in newer
    # and a worker after that starts from the newer one, byte for byte the same feed
    _new_worker()
    assert _render(scope, utcnow()) == body


def test_a_snapshot_of_other_labels_or_links_is_never_used(world) -> None:
    scope = services.public_scope()
    _render(scope, utcnow())
    db.session.execute(sa.update(FeedFragment).where(FeedFragment.unit == fragments.SNAPSHOT)
                       .values(version="stale-salt"))
    db.session.commit()
    _new_worker()
    assert _render(scope, utcnow()) == services.build_body(scope, utcnow())
    assert _snapshot_row(scope).version != "stale-salt"  # listed in full again, stored anew


def test_a_listing_survives_its_trip_through_the_snapshot(world) -> None:
    scope = services.public_scope()
    now = utcnow()
    salt = services.fragment_salt(services.feed_calendar(scope).labels, scope)
    original = listing.full(scope, now, salt)
    copy = listing.Listing.load(json.loads(json.dumps(original.dump())))
    assert (copy.salt, copy.high, copy.rows, copy.members, copy.series, copy.units) == (
        original.salt, original.high, original.rows, original.members, original.series, original.units)
    assert abs(copy.listed_at - original.listed_at) < 1.0


@pytest.mark.parametrize("damage", ["not json at all", "no listing", "empty", "cut short", "one byte changed"])
def test_an_unreadable_snapshot_is_listed_again_not_served(world, damage) -> None:
    scope = services.public_scope()
    _render(scope, utcnow())
    stored = _snapshot_row(scope).blocks
    damage = {"not json at all": b"not json at all", "no listing": b'{"listing": {}, "units": []}\n',
              "empty": b"", "cut short": stored[:-200],
              "one byte changed": stored[:-100] + bytes([stored[-100] ^ 1]) + stored[-99:]}[damage]
    db.session.execute(sa.update(FeedFragment).where(FeedFragment.unit == fragments.SNAPSHOT)
                       .values(blocks=damage))
    db.session.commit()
    _new_worker()
    assert _render(scope, utcnow()) == services.build_body(scope, utcnow())
    assert _snapshot_row(scope).blocks != damage  # stored anew


def test_a_persons_feed_follows_a_swap_of_one_registration_for_another(world, make_event, make_registration,
                                                                         make_person, monkeypatch) -> None:
    # One out, one in: the shown rows keep their count and no event row changes, so only the
    # data version (the person's registrations) says the feed moved.
    monkeypatch.setattr(listing, "MARGIN", timedelta(0))  # rows changed long ago are not re-read
    person = make_person(full_name="Lê Thị Hoa")
    # the one swapped in is the older row: nothing past the listing's mark tells of it
    second, first = make_event(title="Tập huấn an toàn thông tin"), make_event(title="Họp báo tháng Mười")
    registration = make_registration(first, person)
    db.session.commit()
    scope = services.person_scope(person.id)
    assert b"th\xc3\xa1ng M\xc6\xb0\xe1\xbb\x9di" in _render(scope, utcnow())  # "tháng Mười"
    registration.status = RegistrationStatus.CANCELLED
    make_registration(second, person)
    db.session.commit()
    body = _render(scope, utcnow())
    assert body == services.build_body(scope, utcnow())
    assert "Tập huấn an toàn thông tin" in body.decode() and "Họp báo tháng Mười" not in body.decode()


def test_a_sites_feed_follows_a_swap_of_one_event_for_another(world, make_event, make_site,
                                                                add_site_to_event, monkeypatch) -> None:
    monkeypatch.setattr(listing, "MARGIN", timedelta(0))  # rows changed long ago are not re-read
    site = make_site()
    second, first = make_event(title="Hội nghị trực tuyến B"), make_event(title="Hội nghị trực tuyến A")
    taking_part = add_site_to_event(first, site)
    db.session.commit()
    scope = services.site_scope(site.id)
    assert "Hội nghị trực tuyến A" in _render(scope, utcnow()).decode()
    db.session.delete(taking_part)
    add_site_to_event(second, site)
    db.session.commit()
    body = _render(scope, utcnow())
    assert body == services.build_body(scope, utcnow())
    assert "Hội nghị trực tuyến B" in body.decode() and "Hội nghị trực tuyến A" not in body.decode()


def test_an_edit_that_commits_after_a_newer_one_still_reaches_the_feed(world, make_event, monkeypatch) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite lets one writer at a time)")
    monkeypatch.setattr(listing, "MARGIN", timedelta(0))  # as if the slow edit began long ago
    early, late = make_event(title="Sự kiện sửa chậm"), make_event(title="Sự kiện sửa nhanh")
    db.session.commit()
    scope = services.public_scope()
    _render(scope, utcnow())
    with db.engine.connect() as slow:  # an organiser's transaction that takes its time
        slow.execute(sa.text("UPDATE events SET title = 'Tiêu đề đến muộn', updated_at = now() - interval '5 s' "
                             "WHERE id = :id"), {"id": early.id})
        late.title = "Sự kiện sửa nhanh (đã sửa)"  # newer, and committed first
        db.session.commit()
        assert "Sự kiện sửa nhanh (đã sửa)" in _render(scope, utcnow()).decode()
        slow.commit()
    body = _render(scope, utcnow())
    assert "Tiêu đề đến muộn" in body.decode()
    assert body == services.build_body(scope, utcnow())
