"""The documented backup (pg_dump) restores into an empty database with every row intact."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
import sqlalchemy as sa

from eventapp.demo import demo_counts, load_demo
from eventapp.extensions import db
from tests.conftest import make_test_app, pg_url


def _libpq_url(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_pg_dump_and_restore_round_trip(tmp_path) -> None:
    base = pg_url()
    if base is None:
        pytest.skip("backup/restore test needs EVENTAPP_TEST_DATABASE_URL")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore not installed")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    source, target = (f"eventapp_backup_{uuid.uuid4().hex[:8]}_{n}" for n in ("src", "dst"))
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{source}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{target}"'))
    source_url = sa.make_url(base).set(database=source).render_as_string(hide_password=False)
    target_url = sa.make_url(base).set(database=target).render_as_string(hide_password=False)
    try:
        app = make_test_app(source_url)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            load_demo()
            db.session.commit()
            expected = demo_counts()
            db.engine.dispose()
        dump = tmp_path / "eventapp.dump"
        # The README's commands: a custom-format dump, restored with --no-owner into an empty DB.
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq_url(source_url)],
                       check=True, capture_output=True)
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq_url(target_url)}", str(dump)],
                       check=True, capture_output=True)
        restored = make_test_app(target_url)
        with restored.app_context():
            assert demo_counts() == expected
            version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
            assert version
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            for name in (source, target):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
