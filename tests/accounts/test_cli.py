"""`flask users create` makes the first admin."""

from __future__ import annotations

import sqlalchemy as sa

from eventapp.accounts.models import Role, User
from eventapp.extensions import db


def test_users_create_first_admin(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "Root@Example.vn", "--role", "admin",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "root@example.vn" and user.role == Role.ADMIN and user.check_password("a-long-password")


def test_users_create_coordinator_needs_existing_site(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "c@example.vn", "--role", "site_coordinator",
                                 "--site", "NOPE", "--password", "a-long-password"])
    assert result.exit_code != 0 and "NOPE" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
