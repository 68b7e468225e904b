"""`flask mail ...`: deliver the outbox (a loop for a service, or one pass for cron)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from eventapp.extensions import db
from eventapp.mail.sender import send_pending

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running (as a service); otherwise one pass.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes with --loop.")
@click.option("--limit", default=200, show_default=True, help="Messages per pass.")
def send_command(loop: bool, interval: float, limit: int) -> None:
    """Send due messages; failures are kept and retried with backoff."""
    while True:
        report = send_pending(limit=limit)
        db.session.remove()
        if report.sent or report.retrying or report.failed or not loop:
            click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}")
        if not loop:
            return
        if not report.busy(limit):
            time.sleep(interval)
