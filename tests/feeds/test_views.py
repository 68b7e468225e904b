"""Feed HTTP: headers, conditional GET, HEAD, 404s, tokens (revocation, scope, no leakage)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventapp.events.models import EventStatus
from eventapp.extensions import db
from eventapp.feeds import cache, fragments, listing, tokens, validators
from eventapp.feeds.models import CalendarScope, CalendarToken, FeedFragment
from eventapp.models import utcnow


def test_public_feed_headers(client, world):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["Last-Modified"].endswith("GMT")
    assert response.headers["Cache-Control"].startswith("public")
    assert response.headers["Content-Disposition"] == 'inline; filename="calendar.ics"'
    assert world.one_off.title.encode() in response.data
    assert world.draft.title.encode() not in response.data
    assert "Họp báo quá cũ".encode() not in response.data  # ended more than 30 days ago
    assert "Họp báo tuần trước".encode() in response.data  # within the last 30 days
    assert world.old_cancelled_one_off.title.encode() not in response.data  # grace period over


def test_conditional_get_by_etag_and_by_date(client, world):
    first = client.get("/calendar.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get("/calendar.ics", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/calendar.ics", headers={"If-None-Match": '"other"'}).status_code == 200
    # A stale If-None-Match wins over a fresh If-Modified-Since (RFC 9110).
    stale = client.get("/calendar.ics", headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
    assert stale.status_code == 200
    assert client.get("/calendar.ics").data == first.data  # deterministic body
    # A date in the future is no proof of a copy: ignored, the body is sent (RFC 9110 13.1.3).
    future = client.get("/calendar.ics", headers={"If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT"})
    assert future.status_code == 200 and future.data == first.data


def _etag(client, path: str) -> str:
    return client.get(path).headers["ETag"]


@pytest.mark.parametrize("change", ["title", "cancel_occurrence", "agenda_only_series_row"])
def test_a_change_to_a_shown_event_changes_the_etag(client, world, change):
    before = _etag(client, "/calendar.ics")
    body_before = client.get("/calendar.ics").data
    if change == "title":
        world.one_off.title = "Hội nghị tập huấn (đổi tên)"
        world.one_off.bump_sequence()
    elif change == "cancel_occurrence":
        row = [e for e in world.weekly.occurrences if e.starts_at > world.now][5]
        row.status = EventStatus.CANCELLED
        row.bump_sequence()
    else:
        world.weekly.title = "Họp báo thường kỳ (tên mới)"
    db.session.commit()
    response = client.get("/calendar.ics", headers={"If-None-Match": before})
    assert response.status_code == 200
    assert response.headers["ETag"] != before
    assert response.data != body_before


def test_a_change_shows_once_the_short_version_ttl_has_passed(app, client, world):
    """Production trusts a confirmed version for FEED_VERSION_TTL seconds (the 304 path then needs
    no database); a change is seen as soon as that time is up."""
    app.config["FEED_VERSION_TTL"] = 0.5
    try:
        before = _etag(client, "/calendar.ics")
        world.one_off.title = "Hội nghị tập huấn (giờ mới)"
        world.one_off.bump_sequence()
        db.session.commit()
        assert _etag(client, "/calendar.ics") == before  # still within the TTL
        time.sleep(0.6)
        assert _etag(client, "/calendar.ics") != before
    finally:
        app.config["FEED_VERSION_TTL"] = 0
        cache.version_memo.clear()


def test_a_change_elsewhere_keeps_the_etag(client, world, make_event):
    everything = _etag(client, "/calendar.ics")
    briefings = _etag(client, "/calendar/press-briefings.ics")
    world.draft.title = "Bản nháp đã sửa"
    make_event(title="Một bản nháp khác", status=EventStatus.DRAFT)
    db.session.commit()
    assert _etag(client, "/calendar.ics") == everything
    world.training.title = "Tập huấn (đổi tên)"  # another kind
    db.session.commit()
    assert _etag(client, "/calendar/press-briefings.ics") == briefings
    assert _etag(client, "/calendar.ics") != everything


def test_head_has_the_headers_and_no_body(client, world):
    get = client.get("/calendar/trainings.ics")
    head = client.head("/calendar/trainings.ics")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert int(head.headers["Content-Length"]) == len(get.data)
    assert client.head("/calendar/trainings.ics", headers={"If-None-Match": get.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("path", ["/calendar/unknown.ics", "/calendar/press_briefing.ics",
                                  "/calendar/u/not-a-token.ics", "/calendar/s/" + "x" * 43 + ".ics",
                                  "/calendar/u/" + "A" * 43 + ".ics", "/events/999999.ics"])
def test_unknown_feeds_are_404(client, world, path):
    assert client.get(path).status_code == 404


def test_one_event_ics(client, world):
    response = client.get(f"/events/{world.one_off.id}.ics")
    assert response.status_code == 200
    assert response.data.count(b"BEGIN:VEVENT") == 1
    assert f"UID:{world.one_off.uid}".encode() in response.data
    occurrence = world.edited  # one instance of its series, never a series of its own
    body = client.get(f"/events/{occurrence.id}.ics").data
    assert body.count(b"BEGIN:VEVENT") == 1 and b"RRULE" not in body and b"RECURRENCE-ID" in body
    assert f"UID:{world.weekly.uid}".encode() in body and f"UID:{occurrence.uid}".encode() not in body
    assert client.get(f"/events/{world.draft.id}.ics").status_code == 404
    cancelled = client.get(f"/events/{world.cancelled_one_off.id}.ics")
    assert cancelled.status_code == 200 and b"STATUS:CANCELLED" in cancelled.data


def test_person_token_feed(client, world, make_person, make_registration):
    me, other = make_person(full_name="Lê Thị Mình"), make_person(full_name="Phạm Văn Khác", email="khac@example.vn")
    make_registration(world.one_off, person=me)
    make_registration(world.training, person=other)
    token = tokens.issue_token(CalendarScope.PERSON, me.id)
    db.session.commit()
    stored = db.session.scalar(db.select(CalendarToken))
    assert stored.token_hash == tokens.hash_token(token) and token not in stored.token_hash
    response = client.get(f"/calendar/u/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    assert world.one_off.title.encode() in response.data
    for leak in (world.training.title, "Phạm Văn Khác", "khac@example.vn", "Lê Thị Mình", world.weekly.title):
        assert leak.encode() not in response.data
    assert client.get(f"/calendar/s/{token}.ics").status_code == 404  # a person's token opens no site feed
    # Their registration is cancelled: the feed follows.
    etag = response.headers["ETag"]
    registration = me.registrations[0]
    registration.status = "cancelled"
    db.session.commit()
    after = client.get(f"/calendar/u/{token}.ics", headers={"If-None-Match": etag})
    assert after.status_code == 200 and world.one_off.title.encode() not in after.data


def test_reissue_and_revoke(client, world, make_person):
    person = make_person()
    old = tokens.issue_token(CalendarScope.PERSON, person.id)
    new = tokens.issue_token(CalendarScope.PERSON, person.id)
    db.session.commit()
    assert client.get(f"/calendar/u/{old}.ics").status_code == 404
    assert client.get(f"/calendar/u/{new}.ics").status_code == 200
    assert tokens.revoke_tokens(CalendarScope.PERSON, person.id) == 1
    db.session.commit()
    assert client.get(f"/calendar/u/{new}.ics").status_code == 404


def test_site_token_feed(client, world, make_site, add_site_to_event):
    mine, theirs = make_site(name="Sở TT&TT Quảng Ninh"), make_site(name="Sở TT&TT Cà Mau")
    add_site_to_event(world.one_off, mine)
    add_site_to_event(world.training, theirs)
    token = tokens.issue_token(CalendarScope.SITE, mine.id)
    db.session.commit()
    response = client.get(f"/calendar/s/{token}.ics")
    assert response.status_code == 200
    assert world.one_off.title.encode() in response.data
    assert world.training.title.encode() not in response.data
    assert "Sở TT&TT Quảng Ninh".encode() in response.data  # the calendar's name
    assert client.get(f"/calendar/u/{token}.ics").status_code == 404
    etag = response.headers["ETag"]
    add_site_to_event(world.edited, mine)
    db.session.commit()
    assert client.get(f"/calendar/s/{token}.ics", headers={"If-None-Match": etag}).status_code == 200


def test_token_use_is_recorded_at_most_daily(client, world, make_person):
    person = make_person()
    token = tokens.issue_token(CalendarScope.PERSON, person.id)
    db.session.commit()
    client.get(f"/calendar/u/{token}.ics")
    stored = db.session.scalar(db.select(CalendarToken))
    db.session.refresh(stored)
    first = stored.last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    client.get(f"/calendar/u/{token}.ics")
    db.session.refresh(stored)
    assert stored.last_used_at == first


def test_feed_query_count_does_not_grow(client, world, make_event):
    from sqlalchemy import event as sa_event

    def count_queries() -> int:
        # From scratch each time: no body, no cached blocks in the process or the database.
        cache.body_cache.clear()
        fragments.local_blocks.clear()
        listing.listings.clear()
        validators.published.clear()
        db.session.execute(sa.delete(FeedFragment))
        db.session.commit()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/calendar.ics").status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    few = count_queries()
    for i in range(30):
        make_event(title=f"Sự kiện {i}", starts_in=timedelta(days=3 + i))
    db.session.commit()
    assert count_queries() == few
