"""`flask directory ...`: seed the network and import organisations, sites or people."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from eventapp.directory import services
from eventapp.extensions import db
from eventapp.spreadsheets import SpreadsheetError, read_table

directory_cli = AppGroup("directory", help="Organisations, sites and people.")


@directory_cli.command("seed")
def seed_command() -> None:
    """Load the 63 provincial departments, the Ministry's locations, units and outlets (idempotent)."""
    services.seed_network()
    db.session.commit()
    click.echo("directory seeded")


@directory_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
def import_command(path: Path, dry_run: bool) -> None:
    """Add or update organisations, sites or people from a .csv or .xlsx file (all rows or none)."""
    try:
        with path.open("rb") as stream:
            table = read_table(stream, path.name)
    except SpreadsheetError as exc:
        raise click.ClickException(f"cannot read {path.name}: {exc}") from exc
    report = services.import_directory(table, apply=not dry_run)
    if not report.ok:
        db.session.rollback()
        click.echo(f"{len(report.errors)} error(s); nothing was imported:", err=True)
        for error in report.errors:
            column = f" [{error.column}]" if error.column else ""
            click.echo(f"  row {error.row}{column}: {error.message}", err=True)
        raise SystemExit(1)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would create" if dry_run else "created"
    click.echo(f"{report.kind}: {verb} {report.created}, updated {report.updated}")
