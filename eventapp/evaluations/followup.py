"""The day-after e-mails (`flask mail day-after`, daily cron): once per attendee after the event, with
the materials they may see, the evaluation and where their certificate of participation is; and once
per site that took part, to its coordinators, with the link to answer the evaluation for the site."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventapp.accounts.models import Role, User
from eventapp.accounts.permissions import can_manage_site
from eventapp.directory.models import Site
from eventapp.evaluations import services
from eventapp.evaluations.models import DayAfterEmail, EvaluationQuestion, SiteEvaluationNotice
from eventapp.events.models import Event, EventSite, EventStatus, SiteParticipationStatus
from eventapp.extensions import db
from eventapp.mail.rendering import rendering
from eventapp.mail.sender import one_line
from eventapp.mail.services import queue_message
from eventapp.materials import services as materials
from eventapp.models import utcnow
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.registrations.tickets import current_ticket, public_url, ticket_url

KIND = "evaluation.day_after"
SITE_KIND = "evaluation.site_invitation"
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


def _claim(row: DayAfterEmail | SiteEvaluationNotice) -> bool:
    """Record the e-mail as queued; False when another run did it first (the primary key holds)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
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
        if not _claim(DayAfterEmail(registration_id=registration_id, queued_at=now)):
            db.session.rollback()
            continue
        registration = db.session.execute(
            sa.select(Registration).options(selectinload(Registration.person), selectinload(Registration.event))
            .where(Registration.id == registration_id)).scalar_one()
        if registration.person.email:
            subject, body_text, body_html = render(registration, now)
            queue_message(kind=KIND, to_address=registration.person.email, to_name=registration.person.full_name,
                          subject=subject, body_text=body_text, body_html=body_html,
                          locale=registration.locale or registration.person.locale or "vi")
            queued += 1
        db.session.commit()
    return queued


def sites_due(now: datetime) -> list[tuple[int, int]]:
    """(event, site) pairs of events with a questionnaire that ended (within LOOK_BACK) where the site
    took part (connected or reported its room) and its coordinators have not been asked yet."""
    asked = sa.select(EvaluationQuestion.id).where(EvaluationQuestion.event_id == Event.id).exists()
    return [(row.event_id, row.site_id) for row in db.session.execute(
        sa.select(EventSite.event_id, EventSite.site_id).join(Event, EventSite.event_id == Event.id)
        .outerjoin(SiteEvaluationNotice, sa.and_(SiteEvaluationNotice.event_id == EventSite.event_id,
                                                 SiteEvaluationNotice.site_id == EventSite.site_id))
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at <= now, Event.ends_at > now - LOOK_BACK,
               EventSite.status != SiteParticipationStatus.INVITED, asked,
               SiteEvaluationNotice.site_id.is_(None))
        .order_by(EventSite.event_id, EventSite.site_id))]


def _coordinators(site: Site) -> list[User]:
    candidates = db.session.scalars(sa.select(User).where(
        User.role == Role.SITE_COORDINATOR, User.is_active_account.is_(True),
        sa.or_(User.site_id == site.id, sa.and_(User.site_id.is_(None), User.organisation_id == site.organisation_id)))
        .order_by(User.id))
    return [user for user in candidates if can_manage_site(user, site.id)]


def queue_site_invitations(now: datetime | None = None) -> int:
    """Ask each site that took part, once, to answer for its room; returns the e-mails queued."""
    now = now or utcnow()
    queued = 0
    for event_id, site_id in sites_due(now):
        if not _claim(SiteEvaluationNotice(event_id=event_id, site_id=site_id, queued_at=now)):
            db.session.rollback()
            continue
        event, site = db.session.get_one(Event, event_id), db.session.get_one(Site, site_id)
        for user in _coordinators(site):
            locale = user.locale or "vi"
            with rendering(locale):
                context = {"lang": locale, "event": event, "site": site, "name": user.full_name or user.email,
                           "answer_url": public_url("evaluations.site_answer", site_id=site.id, event_id=event.id)}
                subject = one_line(_("Evaluation for your site: %(title)s", title=event.title))[:300]
                body_text = render_template("evaluations/emails/site_invitation.txt", **context)
                body_html = render_template("evaluations/emails/site_invitation.html", **context)
            queue_message(kind=SITE_KIND, to_address=user.email, to_name=user.full_name or None, subject=subject,
                          body_text=body_text, body_html=body_html, locale=locale)
            queued += 1
        db.session.commit()
    return queued


@click.command("day-after")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
def day_after_command(now_text: str | None) -> None:
    """Queue the day-after e-mails (attendees: materials, evaluation, certificate; sites' coordinators:
    their site's evaluation). Safe to run often: each goes once."""
    now = None
    if now_text:
        now = datetime.fromisoformat(now_text)
        if now.tzinfo is None:
            raise click.BadParameter("give a time zone, e.g. 2026-12-01T09:00+07:00")
    attendees = queue_day_after(now)
    sites = queue_site_invitations(now)
    click.echo(f"queued {attendees} day-after e-mails and {sites} site evaluation e-mails")
