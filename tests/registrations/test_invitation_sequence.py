"""Invitations that arrive over SMTP keep a rising SEQUENCE per registrant: a re-registration or a
re-approval outranks the CANCEL before it, and losing a seat (rejected, wait-listed) sends a CANCEL."""

from __future__ import annotations

import sqlalchemy as sa
from icalendar import Calendar

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.mail.sender import send_pending
from eventapp.registrations import public, services
from eventapp.registrations.models import CancelledBy, Registration, RegistrationStatus
from tests.mail.conftest import smtp_server  # noqa: F401  (fixture: a real aiosmtpd on loopback)

S = RegistrationStatus
EMAIL = "binh@baochi.vn"


def _arrived(server) -> list[tuple[str | None, int | None]]:
    """(iTIP method, SEQUENCE) of every e-mail delivered so far, in order; (None, None) without one."""
    assert send_pending().failed == 0
    found = []
    for _recipients, email in server.messages:
        parts = [p for p in email.walk() if p.get_content_type() == "text/calendar"]
        if not parts:
            found.append((None, None))
            continue
        calendar = Calendar.from_ical(parts[-1].get_content())
        [vevent] = calendar.walk("VEVENT")
        assert parts[-1].get_param("method") == str(calendar["METHOD"])
        found.append((str(calendar["METHOD"]), int(vevent["SEQUENCE"])))
    return found


def _submit(event) -> Registration:
    public.submit_public(event, services.Applicant(full_name="Trần Thị Bình", email=EMAIL))
    db.session.commit()
    return db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))


def test_cancel_then_register_again_raises_the_sequence(make_event, smtp_server) -> None:  # noqa: F811
    event = make_event(capacity=10)
    db.session.commit()
    registration = _submit(event)
    services.cancel(registration, by=CancelledBy.REGISTRANT)
    db.session.commit()
    _submit(event)
    services.cancel(registration, by=CancelledBy.REGISTRANT)
    db.session.commit()
    _submit(event)
    arrived = _arrived(smtp_server)
    assert [m for m, _s in arrived] == ["REQUEST", "CANCEL", "REQUEST", "CANCEL", "REQUEST"]
    sequences = [s for _m, s in arrived]
    assert all(later > earlier for earlier, later in zip(sequences, sequences[1:], strict=False)), sequences
    assert [recipients for recipients, _email in smtp_server.messages] == [[EMAIL]] * 5


def test_event_changes_and_personal_changes_both_raise_it(make_event, smtp_server) -> None:  # noqa: F811
    event = make_event(capacity=10)
    db.session.commit()
    registration = _submit(event)
    services.cancel(registration, by=CancelledBy.REGISTRANT)
    db.session.commit()
    event.sequence = (event.sequence or 0) + 3  # the event itself changed meanwhile
    db.session.commit()
    _submit(event)
    sequences = [s for _m, s in _arrived(smtp_server)]
    assert sequences[2] >= sequences[1] + 1 and sequences[2] >= (event.sequence or 0)


def test_rejecting_an_approved_registration_cancels_the_invitation(make_event, make_user,
                                                                  smtp_server) -> None:  # noqa: F811
    organiser = make_user(Role.ORGANISER)
    event = make_event(capacity=10)
    db.session.commit()
    registration = _submit(event)
    services.change_status(registration, S.REJECTED, actor=organiser, reason="Trùng lịch")
    db.session.commit()
    services.change_status(registration, S.APPROVED, actor=organiser)
    db.session.commit()
    arrived = _arrived(smtp_server)
    assert [m for m, _s in arrived] == ["REQUEST", "CANCEL", "REQUEST"]
    assert arrived[0][1] < arrived[1][1] < arrived[2][1]
    cancel = smtp_server.messages[1][1]
    assert "Trùng lịch" in cancel.get_body(preferencelist=("plain",)).get_content()


def test_wait_listing_an_approved_registration_cancels_and_promotion_invites_again(
        make_event, make_user, smtp_server) -> None:  # noqa: F811
    organiser = make_user(Role.ORGANISER)
    event = make_event(capacity=1, waitlist_enabled=True)
    db.session.commit()
    registration = _submit(event)
    public.submit_public(event, services.Applicant(full_name="Lê Văn Cường", email="cuong@baochi.vn"))
    db.session.commit()
    other = db.session.scalar(sa.select(Registration).where(Registration.id != registration.id))
    assert other.status == S.WAITLISTED
    services.change_status(registration, S.WAITLISTED, actor=organiser)  # the seat goes to the other
    db.session.commit()
    services.cancel(other, by=CancelledBy.REGISTRANT)  # and comes back
    db.session.commit()
    assert registration.status == S.APPROVED
    arrived = _arrived(smtp_server)
    mine = [found for (recipients, _email), found in zip(smtp_server.messages, arrived, strict=True)
            if recipients == [EMAIL]]
    assert [m for m, _s in mine] == ["REQUEST", "CANCEL", "REQUEST"]
    assert mine[0][1] < mine[1][1] < mine[2][1]


def test_no_cancel_for_a_registration_that_never_had_a_seat(make_event, make_user,
                                                           smtp_server) -> None:  # noqa: F811
    organiser = make_user(Role.ORGANISER)
    event = make_event(capacity=10, requires_approval=True, waitlist_enabled=True)
    db.session.commit()
    registration = _submit(event)
    assert registration.status == S.PENDING
    services.change_status(registration, S.WAITLISTED, actor=organiser)
    db.session.commit()
    services.change_status(registration, S.REJECTED, actor=organiser)
    db.session.commit()
    assert _arrived(smtp_server) == [(None, None)] * 3


def test_wait_listing_with_nobody_waiting_is_refused_not_undone(make_event, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    event = make_event(capacity=10, waitlist_enabled=True)
    db.session.commit()
    registration = _submit(event)
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    try:
        services.change_status(registration, S.WAITLISTED, actor=organiser)
    except services.RegistrationError as error:
        assert error.code == "waitlist_free_seat"
        db.session.rollback()
    else:
        raise AssertionError("wait-listing with a free seat and nobody waiting must be refused")
    db.session.refresh(registration)
    assert registration.status == S.APPROVED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == sent  # no e-mails
