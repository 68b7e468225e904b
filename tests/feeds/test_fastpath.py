"""The public feeds' 304 fast path: the app's own answer, without running the app, and only then."""

from __future__ import annotations

import time

import pytest
from flask import request_started

from eventapp.extensions import db
from eventapp.feeds import cache, tokens
from eventapp.feeds.models import CalendarScope


@pytest.fixture
def trusted_for_a_while(app):
    """Production's setting: a confirmed version is trusted for FEED_VERSION_TTL seconds."""
    app.config["FEED_VERSION_TTL"] = 0.5
    yield app
    app.config["FEED_VERSION_TTL"] = 0
    cache.version_memo.clear()


@pytest.fixture
def app_runs(app):
    """The paths of the requests that reached Flask."""
    seen: list[str] = []

    def record(sender, **extra) -> None:
        from flask import request

        seen.append(request.path)
    request_started.connect(record, app)
    yield seen
    request_started.disconnect(record, app)


@pytest.mark.parametrize("path", ["/calendar.ics", "/calendar/press-briefings.ics"])
def test_an_unchanged_poll_gets_the_apps_304_without_running_the_app(
        client, world, trusted_for_a_while, app_runs, path) -> None:
    etag = client.get(path).headers["ETag"]  # the app builds the feed and confirms its version
    cache.version_memo.clear()  # forget it once, to see the app's own 304 (it confirms again)
    from_app = client.get(path, headers={"If-None-Match": etag})
    assert from_app.status_code == 304 and app_runs == [path, path]
    fast = client.get(path, headers={"If-None-Match": etag})
    head = client.head(path, headers={"If-None-Match": f'"other", {etag}'})
    assert fast.status_code == head.status_code == 304 and fast.data == b""
    assert app_runs == [path, path]  # neither reached the app
    for name in ("ETag", "Cache-Control", "Content-Security-Policy", "X-Content-Type-Options", "Last-Modified"):
        assert fast.headers.get(name) == from_app.headers.get(name), name
    assert fast.headers["X-Request-ID"]


def test_anything_else_goes_to_the_app(client, world, trusted_for_a_while, app_runs, make_person) -> None:
    etag = client.get("/calendar.ics").headers["ETag"]
    assert client.get("/calendar.ics", headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get("/calendar.ics").status_code == 200  # no validator: the body
    assert client.post("/calendar.ics", headers={"If-None-Match": etag}).status_code == 405
    # private feeds always check their token in the app
    person = make_person()
    token = tokens.issue_token(CalendarScope.PERSON, person.id)
    db.session.commit()
    path = f"/calendar/u/{token}.ics"
    private_etag = client.get(path).headers["ETag"]
    runs_before = len(app_runs)
    assert client.get(path, headers={"If-None-Match": private_etag}).status_code == 304
    assert len(app_runs) == runs_before + 1


def test_a_change_is_served_once_the_trusted_time_is_up(client, world, trusted_for_a_while) -> None:
    etag = client.get("/calendar.ics").headers["ETag"]
    world.one_off.title = "Hội nghị (đổi giờ)"
    world.one_off.bump_sequence()
    db.session.commit()
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304  # within the TTL
    time.sleep(0.6)
    changed = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Hội nghị (đổi giờ)".encode() in changed.data


def test_off_when_versions_are_not_trusted(client, world, app_runs) -> None:
    etag = client.get("/calendar.ics").headers["ETag"]
    for _ in range(2):
        assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    assert len(app_runs) == 3  # FEED_VERSION_TTL=0 (tests, or a deployment that wants it): always the app
