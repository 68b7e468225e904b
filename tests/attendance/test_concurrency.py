"""Several desks scanning the same ticket at the same instant on PostgreSQL: exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import User
from eventapp.attendance import services
from eventapp.attendance.services import OfflineScan, ScanCode
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import Registration

DESKS = 16


def _race(app, work) -> list:
    """Run `work(i)` in DESKS threads, each with its own session, released together by a barrier."""
    barrier = threading.Barrier(DESKS)
    results: list = [None] * DESKS
    errors: list[BaseException] = []

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[i] = work(i)
                db.session.commit()
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(DESKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


@pytest.fixture
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row-level races need PostgreSQL")


def test_concurrent_scans_of_one_ticket_count_once(app, postgres_only, door_event, ticket, make_user) -> None:
    registration, token = ticket(door_event)
    desks = [make_user(email=f"desk{i}@example.vn").id for i in range(DESKS)]
    event_id, registration_id = door_event.id, registration.id
    db.session.commit()

    def scan(i: int) -> ScanCode:
        event = db.session.get(Event, event_id)
        actor = db.session.get(User, desks[i])
        return services.check_in(event, token=token, actor=actor).code

    codes = _race(app, scan)
    assert codes.count(ScanCode.CHECKED_IN) == 1
    assert codes.count(ScanCode.ALREADY) == DESKS - 1
    db.session.expire_all()
    registration = db.session.get(Registration, registration_id)
    assert registration.checked_in_at is not None
    assert registration.checked_in_by_id in desks


def test_concurrent_offline_replays_keep_the_earliest_time(app, postgres_only, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    event_id, registration_id = door_event.id, registration.id
    db.session.commit()
    now = utcnow()
    times = [now - timedelta(minutes=i + 1) for i in range(DESKS)]

    def replay(i: int) -> ScanCode:
        event = db.session.get(Event, event_id)
        return services.replay(event, [OfflineScan(str(i), times[i], token=token)], None, now=now)[0][1].code

    codes = _race(app, replay)
    assert set(codes) <= {ScanCode.CHECKED_IN, ScanCode.ALREADY}
    db.session.expire_all()
    assert db.session.get(Registration, registration_id).checked_in_at == min(times)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.checked_in_at.is_not(None))) == 1
