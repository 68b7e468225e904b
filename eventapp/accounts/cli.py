"""`flask users ...`: create the first admin and other accounts from the shell."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from eventapp.accounts import passwords, services
from eventapp.accounts.models import Role
from eventapp.directory.models import Site
from eventapp.extensions import db

users_cli = AppGroup("users", help="Manage console users.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--site", "site_code", help="Site code (or id) for a site coordinator.")
@click.option("--name", "full_name", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="EVENTAPP_NEW_USER_PASSWORD")
def create_user_command(email: str, role: str, site_code: str | None, full_name: str, password: str) -> None:
    """Create a user, e.g. the first admin."""
    site_id = None
    if site_code:
        site = db.session.scalar(sa.select(Site).where(Site.code == site_code))
        if site is None and site_code.isdigit():
            site = db.session.get(Site, int(site_code))
        if site is None:
            raise click.BadParameter(f"no site with code {site_code!r}", param_hint="--site")
        site_id = site.id
    reason = passwords.problem(password, email)
    if reason:
        raise click.BadParameter(reason, param_hint="--password")
    try:
        user = services.create_user(
            email=email, password=password, role=Role(role), full_name=full_name or email, site_id=site_id
        )
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.email} ({user.role.value})")
