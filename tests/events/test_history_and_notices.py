"""Started events are history (never cancelled), lowered capacities warn, the last-day-of-month
preset, and registrants told about a new venue, link or end time."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eventapp.calendar import recurrence
from eventapp.directory.models import Region
from eventapp.events import occurrences, services
from eventapp.events.models import Event, EventMode, EventSeries, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.models import utcnow
from eventapp.registrations.models import RegistrationStatus
from tests.events.conftest import TZ
from tests.events.test_console_series import series_form

STARTED = "This event has already started or taken place, so it can no longer be cancelled"


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    return list(db.session.scalars(query.where(OutboxMessage.kind == kind) if kind else query))


def _checked_in(make_event, make_registration, **values):
    event = make_event(capacity=10, **values)
    registration = make_registration(event, checked_in_at=utcnow() - timedelta(minutes=30))
    db.session.commit()
    return event, registration


# ------------------------------------------------------------------ 1. started events are history

@pytest.mark.parametrize("starts_in", [timedelta(hours=-1), timedelta(days=-3)])  # going on, or over
def test_a_started_event_cannot_be_cancelled(app, make_event, make_registration, starts_in) -> None:
    event, registration = _checked_in(make_event, make_registration, starts_in=starts_in)
    with pytest.raises(services.EventError) as info:
        occurrences.cancel_event(event, "Nhầm lịch")
    assert info.value.code == "already_started"
    db.session.rollback()
    assert event.status == EventStatus.PUBLISHED and event.cancel_reason is None
    assert registration.status == RegistrationStatus.APPROVED and registration.checked_in_at
    assert outbox() == []


def test_the_console_refuses_to_cancel_a_started_event(client, organiser, make_event, make_registration) -> None:
    event, registration = _checked_in(make_event, make_registration, starts_in=timedelta(hours=-1))
    page = client.get(f"/console/events/{event.id}").get_data(as_text=True)
    assert STARTED in page and f"/console/events/{event.id}/cancel" not in page
    response = client.post(f"/console/events/{event.id}/cancel", data={"reason": "Nhầm lịch"},
                           follow_redirects=True)
    assert STARTED in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    assert registration.status == RegistrationStatus.APPROVED and outbox() == []


def test_cancelling_a_series_leaves_started_occurrences_and_their_registrations(
        make_series, make_registration, make_person) -> None:
    series = make_series()
    rows = services.upcoming_occurrences(series, utcnow())
    now = utcnow()
    past, going_on, ahead = rows[0], rows[1], rows[2]
    past.starts_at, past.ends_at = now - timedelta(days=30), now - timedelta(days=30) + timedelta(hours=1)
    going_on.starts_at, going_on.ends_at = now - timedelta(minutes=20), now + timedelta(hours=1)
    came = [make_registration(e, make_person(email=f"came{i}@example.vn"), checked_in_at=now - timedelta(minutes=30))
            for i, e in enumerate((past, going_on))]
    coming = make_registration(ahead, make_person(email="coming@example.vn"))
    db.session.commit()
    assert occurrences.cancel_series(series, "Thay đổi kế hoạch") == 1
    db.session.commit()
    assert past.status == going_on.status == EventStatus.PUBLISHED
    assert all(r.status == RegistrationStatus.APPROVED and r.checked_in_at for r in came)
    assert coming.status == RegistrationStatus.CANCELLED
    assert [m.to_address for m in outbox()] == ["coming@example.vn"]


def test_a_new_rule_keeps_a_started_occurrence_with_registrations(make_series, make_registration) -> None:
    series = make_series()
    event = services.upcoming_occurrences(series, utcnow())[0]
    # moved earlier by hand and already under way, while its identity (original start) is ahead
    event.starts_at, event.ends_at, event.is_exception = utcnow() - timedelta(minutes=10), utcnow() + timedelta(hours=1), True
    registration = make_registration(event, checked_in_at=utcnow())
    db.session.commit()
    series.rrule = "FREQ=MONTHLY;BYDAY=3MO"  # no longer on its date: the row is left unmatched
    occurrences.rebase(series, [event], horizon=series.generated_until)
    assert event.status == EventStatus.PUBLISHED and registration.status == RegistrationStatus.APPROVED


# ------------------------------------------------------------- 2. capacity below those approved

def test_lowering_capacity_below_the_approved_warns_and_removes_nobody(client, organiser, make_series,
                                                                      make_registration) -> None:
    series = make_series()
    event = services.upcoming_occurrences(series, utcnow())[0]
    approved = [make_registration(event) for _ in range(3)]
    db.session.commit()
    local = recurrence.to_local(event.starts_at, TZ)
    data = {"title": event.title, "starts_at": f"{local:%Y-%m-%dT%H:%M}",
            "ends_at": f"{local + timedelta(minutes=90):%Y-%m-%dT%H:%M}",
            "mode": "in_person", "venue": event.venue, "capacity": "2"}
    page = client.post(f"/console/events/{event.id}", data=data, follow_redirects=True).get_data(as_text=True)
    assert "3 people are already approved, more than the new capacity of 2; nobody was removed." in page
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 2
    assert all(r.status == RegistrationStatus.APPROVED for r in approved)
    quiet = client.post(f"/console/events/{event.id}", data={**data, "capacity": "3"}, follow_redirects=True)
    assert "already approved" not in quiet.get_data(as_text=True)


def test_lowering_the_series_capacity_warns_per_occurrence(client, organiser, make_series, make_registration) -> None:
    series = make_series()
    event = services.upcoming_occurrences(series, utcnow())[1]
    for _ in range(2):
        make_registration(event)
    db.session.commit()
    page = client.post(f"/console/events/series/{series.id}/edit", data=series_form(capacity="1"),
                       follow_redirects=True).get_data(as_text=True)
    assert "2 people are already approved, more than the new capacity of 1; nobody was removed." in page
    assert f"{recurrence.to_local(event.starts_at, TZ):%d/%m/%Y}" in page


def test_an_overbooked_occurrence_late_in_the_series_is_warned_too(client, organiser, make_series,
                                                                   make_registration) -> None:
    series = make_series()
    event = services.upcoming_occurrences(series, utcnow())[7]  # past the first few checked before
    for _ in range(2):
        make_registration(event)
    db.session.commit()
    page = client.post(f"/console/events/series/{series.id}/edit", data=series_form(capacity="1"),
                       follow_redirects=True).get_data(as_text=True)
    assert f"{recurrence.to_local(event.starts_at, TZ):%d/%m/%Y %H:%M}: 2 people are already approved" in page


def test_a_cancelled_occurrence_cannot_start_a_split_and_says_why(client, organiser, make_series) -> None:
    series = make_series()
    event = services.upcoming_occurrences(series, utcnow())[2]
    occurrences.cancel_event(event, "Trùng lịch")
    db.session.commit()
    page = client.get(f"/console/events/{event.id}/following", follow_redirects=True).get_data(as_text=True)
    assert "This event has already been cancelled." in page
    assert "has already taken place" not in page


def test_lowering_a_site_quota_below_the_approved_warns(client, organiser, make_event, make_site,
                                                       make_registration) -> None:
    site = make_site(name="Sở TT&TT Quảng Ninh", region=Region.RED_RIVER_DELTA)
    event = make_event(mode=EventMode.HYBRID, online_url="https://meet.example.vn/a")
    db.session.add(EventSite(event_id=event.id, site_id=site.id, quota=5))
    approved = [make_registration(event, site=site) for _ in range(4)]
    db.session.commit()
    table = {"sites-0-site_id": site.id, "sites-0-quota": "3"}
    page = client.post(f"/console/events/{event.id}/sites", data=table, follow_redirects=True).get_data(as_text=True)
    assert ("Sở TT&amp;TT Quảng Ninh: 4 people are already approved, more than the new quota of 3; "
            "nobody was removed.") in page
    assert all(r.status == RegistrationStatus.APPROVED for r in approved)


# ------------------------------------------------------------------ 3. last day of the month

def _next_january() -> date:
    return date(recurrence.to_local(utcnow(), TZ).year + 1, 1, 1)


def test_a_series_on_the_last_day_of_each_month(app, client, organiser) -> None:
    first = _next_january()
    page = client.get("/console/events/series/new").get_data(as_text=True)
    assert re.search(r'<option[^>]*value="-1"[^>]*>Last day of the month</option>', page)
    app.config["EVENT_HORIZON_MONTHS"] = 24  # next January may be almost a year away
    try:
        preview = client.get("/console/events/series/preview", query_string=series_form(
            start_date=f"{first}", preset="monthly_day", day="-1")).get_json()
        response = client.post("/console/events/series/new", data=series_form(
            start_date=f"{first}", preset="monthly_day", day="-1"))
    finally:
        app.config["EVENT_HORIZON_MONTHS"] = 12
    assert preview["error"] is None and preview["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert preview["dates"][0].endswith(f"31/01/{first.year} 09:00")
    assert response.status_code == 302, response.get_data(as_text=True)
    series = db.session.scalars(sa.select(EventSeries)).one()
    days = [recurrence.to_local(e.starts_at, TZ).date() for e in series.occurrences[:4]]
    february = calendar.monthrange(first.year, 2)[1]
    assert days == [date(first.year, 1, 31), date(first.year, 2, february), date(first.year, 3, 31),
                    date(first.year, 4, 30)]
    edit = client.get(f"/console/events/series/{series.id}/edit").get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="-1"|<option[^>]*value="-1"[^>]*selected', edit)


@pytest.mark.parametrize("day", ["0", "32", "-2", "abc"])
def test_other_days_are_refused(client, organiser, day) -> None:
    response = client.post("/console/events/series/new", data=series_form(preset="monthly_day", day=day))
    assert response.status_code == 422
    assert "Choose a day between 1 and 31, or the last day of the month." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries)) == 0


# ------------------------------------------------- 4. a new venue, link or end time is news

def _registrants(make_event, make_registration, make_person, **values):
    event = make_event(capacity=10, mode=EventMode.HYBRID, online_url="https://meet.example.vn/a", **values)
    for status in RegistrationStatus.APPROVED, RegistrationStatus.PENDING, RegistrationStatus.CANCELLED:
        make_registration(event, make_person(email=f"{status.value}@example.vn"), status=status)
    db.session.commit()
    return event


def _sequence(ics: str) -> int:
    return int(re.search(r"^SEQUENCE:(\d+)", ics.replace("\r\n ", ""), re.M).group(1))


@pytest.mark.parametrize("change", [
    {"venue": "Hội trường B, 18 Nguyễn Du"},
    {"online_url": "https://meet.example.vn/moi"},
    {"ends_at": "later"},
])
def test_a_new_venue_link_or_end_time_reaches_registrants(app, make_event, make_registration, make_person,
                                                          change) -> None:
    event = _registrants(make_event, make_registration, make_person)
    if "ends_at" in change:
        change = {"ends_at": event.ends_at + timedelta(hours=1)}
    before = event.sequence
    occurrences.update_event(event, change)
    db.session.commit()
    assert event.sequence > before
    sent = {m.to_address: m for m in outbox("event_updated")}
    assert sorted(sent) == ["approved@example.vn", "pending@example.vn"]  # not the cancelled one
    invitation = sent["approved@example.vn"]
    assert invitation.ics_method == "REQUEST" and _sequence(invitation.ics) > before
    assert sent["pending@example.vn"].ics is None and sent["pending@example.vn"].ics_method is None
    assert all(event.title in m.body_text and m.body_html for m in sent.values())
    assert outbox("event_rescheduled") == []


def test_a_move_sends_one_message_not_two(app, make_event, make_registration, make_person) -> None:
    event = _registrants(make_event, make_registration, make_person)
    occurrences.update_event(event, {"starts_at": event.starts_at + timedelta(days=1),
                                     "ends_at": event.ends_at + timedelta(days=1), "venue": "Hội trường C"})
    db.session.commit()
    assert [m.kind for m in outbox()] == ["event_rescheduled"] * 2


def test_no_notice_for_a_correction_after_the_event(app, make_event, make_registration, make_person) -> None:
    event = _registrants(make_event, make_registration, make_person, starts_in=timedelta(days=-2))
    occurrences.update_event(event, {"venue": "Hội trường đúng"})
    db.session.commit()
    assert outbox() == []


def test_a_new_series_venue_reaches_occurrence_registrants(make_series, make_registration, make_person) -> None:
    series = make_series()
    event = services.upcoming_occurrences(series, utcnow())[2]
    make_registration(event, make_person(email="a@example.vn"))
    db.session.commit()
    before = event.sequence
    occurrences.update_series(series, services.SeriesSpec(**{
        **services.spec_from_series(series).__dict__, "venue": "Trung tâm Báo chí Quốc gia"}))
    db.session.commit()
    [message] = outbox("event_updated")
    assert message.to_address == "a@example.vn" and _sequence(message.ics) > before
    assert "Trung tâm Báo chí Quốc gia" in message.body_text



def test_a_series_venue_change_reaches_every_occurrence_with_one_registrants_query(
        make_series, make_registration, make_person) -> None:
    series = make_series()
    rows = services.upcoming_occurrences(series, utcnow())[:6]
    for n, event in enumerate(rows):
        make_registration(event, make_person(email=f"p{n}@example.vn"))
    db.session.commit()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        occurrences.update_series(series, services.SeriesSpec(**{
            **services.spec_from_series(series).__dict__, "venue": "Hội trường Bộ, 18 Nguyễn Du"}))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    db.session.commit()
    assert sorted(m.to_address for m in outbox("event_updated")) == [f"p{n}@example.vn" for n in range(6)]
    registrant_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")
                        and "FROM registrations" in s and "status IN" in s]
    assert len(registrant_reads) == 1, registrant_reads
