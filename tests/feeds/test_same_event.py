"""One event, one identity: /events/<id>.ics, the feeds and e-mailed invitations agree on UID,
RECURRENCE-ID and SEQUENCE, so a calendar holding several of them shows the event once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events
import sqlalchemy as sa
from icalendar import Calendar

from eventapp.events.models import EventStatus
from eventapp.events.occurrences import cancel_event
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.registrations import public, services


def _vevents(body: bytes | str) -> list[tuple[str, datetime | None, int, str]]:
    """(UID, RECURRENCE-ID in UTC, SEQUENCE, STATUS) of every VEVENT."""
    found = []
    for vevent in Calendar.from_ical(body).walk("VEVENT"):
        rid = vevent.get("RECURRENCE-ID")
        found.append((str(vevent["UID"]), rid.dt.astimezone(UTC) if rid else None,
                      int(vevent["SEQUENCE"]), str(vevent["STATUS"])))
    return found


def _feed_has_instance(body: bytes, uid: str, start: datetime) -> bool:
    """Whether the feed expands to an instance of `uid` that starts at `start` (or was moved from it)."""
    calendar = Calendar.from_ical(body)
    overrides = {(u, rid) for u, rid, _seq, _status in _vevents(body) if rid is not None}
    if (uid, start) in overrides:
        return True
    day = start.astimezone(UTC)
    return any(str(e["UID"]) == uid and e["DTSTART"].dt.astimezone(UTC) == start
               for e in recurring_ical_events.of(calendar).between(day - timedelta(days=1), day + timedelta(days=1)))


@pytest.mark.parametrize("which", ["moved", "edited", "plain", "one_off"])
def test_the_event_ics_names_the_event_as_the_feed_and_the_invitation_do(
        client, world, make_person, make_registration, which) -> None:
    plain = [e for e in world.weekly.occurrences if e.starts_at > world.now and not e.is_exception
             and e.status == EventStatus.PUBLISHED][3]
    event = {"moved": world.moved, "edited": world.edited, "plain": plain, "one_off": world.one_off}[which]
    person = make_person(full_name="Trần Thị Bình", email="binh@baochi.vn")
    db.session.commit()

    [own] = _vevents(client.get(f"/events/{event.id}.ics").data)
    public.submit_public(event, services.Applicant(full_name=person.full_name, email=person.email))
    db.session.commit()
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.ics_method == "REQUEST"))
    [invited] = _vevents(message.ics)
    assert own[:3] == invited[:3]  # UID, RECURRENCE-ID and SEQUENCE
    feed = client.get("/calendar.ics").data
    if which == "one_off":
        assert own[0] == event.uid and own[1] is None
        assert event.uid in {uid for uid, *_rest in _vevents(feed)}
    else:
        assert own[0] == world.weekly.uid and own[1] == event.original_start.astimezone(UTC)
        assert _feed_has_instance(feed, own[0], own[1])


def test_a_cancelled_session_keeps_its_identity_in_the_cancel_mail_and_its_ics(
        client, world, make_person, make_registration) -> None:
    session = world.edited
    make_registration(session, person=make_person(email="an@baochi.vn"))
    db.session.commit()
    before = _vevents(client.get(f"/events/{session.id}.ics").data)[0]
    cancel_event(session, "Trùng lịch họp Chính phủ")
    db.session.commit()

    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.ics_method == "CANCEL"))
    [cancel] = _vevents(message.ics)
    [own] = _vevents(client.get(f"/events/{session.id}.ics").data)
    assert (own[0], own[1], own[3]) == (cancel[0], cancel[1], "CANCELLED")
    assert own[0] == world.weekly.uid and own[1] == session.original_start.astimezone(UTC)
    assert own[2] > before[2]  # calendars must see the cancellation as newer
