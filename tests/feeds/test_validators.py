"""Validators per feed and per encoding: they move exactly when that feed's bytes change."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest

from eventapp.extensions import db
from eventapp.feeds import views
from eventapp.models import utcnow


@pytest.fixture
def frozen(monkeypatch):
    """Every feed request happens in the same second (the feeds' own clock stands still)."""
    now = utcnow().replace(microsecond=100_000)
    monkeypatch.setattr(views, "utcnow", lambda: now)
    return now


def _get(client, path: str, **headers):
    return client.get(path, headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_two_changes_within_one_second_reach_both_kinds_of_poller(client, world, frozen) -> None:
    first = client.get("/calendar.ics")
    world.one_off.title = "Hội nghị tập huấn – đổi tên lần một"
    db.session.commit()
    second = _get(client, "/calendar.ics", If_None_Match=first.headers["ETag"])
    assert second.status_code == 200 and "đổi tên lần một".encode() in second.data
    world.one_off.title = "Hội nghị tập huấn – đổi tên lần hai"
    db.session.commit()
    # Same second as the previous change: Last-Modified still moves on, by a whole second.
    by_date = _get(client, "/calendar.ics", If_Modified_Since=second.headers["Last-Modified"])
    by_etag = _get(client, "/calendar.ics", If_None_Match=second.headers["ETag"])
    for response in (by_date, by_etag):
        assert response.status_code == 200 and "đổi tên lần hai".encode() in response.data
    assert by_date.last_modified > second.last_modified > first.last_modified
    assert by_date.headers["ETag"] == by_etag.headers["ETag"] != second.headers["ETag"]
    assert _get(client, "/calendar.ics", If_Modified_Since=by_date.headers["Last-Modified"]).status_code == 304
    assert _get(client, "/calendar.ics", If_None_Match=by_date.headers["ETag"]).status_code == 304


def test_a_change_outside_a_feed_leaves_its_validators_alone(client, world) -> None:
    briefings = client.get("/calendar/press-briefings.ics")
    everything = client.get("/calendar.ics")
    world.training.title = "Tập huấn an toàn thông tin (đổi tên)"  # a training: not a press briefing
    db.session.commit()
    again = _get(client, "/calendar/press-briefings.ics", If_Modified_Since=briefings.headers["Last-Modified"])
    assert again.status_code == 304
    assert _get(client, "/calendar/press-briefings.ics", If_None_Match=briefings.headers["ETag"]).status_code == 304
    assert client.get("/calendar/press-briefings.ics").headers["Last-Modified"] == briefings.headers["Last-Modified"]
    assert _get(client, "/calendar.ics", If_None_Match=everything.headers["ETag"]).status_code == 200


def test_one_sessions_ics_keeps_its_validators_when_a_sibling_changes(client, world) -> None:
    sessions = sorted((e for e in world.weekly.occurrences if e.starts_at > world.now + timedelta(days=40)),
                      key=lambda e: e.starts_at)
    mine, sibling = sessions[0], sessions[1]
    first = client.get(f"/events/{mine.id}.ics")
    sibling.title = "Họp báo đặc biệt"
    sibling.bump_sequence()
    db.session.commit()
    again = client.get(f"/events/{mine.id}.ics")
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert _get(client, f"/events/{mine.id}.ics", If_None_Match=first.headers["ETag"]).status_code == 304


def test_feeds_are_gzipped_when_accepted_with_an_etag_per_encoding(client, world) -> None:
    plain = client.get("/calendar.ics")
    packed = _get(client, "/calendar.ics", Accept_Encoding="gzip, deflate")
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 4
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"
    assert plain.headers["ETag"] != packed.headers["ETag"]
    assert plain.headers["Last-Modified"] == packed.headers["Last-Modified"]
    assert _get(client, "/calendar.ics", Accept_Encoding="gzip",
                If_None_Match=packed.headers["ETag"]).status_code == 304
    # A client that no longer takes gzip must not be told its gzip copy is current.
    assert _get(client, "/calendar.ics", If_None_Match=packed.headers["ETag"]).status_code == 200
    assert _get(client, "/calendar.ics", Accept_Encoding="gzip;q=0",
                If_None_Match=plain.headers["ETag"]).status_code == 304


def test_large_pages_are_gzipped_when_accepted(client, world) -> None:
    plain = client.get("/")
    packed = _get(client, "/", Accept_Encoding="gzip")
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data).decode().count("<a ") == plain.get_data(as_text=True).count("<a ")


