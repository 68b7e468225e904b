"""API fixtures: bearer tokens for a user; the door-open event and tickets of the attendance tests."""

from __future__ import annotations

import pytest

from eventapp.accounts import api_tokens
from eventapp.accounts.models import User
from eventapp.extensions import db
from tests.attendance.conftest import door_event, ticket  # noqa: F401 - fixtures shared with tests/api


@pytest.fixture
def bearer():
    """Headers carrying a new API token of `user` (committed, as a client would have it)."""
    def build(user: User) -> dict[str, str]:
        secret = api_tokens.issue(user, "Thiết bị thử", actor=user)[1]
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}
    return build
