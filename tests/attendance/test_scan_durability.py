"""Scan-only transactions skip the WAL-flush wait on PostgreSQL; nothing else ever does."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from eventapp.attendance import services
from eventapp.extensions import db


def _setting() -> str:
    return db.session.execute(sa.text("SHOW synchronous_commit")).scalar_one()


def test_only_the_current_transaction_commits_without_waiting(app) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting; SQLite has nothing to relax")
    assert _setting() == "on"
    services.commit_scans_without_waiting()
    assert _setting() == "off"
    db.session.commit()
    # SET LOCAL: the pooled connection goes back with the default, so a registration committed
    # next on it still waits for the flush (an acknowledged registration is never lost).
    assert _setting() == "on"
    db.session.rollback()


def test_a_scan_request_commits_its_check_in(as_desk, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    db.session.commit()
    response = as_desk.post(f"/console/attendance/api/events/{door_event.id}/scan", json={"payload": token})
    assert response.get_json()["result"]["code"] == "checked_in"
    db.session.expire_all()
    assert db.session.get(type(registration), registration.id).checked_in_at is not None
