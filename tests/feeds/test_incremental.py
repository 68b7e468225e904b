"""The incremental feed (blocks cached by row version) is byte for byte the feed built from scratch."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventapp.events import agenda
from eventapp.events.models import AgendaItem, Event, EventMode, EventStatus
from eventapp.extensions import db
from eventapp.feeds import cache, fragments, listing, services, validators
from eventapp.feeds.models import FeedFragment
from eventapp.models import utcnow

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
            incremental = validators.render(scope, now, count=services.data_version(scope, now).count)
            db.session.commit()
            assert incremental == services.build_body(scope, now), (operation, index, scope.key)
