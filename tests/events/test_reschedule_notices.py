"""Moving or cancelling an event: who gets a calendar invitation, text and HTML parts, and the
day-before reminder for the new date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from eventapp.events import occurrences
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.registrations.cli import queue_reminders
from eventapp.registrations.models import RegistrationStatus


def _messages(kind: str) -> dict[str, OutboxMessage]:
    return {m.to_address: m for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind))}


def _unfolded(ics: str) -> str:
    return ics.replace("\r\n ", "")


def _three(make_event, make_registration, make_person, **values):
    event = make_event(capacity=10, **values)
    for status in RegistrationStatus.APPROVED, RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED:
        make_registration(event, make_person(email=f"{status.value}@example.vn"), status=status)
    db.session.commit()
    return event


def test_only_confirmed_registrants_get_the_updated_invitation(app, make_event, make_registration, make_person) -> None:
    event = _three(make_event, make_registration, make_person, title="Họp báo <b>quý</b>")
    occurrences.update_event(event, {"starts_at": event.starts_at + timedelta(days=1),
                                     "ends_at": event.ends_at + timedelta(days=1)})
    db.session.commit()
    sent = _messages("event_rescheduled")
    assert sorted(sent) == ["approved@example.vn", "pending@example.vn", "waitlisted@example.vn"]
    confirmed = sent["approved@example.vn"]
    assert confirmed.ics_method == "REQUEST" and "PARTSTAT=ACCEPTED" in _unfolded(confirmed.ics)
    for address in "pending@example.vn", "waitlisted@example.vn":
        assert sent[address].ics is None and sent[address].ics_method is None
    for message in sent.values():
        assert message.body_html and "<html" in message.body_html
        assert "Họp báo &lt;b&gt;quý&lt;/b&gt;" in message.body_html and "<b>quý</b>" not in message.body_html
        assert "Họp báo <b>quý</b>" in message.body_text  # plain text is not HTML-escaped


def test_cancellation_has_html_and_a_cancel_only_for_the_confirmed(app, make_event, make_registration, make_person) -> None:
    event = _three(make_event, make_registration, make_person)
    occurrences.cancel_event(event, "Lãnh đạo đi công tác")
    db.session.commit()
    sent = _messages("event_cancelled")
    assert len(sent) == 3
    assert sent["approved@example.vn"].ics_method == "CANCEL"
    assert sent["pending@example.vn"].ics is None and sent["waitlisted@example.vn"].ics is None
    assert all("Lãnh đạo đi công tác" in m.body_html and "Lãnh đạo đi công tác" in m.body_text for m in sent.values())


def test_a_moved_event_gets_its_day_before_reminder_again(app, make_event, make_registration, make_person) -> None:
    now = (datetime.now(UTC) + timedelta(days=2)).replace(hour=3, minute=0, second=0, microsecond=0)
    event = make_event(starts_at=now + timedelta(hours=24), capacity=10)
    make_registration(event, make_person(email="a@example.vn"))
    db.session.commit()
    assert queue_reminders(now) == 1
    assert queue_reminders(now) == 0  # still once per date
    occurrences.update_event(event, {"starts_at": event.starts_at + timedelta(days=7),
                                     "ends_at": event.ends_at + timedelta(days=7)}, now=now)
    db.session.commit()
    assert queue_reminders(now + timedelta(days=7)) == 1
    assert queue_reminders(now + timedelta(days=7)) == 0


def test_a_change_that_keeps_the_time_keeps_the_reminder_sent(app, make_event, make_registration, make_person) -> None:
    now = (datetime.now(UTC) + timedelta(days=2)).replace(hour=3, minute=0, second=0, microsecond=0)
    event = make_event(starts_at=now + timedelta(hours=24), capacity=10)
    make_registration(event, make_person(email="b@example.vn"))
    db.session.commit()
    assert queue_reminders(now) == 1
    occurrences.update_event(event, {"venue": "Hội trường B"}, now=now)
    db.session.commit()
    assert queue_reminders(now) == 0
