"""`flask db upgrade` on an empty database gives exactly the models' schema; `downgrade base` works."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from eventapp.extensions import db
from tests.conftest import make_test_app, pg_url


def _empty_database(kind: str, tmp_path) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.sqlite3'}", lambda: None
    base = pg_url()
    if base is None:
        pytest.skip("PostgreSQL migration test needs EVENTAPP_TEST_DATABASE_URL")
    name = f"eventapp_migrate_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_gives_models_schema_and_downgrade_empties(kind: str, tmp_path) -> None:
    url, drop = _empty_database(kind, tmp_path)
    try:
        app = make_test_app(url)
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
                tables = set(sa.inspect(conn).get_table_names())
            assert diff == [], f"models and migrations differ: {diff}"
            assert {"events", "registrations", "event_sites", "outbox_messages", "audit_entries"} <= tables

            downgrade(revision="base")
            with db.engine.connect() as conn:
                left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            assert left == set()
            db.engine.dispose()
    finally:
        drop()


def test_flask_db_check_works_on_a_fresh_clone(tmp_path) -> None:
    """A fresh clone has no instance/ folder: `flask db upgrade` and `flask db check` must still work
    (SQLite makes its file, not the folder), and a migrated database has nothing left to generate."""
    database = tmp_path / "instance" / "eventapp.sqlite3"
    app = make_test_app(f"sqlite:///{database}")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output
    assert database.is_file()


def test_a_relative_sqlite_path_gets_its_folder_under_instance(tmp_path, monkeypatch) -> None:
    """Flask-SQLAlchemy puts `sqlite:///sub/x.db` under the instance folder, whatever the current
    directory: that is the folder that must exist."""
    monkeypatch.chdir(tmp_path)
    folder = f"test-{tmp_path.name}"
    app = make_test_app(f"sqlite:///{folder}/x.sqlite3")
    try:
        assert (Path(app.instance_path) / folder).is_dir()
        assert not (tmp_path / folder).exists()
        with app.app_context():
            db.create_all()  # the file can be opened where the engine looks for it
            db.engine.dispose()
    finally:
        shutil.rmtree(Path(app.instance_path) / folder, ignore_errors=True)
