"""The day-after e-mail: once per attendee after the event, with the materials they may see, the
evaluation, and where their certificate of participation is. `flask mail day-after` (daily cron)."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventapp.evaluations import services
from eventapp.evaluations.models import DayAfterEmail
from eventapp.events.models import Event, EventStatus
from eventapp.extensions import db
from eventapp.mail.rendering import rendering
from eventapp.mail.sender import one_line
from eventapp.mail.services import queue_message
from eventapp.materials import services as materials
from eventapp.models import utcnow
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.registrations.tickets import current_ticket, public_url, ticket_url

KIND = "evaluation.day_after"
# Events that ended longer ago than this are left alone (a first run must not write to old attendees).
LOOK_BACK = timedelta(days=7)


def due(now: datetime) -> list[int]:
    """Attendees of events that ended (within LOOK_BACK) who have not had the e-mail."""
    return list(db.session.scalars(
        sa.select(Registration.id).join(Event, Registration.event_id == Event.id)
        .outerjoin(DayAfterEmail, DayAfterEmail.registration_id == Registration.id)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at <= now, Event.ends_at > now - LOOK_BACK,
               Registration.status == RegistrationStatus.APPROVED, Registration.checked_in_at.is_not(None),
               DayAfterEmail.registration_id.is_(None))
        .order_by(Registration.id)))


def _claim(registration_id: int, now: datetime) -> bool:
    """Record the e-mail as queued; False when another run did it first (the primary key holds)."""
    try:
        with db.session.begin_nested():
            db.session.add(DayAfterEmail(registration_id=registration_id, queued_at=now))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def render(registration: Registration, now: datetime) -> tuple[str, str, str]:
    """(subject, text, HTML) of one attendee's day-after e-mail, in their language."""
    event = registration.event
    person = registration.person
    token = current_ticket(registration)
    shelf = materials.shelf(event, materials.registrant_audiences(registration))
    files = [(m, public_url("materials.ticket_download", token=token, material_id=m.id) if token
              else None) for m in shelf.materials]
    # Files reach the person only through their ticket (or, when it can't be repeated, public ones).
    files = [(m, url or public_url("materials.public_download", event_id=event.id, material_id=m.id))
             for m, url in files if url or m.audience.value == "public"]
    evaluation_url = None
    if token and services.questions(event) and services.window_state(event, now) == "open":
        evaluation_url = public_url("evaluations.answer", token=token)
    locale = registration.locale or person.locale or "vi"
    with rendering(locale):
        context = {"lang": locale, "event": event, "name": person.full_name, "files": files,
                   "links": shelf.links, "evaluation_url": evaluation_url,
                   "ticket_url": ticket_url(token) if token else None,
                   "event_url": public_url("events.detail", event_id=event.id)}
        subject = one_line(_("Thank you for attending: %(title)s", title=event.title))[:300]
        return (subject, render_template("evaluations/emails/day_after.txt", **context),
                render_template("evaluations/emails/day_after.html", **context))


def queue_day_after(now: datetime | None = None) -> int:
    """Queue each due e-mail once, committing one by one; attendees without an address are skipped
    (marked as done: their coordinator answers for the site)."""
    now = now or utcnow()
    queued = 0
    for registration_id in due(now):
        if not _claim(registration_id, now):
            db.session.rollback()
            continue
        registration = db.session.scalar(
            sa.select(Registration).options(selectinload(Registration.person), selectinload(Registration.event))
            .where(Registration.id == registration_id))
        if registration is not None and registration.person.email:
            subject, body_text, body_html = render(registration, now)
            queue_message(kind=KIND, to_address=registration.person.email, to_name=registration.person.full_name,
                          subject=subject, body_text=body_text, body_html=body_html,
                          locale=registration.locale or registration.person.locale or "vi")
            queued += 1
        db.session.commit()
    return queued


@click.command("day-after")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
def day_after_command(now_text: str | None) -> None:
    """Queue the day-after e-mail (materials, evaluation, certificate) for attendees (safe to run often)."""
    now = None
    if now_text:
        now = datetime.fromisoformat(now_text)
        if now.tzinfo is None:
            raise click.BadParameter("give a time zone, e.g. 2026-12-01T09:00+07:00")
    click.echo(f"queued {queue_day_after(now)} day-after e-mails")
