"""API fixtures: bearer tokens for a user, an event whose door is open, tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventapp.accounts import api_tokens
from eventapp.accounts.models import User
from eventapp.extensions import db
from eventapp.registrations.tickets import issue_ticket


@pytest.fixture
def bearer():  # noqa: ANN201
    """Headers carrying a new API token of `user` (committed, as a client would have it)."""
    def build(user: User) -> dict[str, str]:
        secret = api_tokens.issue(user, "Thiết bị thử", actor=user)[1]
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}
    return build


@pytest.fixture
def door_event(make_event):  # noqa: ANN001, ANN201
    """A published event starting in 30 minutes: check-in is open."""
    return make_event(title="Họp báo Bộ TT&TT tháng 11", starts_in=timedelta(minutes=30))


@pytest.fixture
def ticket(make_registration):  # noqa: ANN001, ANN201
    """A registration with a ticket: returns (registration, raw token)."""
    def build(event, **values):  # noqa: ANN001, ANN202
        registration = make_registration(event, **values)
        token = issue_ticket(registration)
        db.session.flush()
        return registration, token
    return build
