"""Issue 14, findings 1, 2, 8: a stranger's submission changes nothing that exists; ticket links
change only at the holder's confirmed request; series enrolment respects closed windows."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.directory.models import Person
from eventapp.events.models import Event, EventKind, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations import emails, services, tickets
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.tokens import hash_token, new_token
from tests.registrations.conftest import last_ticket_token, messages

RENEWAL_LINK = re.compile(r"/ticket/renew/([A-Za-z0-9_-]+)")


def _registration() -> Registration:
    db.session.expire_all()
    return db.session.scalar(sa.select(Registration))


def _renewal_token(message) -> str:
    match = RENEWAL_LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_a_stranger_resubmitting_an_address_never_kills_the_ticket(client, submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    submit(event)
    token = last_ticket_token("binh@baochi.vn")
    for _attempt in range(3):
        assert submit(event, full_name="Kẻ Lạ", phone="0999 999 999").status_code == 302
    assert client.get(f"/ticket/{token}").status_code == 200
    [reminder] = messages(kind=emails.TICKET_RESENT)  # three duplicates, one reminder per 15 minutes
    assert last_ticket_token("binh@baochi.vn") == token and token in reminder.body_text
    assert "/ticket/renew/" in reminder.body_text  # and a way to get a new link, by confirming

    registration = _registration()
    registration.ticket_reminded_at = utcnow() - tickets.TICKET_REMINDER_INTERVAL - timedelta(seconds=1)
    db.session.commit()
    submit(event)
    assert len(messages(kind=emails.TICKET_RESENT)) == 2
    assert last_ticket_token("binh@baochi.vn") == token
    assert client.get(f"/ticket/{token}").status_code == 200


def test_no_email_changes_the_ticket_link(client, submit, make_event, make_user) -> None:
    event = make_event(requires_approval=True)
    db.session.commit()
    submit(event)
    token = last_ticket_token("binh@baochi.vn")
    services.change_status(_registration(), RegistrationStatus.APPROVED, actor=make_user(Role.ORGANISER))
    emails.notify(_registration(), emails.REMINDER)
    db.session.commit()
    assert [m.kind for m in messages()] == [emails.RECEIVED, emails.APPROVED, emails.REMINDER]
    assert all(token in m.body_text for m in messages())
    assert client.get(f"/ticket/{token}").status_code == 200


def test_the_holder_gets_a_new_link_only_by_confirming_from_their_mailbox(client, submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    submit(event)
    old = last_ticket_token("binh@baochi.vn")
    assert client.post(f"/ticket/{old}/renew").status_code == 302
    [request] = messages(kind=emails.RENEWAL_REQUESTED)
    assert request.to_address == "binh@baochi.vn" and "/ticket/" + old not in request.body_text
    renewal = _renewal_token(request)
    assert client.get(f"/ticket/{old}").status_code == 200  # nothing changes before confirming

    page = client.get(f"/ticket/renew/{renewal}")  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "data-confirm-renewal" in page.get_data(as_text=True)
    assert client.get(f"/ticket/{old}").status_code == 200
    confirmed = client.post(f"/ticket/renew/{renewal}")
    assert confirmed.status_code == 302
    new = confirmed.headers["Location"].rsplit("/ticket/", 1)[1]
    assert new != old and client.get(f"/ticket/{new}").status_code == 200
    assert client.get(f"/ticket/{old}").status_code == 404
    assert last_ticket_token("binh@baochi.vn") == new  # also e-mailed
    assert client.post(f"/ticket/renew/{renewal}").status_code == 404  # single use
    assert client.get(f"/ticket/{new}").status_code == 200


def test_renewal_links_expire_and_cannot_be_forged(client, submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    submit(event)
    registration = _registration()
    expired = tickets.renewal_token(registration, now=utcnow() - tickets.RENEWAL_MAX_AGE - timedelta(minutes=1))
    valid = tickets.renewal_token(registration)
    forged = valid[:-4] + ("AAAA" if not valid.endswith("AAAA") else "BBBB")
    other_id = f"{registration.id + 1}" + valid[len(str(registration.id)):]
    for bad in (expired, forged, other_id, "1-0-99999999999-x", "¹-0-1-abc", "a" * 200):
        assert client.get(f"/ticket/renew/{bad}").status_code == 404, bad
    assert client.get(f"/ticket/renew/{valid}").status_code == 200


def test_tickets_issued_before_derived_links_keep_working_and_are_never_replaced(client, submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    submit(event)
    legacy = new_token()  # a random token from before: only its hash is known, it can't be repeated
    _registration().ticket_token_hash = hash_token(legacy)
    db.session.commit()
    submit(event)
    [reminder] = messages(kind=emails.TICKET_RESENT)
    assert "/ticket/renew/" in reminder.body_text and not re.search(r"/ticket/[A-Za-z0-9_-]{40,}", reminder.body_text)
    assert client.get(f"/ticket/{legacy}").status_code == 200


def test_a_stranger_never_writes_into_an_existing_person(submit, make_event, make_person) -> None:
    person = make_person("Trần Thị Bình", email="binh@baochi.vn")
    assert (person.phone, person.position, person.press_card_no, person.organisation_id) == (None, None, None, None)
    event = make_event()
    db.session.commit()
    submit(event, full_name="Kẻ Lạ", phone="0999 999 999", position="Giả mạo", press_card_no="X-1")
    db.session.expire_all()
    person = db.session.scalar(sa.select(Person))
    assert (person.full_name, person.phone, person.position, person.press_card_no, person.organisation_id) == (
        "Trần Thị Bình", None, None, None, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1  # registered all the same


def test_a_new_person_keeps_what_they_typed(submit, make_event, outlet) -> None:
    event = make_event()
    db.session.commit()
    submit(event, press_card_no="BC-123")
    person = db.session.scalar(sa.select(Person))
    assert (person.phone, person.position, person.press_card_no, person.organisation_id) == (
        "0912 345 678", "Phóng viên", "BC-123", outlet.id)


def _series(windows: list[tuple[timedelta | None, timedelta | None]]) -> list[Event]:
    """Weekly occurrences; each window is (opens relative to now, closes relative to now)."""
    series = EventSeries(kind=EventKind.PRESS_BRIEFING, title="Họp báo", rrule="FREQ=WEEKLY",
                         dtstart_local=utcnow().replace(tzinfo=None), duration_minutes=60)
    db.session.add(series)
    db.session.flush()
    now, events = utcnow().replace(microsecond=0), []
    for i, (opens, closes) in enumerate(windows):
        start = now + timedelta(days=2 + 7 * i)
        events.append(Event(series_id=series.id, original_start=start, kind=EventKind.PRESS_BRIEFING,
                            title="Họp báo", starts_at=start, ends_at=start + timedelta(hours=1),
                            status=EventStatus.PUBLISHED,
                            registration_opens_at=now + opens if opens is not None else None,
                            registration_closes_at=now + closes if closes is not None else None))
    db.session.add_all(events)
    db.session.commit()
    return events


def test_whole_series_leaves_out_sessions_whose_window_is_closed(client, submit, app) -> None:
    closed, open_now, later = _series([(None, timedelta(hours=-1)), (None, None), (None, None)])
    assert submit(open_now, scope="series").status_code == 302
    db.session.expire_all()
    registered = set(db.session.scalars(sa.select(Registration.event_id)))
    assert registered == {open_now.id, later.id}
    page = client.get(f"/ticket/{last_ticket_token('binh@baochi.vn')}").get_data(as_text=True)
    closed_row = re.search(rf'data-session="{closed.id}".*?</li>', page, re.S).group(0)
    assert "data-session-closed" in closed_row  # the ticket page says which one was left out
