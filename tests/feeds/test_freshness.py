"""Validators follow the body: rows leaving by time, cancelled events in personal feeds, site names."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.directory.models import Site
from eventapp.events.occurrences import cancel_event
from eventapp.extensions import db
from eventapp.feeds import tokens, views
from eventapp.feeds.models import CalendarScope
from eventapp.models import utcnow
from eventapp.registrations.models import CancelledBy, RegistrationStatus

CANCELLED = "[Đã hủy]".encode()


@pytest.fixture
def clock(monkeypatch):
    """Move the feeds' clock: later(days=8) makes every following request happen 8 days on."""
    start = utcnow()

    def later(**delta) -> datetime:
        moved = start + timedelta(**delta)
        monkeypatch.setattr(views, "utcnow", lambda: moved)
        return moved
    return later


def _poll(client, path: str, **headers):
    return client.get(path, headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_if_modified_since_sees_a_cancelled_event_leave_after_its_grace(client, world, clock) -> None:
    first = client.get("/calendar.ics")
    assert world.cancelled_one_off.title.encode() in first.data  # cancelled a day ago: still shown
    since = first.headers["Last-Modified"]
    clock(days=6, hours=1)  # the 7 days since its cancellation are over
    later = _poll(client, "/calendar.ics", If_Modified_Since=since)
    assert later.status_code == 200
    assert world.cancelled_one_off.title.encode() not in later.data
    assert later.headers["Last-Modified"] != since
    assert _poll(client, "/calendar.ics", If_Modified_Since=later.headers["Last-Modified"]).status_code == 304
    assert _poll(client, "/calendar.ics", If_None_Match=later.headers["ETag"]).status_code == 304


def test_if_modified_since_sees_an_event_leave_the_past_window(client, make_event, clock) -> None:
    old = make_event(title="Họp báo tháng trước", starts_in=timedelta(days=-29, hours=-3))  # ends 29 days 1 h ago
    make_event(title="Họp báo sắp tới", starts_in=timedelta(days=3))
    db.session.commit()
    first = client.get("/calendar.ics")
    assert old.title.encode() in first.data
    since = first.headers["Last-Modified"]
    clock(hours=2)  # nothing left yet: the validators hold
    assert _poll(client, "/calendar.ics", If_Modified_Since=since).status_code == 304
    assert _poll(client, "/calendar.ics", If_None_Match=first.headers["ETag"]).status_code == 304
    clock(days=1)
    later = _poll(client, "/calendar.ics", If_Modified_Since=since)
    assert later.status_code == 200 and old.title.encode() not in later.data
    assert _poll(client, "/calendar.ics", If_Modified_Since=later.headers["Last-Modified"]).status_code == 304


def test_personal_feed_keeps_an_event_cancelled_by_the_organiser_for_the_grace_period(
        client, make_event, make_person, make_registration, clock) -> None:
    me = make_person(full_name="Lê Thị Mình")
    kept = make_event(title="Họp báo về an ninh mạng", starts_in=timedelta(days=10))
    left_myself = make_event(title="Tập huấn tôi đã hủy", starts_in=timedelta(days=11))
    dropped_before = make_event(title="Họp báo đã bị loại trước", starts_in=timedelta(days=12))
    make_registration(kept, person=me)
    make_registration(left_myself, person=me, status=RegistrationStatus.CANCELLED,
                      cancelled_by=CancelledBy.REGISTRANT, status_reason="Bận việc")
    make_registration(dropped_before, person=me, status=RegistrationStatus.CANCELLED,
                      cancelled_by=CancelledBy.ORGANISER, status_reason="Trùng đăng ký")
    token = tokens.issue_token(CalendarScope.PERSON, me.id)
    db.session.commit()
    path = f"/calendar/u/{token}.ics"
    before = client.get(path)
    assert kept.title.encode() in before.data and left_myself.title.encode() not in before.data

    for event in (kept, left_myself, dropped_before):
        cancel_event(event, "Thời tiết xấu")
    db.session.commit()
    after = _poll(client, path, If_None_Match=before.headers["ETag"])
    assert after.status_code == 200
    assert CANCELLED + f" {kept.title}".encode() in after.data and b"STATUS:CANCELLED" in after.data
    assert left_myself.title.encode() not in after.data  # they had cancelled it themselves
    assert dropped_before.title.encode() not in after.data  # no longer theirs when it was cancelled

    clock(days=7, hours=1)
    gone = _poll(client, path, If_Modified_Since=after.headers["Last-Modified"])
    assert gone.status_code == 200 and kept.title.encode() not in gone.data


def test_renaming_a_site_renames_its_cached_feed(client, world, make_site, add_site_to_event) -> None:
    site = make_site(name="Sở TT&TT Quảng Ninh")
    add_site_to_event(world.one_off, site)
    token = tokens.issue_token(CalendarScope.SITE, site.id)
    db.session.commit()
    path = f"/calendar/s/{token}.ics"
    first = client.get(path)
    assert "Sở TT&TT Quảng Ninh".encode() in first.data
    site.name = "Sở Văn hóa và Thông tin Quảng Ninh"
    db.session.commit()
    renamed = _poll(client, path, If_None_Match=first.headers["ETag"])
    assert renamed.status_code == 200 and "Sở Văn hóa và Thông tin Quảng Ninh".encode() in renamed.data
    # The name is in the version itself, not only through the site's updated_at.
    db.session.execute(sa.update(Site).where(Site.id == site.id)
                       .values(name="Sở VH&TT Quảng Ninh", updated_at=Site.updated_at))
    db.session.commit()
    again = _poll(client, path, If_None_Match=renamed.headers["ETag"])
    assert again.status_code == 200 and "Sở VH&TT Quảng Ninh".encode() in again.data
