"""Series enrolment: one decision for all upcoming briefings, with per-session skips."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from eventapp.events.models import Event, EventSeries, EventStatus
from eventapp.events.services import upcoming_occurrences
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations import capacity
from eventapp.registrations.models import (
    CancelledBy,
    Enrolment,
    EnrolmentSkip,
    EnrolmentStatus,
    Registration,
    RegistrationChannel,
)
from eventapp.registrations.services import RegistrationError, cancel, check_window, register


def enrol(person, series: EventSeries, now: datetime) -> Enrolment:
    enrolment = db.session.scalar(sa.select(Enrolment).where(
        Enrolment.person_id == person.id, Enrolment.series_id == series.id))
    if enrolment is None:
        enrolment = Enrolment(person=person, series=series, status=EnrolmentStatus.ACTIVE)
        db.session.add(enrolment)
    enrolment.status = EnrolmentStatus.ACTIVE
    db.session.flush()
    return enrolment


def skipped_event_ids(enrolment: Enrolment) -> set[int]:
    return set(db.session.scalars(
        sa.select(EnrolmentSkip.event_id).where(EnrolmentSkip.enrolment_id == enrolment.id)))


def register_enrolled(enrolment: Enrolment, events: list[Event], *, locale: str = "vi",
                      now: datetime | None = None, attach_existing: bool = True) -> list[Registration]:
    """Register the enrolled person for these occurrences (not skipped ones, and only those whose
    registration window is open now: a closed session stays closed); a full occurrence without a
    waiting list is left out quietly — the enrolment stays. The ticket page lists every session
    with the person's status, so a left-out one shows as not registered. `attach_existing=False`
    (the anonymous form) leaves the person's existing registrations untouched."""
    now = now or utcnow()
    skipped = skipped_event_ids(enrolment)
    made = []
    for event in sorted(events, key=lambda e: e.id):
        if event.id in skipped:
            continue
        try:
            check_window(event, now)
        except RegistrationError:
            continue
        try:
            outcome = register(event, enrolment.person, channel=RegistrationChannel.PUBLIC, locale=locale,
                               enrolment=enrolment, now=now)
        except RegistrationError:
            continue
        if not outcome.duplicate:
            made.append(outcome.registration)
        elif attach_existing and outcome.registration.enrolment_id is None:
            outcome.registration.enrolment = enrolment
    db.session.flush()
    return made


def continued(enrolment: Enrolment) -> list[Enrolment]:
    """This enrolment and the person's active ones in the series that continue it after
    "this and all following" splits (carry_over makes them), oldest first."""
    chain, series_ids = [enrolment], [enrolment.series_id]
    while series_ids:
        following = list(db.session.scalars(sa.select(Enrolment).join(
            EventSeries, EventSeries.id == Enrolment.series_id).where(
            EventSeries.split_from_id.in_(series_ids), Enrolment.person_id == enrolment.person_id,
            Enrolment.status == EnrolmentStatus.ACTIVE).order_by(Enrolment.id)))
        chain += following
        series_ids = [e.series_id for e in following]
    return chain


def enrolment_for(enrolment: Enrolment, event: Event) -> Enrolment | None:
    """The enrolment of this ticket's chain that covers the event's series, if any."""
    return next((e for e in continued(enrolment) if e.series_id == event.series_id), None)


def sessions(enrolment: Enrolment, now: datetime) -> list[tuple[Event, Registration | None, bool]]:
    """(occurrence, the person's registration, skipped) for each upcoming occurrence of the series
    and of its continuations after a split; a few queries whatever the number of sessions."""
    chain = continued(enrolment)
    events = list(db.session.scalars(sa.select(Event).where(
        Event.series_id.in_([e.series_id for e in chain]), Event.status == EventStatus.PUBLISHED,
        Event.starts_at > now).order_by(Event.starts_at)))
    ids = [e.id for e in events]
    regs = {r.event_id: r for r in db.session.scalars(sa.select(Registration).where(
        Registration.person_id == enrolment.person_id, Registration.event_id.in_(ids)))} if ids else {}
    skipped = set(db.session.scalars(sa.select(EnrolmentSkip.event_id).where(
        EnrolmentSkip.enrolment_id.in_([e.id for e in chain]))))
    return [(e, regs.get(e.id), e.id in skipped) for e in events]


