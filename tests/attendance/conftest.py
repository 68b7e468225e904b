"""Attendance fixtures: an event whose door is open, tickets, and a JSON client helper."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.registrations.tickets import issue_ticket


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Other modules build apps with rate limiting on, which switches on the shared limiter;
    start each test with empty counters so signing in is never refused (429)."""
    from eventapp.extensions import limiter

    with contextlib.suppress(Exception):  # no storage yet: nothing to reset
        limiter.reset()


@pytest.fixture
def door_event(make_event):
    """A published event starting in 30 minutes: check-in is open."""
    return make_event(title="Họp báo Bộ TT&TT tháng 11", starts_in=timedelta(minutes=30))


@pytest.fixture
def ticket(make_registration):
    """A registration with a ticket: returns (registration, raw token)."""
    def build(event, **values):
        registration = make_registration(event, **values)
        token = issue_ticket(registration)
        db.session.flush()
        return registration, token
    return build


@pytest.fixture
def desk_user(make_user):
    return make_user(Role.CHECKIN_STAFF, email="desk@example.vn")


@pytest.fixture
def as_desk(client, login, desk_user):
    db.session.commit()
    login(desk_user)
    return client


@pytest.fixture
def organiser(client, login, make_user):
    """A client signed in as an organiser (the reports' audience)."""
    login(make_user(Role.ORGANISER))
    return client
