"""`flask questions reminders`: units' due-date reminders and answers for askers (run by cron)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from eventapp.extensions import db
from eventapp.questions import delivery

questions_cli = AppGroup("questions", help="The question cycle: reminders and answers.")


@questions_cli.command("reminders")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
def reminders_command(now_text: str | None) -> None:
    """Queue the reminders due (the day before and on the due date, once each) and the written
    answers of events that are over (safe to run often)."""
    now = None
    if now_text:
        now = datetime.fromisoformat(now_text)
        if now.tzinfo is None:
            raise click.BadParameter("give a time zone, e.g. 2026-12-01T09:00+07:00")
    reminders = delivery.queue_reminders(now)
    answers = delivery.send_due_answers(now)
    db.session.commit()
    click.echo(f"queued {reminders} reminders and {answers} answers")