def skip(enrolment: Enrolment, event: Event, now: datetime | None = None) -> None:
    """Skip one session: remember it, and cancel that session's registration (freeing the seat)."""
    capacity.lock_event(event.id)
    if event.id not in skipped_event_ids(enrolment):
        db.session.add(EnrolmentSkip(enrolment=enrolment, event_id=event.id))
    registration = db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.person_id == enrolment.person_id))
    if registration is not None and registration.is_active:
        cancel(registration, by=CancelledBy.REGISTRANT, notify=False, now=now)
    db.session.flush()


def unskip(enrolment: Enrolment, event: Event, locale: str = "vi", now: datetime | None = None) -> None:
    """Attend a skipped session after all: forget the skip and register again (seat permitting)."""
    capacity.lock_event(event.id)
    db.session.execute(sa.delete(EnrolmentSkip).where(
        EnrolmentSkip.enrolment_id == enrolment.id, EnrolmentSkip.event_id == event.id))
    register_enrolled(enrolment, [event], locale=locale, now=now)


def sync_enrolments(now: datetime | None = None) -> int:
    """Register every active enrolment for occurrences generated or published since (idempotent);
    returns how many registrations were made. Run by `flask registrations sync-enrolments`."""
    now = now or utcnow()
    made = 0
    for enrolment in db.session.scalars(sa.select(Enrolment).where(
            Enrolment.status == EnrolmentStatus.ACTIVE).order_by(Enrolment.id)).all():
        series_events = upcoming_occurrences(enrolment.series, now, published_only=True)
        have = set(db.session.scalars(sa.select(Registration.event_id).where(
            Registration.person_id == enrolment.person_id,
            Registration.event_id.in_([e.id for e in series_events])))) if series_events else set()
        missing = [e for e in series_events if e.id not in have]
        if missing:
            made += len(register_enrolled(enrolment, missing, now=now))
    return made


def carry_over(series: EventSeries, *, new_series: EventSeries, now: datetime, **_extra: object) -> int:
    """"This and all following" split the series: every active enrolment follows to the
    continuation, with the skips and registrations of the sessions that moved, and the person is
    registered for the continuation's other upcoming sessions. Returns how many enrolments moved."""
    moved_rows = sa.select(Event.id).where(Event.series_id == new_series.id).scalar_subquery()
    count = 0
    for enrolment in db.session.scalars(sa.select(Enrolment).where(
            Enrolment.series_id == series.id, Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(Enrolment.id)).all():
        continued = enrol(enrolment.person, new_series, now)
        db.session.execute(sa.update(EnrolmentSkip).where(
            EnrolmentSkip.enrolment_id == enrolment.id, EnrolmentSkip.event_id.in_(moved_rows))
            .values(enrolment_id=continued.id).execution_options(synchronize_session=False))
        db.session.execute(sa.update(Registration).where(
            Registration.enrolment_id == enrolment.id, Registration.event_id.in_(moved_rows))
            .values(enrolment_id=continued.id).execution_options(synchronize_session=False))
        db.session.expire(continued, ["skips", "registrations"])
        upcoming = upcoming_occurrences(new_series, now, published_only=True)
        have = set(db.session.scalars(sa.select(Registration.event_id).where(
            Registration.person_id == enrolment.person_id,
            Registration.event_id.in_([e.id for e in upcoming])))) if upcoming else set()
        register_enrolled(continued, [e for e in upcoming if e.id not in have],
                          locale=enrolment.person.locale or "vi", now=now)
        count += 1
    return count
