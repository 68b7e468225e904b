"""`flask events extend-horizon`: generate occurrence rows up to the rolling horizon (idempotent)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from eventapp.events import services
from eventapp.extensions import db


@click.group("events")
def events_cli() -> None:
    """Scheduling commands."""


@events_cli.command("extend-horizon")
@click.option("--months", type=click.IntRange(1, 60), default=None,
              help="Horizon in months from now (default: EVENT_HORIZON_MONTHS, 12).")
@with_appcontext
def extend_horizon_command(months: int | None) -> None:
    """Create missing occurrences of every active series; existing rows and exceptions are kept."""
    months = months or int(current_app.config.get("EVENT_HORIZON_MONTHS", 12))
    report = services.extend_all_horizons(months)
    db.session.commit()  # the series that could be extended keep their new rows
    click.echo(f"{report.created} occurrences created (horizon {months} months)")
    for series, code in report.failed:
        click.echo(f"series {series.id} ({series.title}) not extended: {code}", err=True)
    if report.failed:
        raise SystemExit(1)  # cron reports a non-zero exit: someone must look at the rule
