"""`flask mail reminders` (the day-before reminder) and `flask registrations sync-enrolments`."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.orm import selectinload

from eventapp.calendar import recurrence
from eventapp.events.models import Event, EventStatus
from eventapp.extensions import db
from eventapp.models import rows_changed, utcnow
from eventapp.registrations import emails
from eventapp.registrations.enrolments import sync_enrolments
from eventapp.registrations.models import Registration

registrations_cli = AppGroup("registrations", help="Registrations: enrolments.")


def _due(now: datetime) -> list[int]:
    """Approved registrations, not yet reminded, of events whose local date is tomorrow."""
    rows = db.session.execute(
        sa.select(Registration.id, Event.starts_at, Event.tz).join(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now,
               Event.starts_at < now + timedelta(hours=60),
               Registration.holds_seat,
               Registration.reminder_sent_at.is_(None))
        .order_by(Registration.id)).all()
    due = []
    for registration_id, starts_at, tz in rows:
        zone = recurrence.zone(tz)
        if starts_at.astimezone(zone).date() == (now.astimezone(zone) + timedelta(days=1)).date():
            due.append(registration_id)
    return due


def queue_reminders(now: datetime | None = None) -> int:
    """Queue each due reminder once, committing one by one.

    The claim is an atomic conditional UPDATE (`… WHERE reminder_sent_at IS NULL`): of two runs at
    the same time only one changes the row, so a reminder is queued at most once per registration.
    """
    now = now or utcnow()
    queued = 0
    for registration_id in _due(now):
        claimed = db.session.execute(
            sa.update(Registration).where(Registration.id == registration_id,
                                          Registration.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False))
        if rows_changed(claimed) != 1:
            db.session.rollback()
            continue
        registration = db.session.scalar(
            sa.select(Registration).options(selectinload(Registration.person), selectinload(Registration.event))
            .where(Registration.id == registration_id).execution_options(populate_existing=True))
        if registration is None:
            continue  # claimed above in this transaction: it cannot be gone
        if emails.notify(registration, emails.REMINDER):
            queued += 1
        db.session.commit()
    return queued


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2026-12-01T09:00+07:00")
    return instant


@click.command("reminders")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
def reminders_command(now_text: str | None) -> None:
    """Queue the day-before reminder for confirmed registrations (safe to run often)."""
    count = queue_reminders(_parse_now(now_text))
    click.echo(f"queued {count} reminders")


@registrations_cli.command("sync-enrolments")
def sync_enrolments_command() -> None:
    """Register enrolled journalists for occurrences published since they enrolled."""
    count = sync_enrolments()
    db.session.commit()
    click.echo(f"made {count} registrations")
