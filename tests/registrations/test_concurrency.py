"""Capacity, quotas and duplicates under concurrent submissions (SQLite and PostgreSQL).

Each thread is its own client with its own connection; a barrier releases them together.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from eventapp.directory.models import Person
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.registrations import services
from eventapp.registrations.models import Registration, RegistrationStatus
from tests.registrations.conftest import form_data


def _run_together(count: int, work) -> list:
    """Run work(0..count-1) in `count` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def wrapped(i: int):
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(wrapped, range(count)))


def _statuses(event_id: int) -> Counter:
    db.session.expire_all()
    return Counter(s.value for s in db.session.scalars(
        sa.select(Registration.status).where(Registration.event_id == event_id)))


def test_burst_against_few_seats_gives_exact_counts_and_no_duplicates(app, make_event, outlet) -> None:
    event = make_event(capacity=5)
    db.session.commit()
    event_id, outlet_id = event.id, outlet.id
    # 30 people; ten of them submit three times at once
    emails = [f"p{i}@baochi.vn" for i in range(30)] + [f"p{i}@baochi.vn" for i in range(10)] * 2

    def submit(i: int) -> int:
        client = app.test_client()
        data = form_data(outlet_id, email=emails[i], full_name=f"Phóng viên {i}")
        return client.post(f"/events/{event_id}/register", data=data).status_code

    codes = _run_together(len(emails), submit)
    assert Counter(codes) == {302: len(emails)}  # every submission acknowledged, none failed
    assert _statuses(event_id) == {"approved": 5, "waitlisted": 25}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 30
    # 30 first answers + one reminder per duplicated address (at most one per 15 minutes)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 40


def test_same_new_person_for_two_events_at_once_is_one_person(app, make_event, outlet) -> None:
    first, second = make_event(capacity=3), make_event(capacity=3)
    db.session.commit()
    ids, outlet_id = (first.id, second.id), outlet.id

    def submit(i: int) -> int:
        return app.test_client().post(f"/events/{ids[i % 2]}/register",
                                      data=form_data(outlet_id, email="same@baochi.vn")).status_code

    assert set(_run_together(12, submit)) == {302}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1
    assert _statuses(ids[0]) == {"approved": 1} and _statuses(ids[1]) == {"approved": 1}


def test_site_quota_holds_under_concurrent_coordinators(app, make_event, make_site, add_site_to_event) -> None:
    event = make_event(capacity=2)
    site = make_site()
    add_site_to_event(event, site, quota=3)
    db.session.commit()
    event_id, site_id, org_id = event.id, site.id, site.organisation_id

    def add(i: int) -> str:
        with app.app_context():
            try:
                services.register_for_site(db.session.get(type(event), event_id), site_id, org_id,
                                           services.Applicant(full_name=f"Cán bộ {i}", email=f"c{i}@so.gov.vn"),
                                           actor=None)
                db.session.commit()
                return "ok"
            except services.RegistrationError as error:
                db.session.rollback()
                return error.code
            finally:
                db.session.remove()

    results = Counter(_run_together(20, add))
    assert results == {"ok": 3, "quota_full": 17}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.site_id == site_id, Registration.status == RegistrationStatus.APPROVED)) == 3


def test_cancellations_and_submissions_at_once_never_oversell(app, make_event, make_registration, outlet) -> None:
    event = make_event(capacity=4)
    held = [make_registration(event) for _ in range(4)]
    db.session.commit()
    held_ids, event_id, outlet_id = [r.id for r in held], event.id, outlet.id

    def work(i: int) -> str:
        if i < 4:
            with app.app_context():
                try:
                    services.cancel(db.session.get(Registration, held_ids[i]), by=services.CancelledBy.REGISTRANT)
                    db.session.commit()
                finally:
                    db.session.remove()
            return "cancelled"
        client = app.test_client()
        return str(client.post(f"/events/{event_id}/register",
                               data=form_data(outlet_id, email=f"n{i}@baochi.vn")).status_code)

    assert Counter(_run_together(14, work)) == {"cancelled": 4, "302": 10}
    assert _statuses(event_id) == {"cancelled": 4, "approved": 4, "waitlisted": 6}
