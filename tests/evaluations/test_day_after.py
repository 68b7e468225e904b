"""The day-after e-mail: once per attendee, through the outbox, with materials, evaluation and certificate."""

from __future__ import annotations

from datetime import timedelta

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.mail.sender import send_pending
from eventapp.materials import services as materials
from eventapp.materials.models import Audience
from tests.mail.conftest import smtp_server  # noqa: F401  (fixture: a real aiosmtpd on loopback)

PDF = b"%PDF-1.4\n%%EOF\n"


def test_each_attendee_gets_one_day_after_email_with_what_they_may_see(
        app, questionnaire, attendee, past_training, make_user, smtp_server) -> None:  # noqa: F811
    organiser = make_user(Role.ORGANISER)
    for audience, title in ((Audience.PUBLIC, "Chương trình hội nghị"),
                            (Audience.REGISTRANTS, "Bài trình bày An toàn thông tin"),
                            (Audience.SITES, "Hướng dẫn kỹ thuật điểm cầu")):
        materials.add_material(past_training, data=PDF, filename="tai-lieu.pdf", title=title,
                               audience=audience, agenda_item_id=None, actor=organiser)
    db.session.commit()
    registration, token = attendee()
    _absent, _t = attendee(checked_in=False)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "day-after"])
    assert result.exit_code == 0 and "queued 1 " in result.output
    assert "queued 0 " in runner.invoke(args=["mail", "day-after"]).output  # once
    [message] = db.session.query(OutboxMessage).all()
    assert message.to_address == registration.person.email
    assert "Cảm ơn" in message.subject and past_training.title in message.subject
    body = message.body_text
    assert "Chương trình hội nghị" in body and "Bài trình bày An toàn thông tin" in body
    assert "Hướng dẫn kỹ thuật điểm cầu" not in body
    assert f"/ticket/{token}/evaluation" in body
    assert "giấy chứng nhận" in body.lower() and f"/ticket/{token}" in body
    assert send_pending().sent == 1
    [(recipients, email)] = smtp_server.messages
    assert recipients == [registration.person.email]
    text = email.get_body(("plain",)).get_content()
    assert "Bài trình bày An toàn thông tin" in text


def test_events_not_over_or_long_past_send_nothing(app, questionnaire, attendee, past_training) -> None:
    attendee()
    past_training.ends_at = past_training.starts_at + timedelta(days=1)
    db.session.commit()
    assert "queued 0 " in app.test_cli_runner().invoke(args=["mail", "day-after"]).output
    past_training.ends_at = past_training.starts_at + timedelta(hours=1)
    past_training.starts_at -= timedelta(days=30)
    past_training.ends_at -= timedelta(days=30)
    db.session.commit()
    assert "queued 0 " in app.test_cli_runner().invoke(args=["mail", "day-after"]).output


def test_coordinators_of_sites_that_took_part_are_asked_once_to_answer_for_their_site(
        app, questionnaire, past_training, make_site, make_user, add_site_to_event) -> None:
    from eventapp.events.models import SiteParticipationStatus

    took_part, stayed_away = make_site(name="Sở TT&TT Quảng Ninh"), make_site()
    add_site_to_event(past_training, took_part).status = SiteParticipationStatus.REPORTED
    add_site_to_event(past_training, stayed_away)  # invited, never connected
    coordinator = make_user(Role.SITE_COORDINATOR, site=took_part)
    make_user(Role.SITE_COORDINATOR, site=stayed_away)
    make_user(Role.SITE_COORDINATOR, site=took_part, active=False)
    db.session.commit()
    runner = app.test_cli_runner()
    assert "and 1 site evaluation e-mails" in runner.invoke(args=["mail", "day-after"]).output
    assert "and 0 site evaluation e-mails" in runner.invoke(args=["mail", "day-after"]).output
    [message] = db.session.query(OutboxMessage).all()
    assert message.to_address == coordinator.email and "Quảng Ninh" in message.body_text
    assert f"/console/evaluations/sites/{took_part.id}/events/{past_training.id}" in message.body_text
