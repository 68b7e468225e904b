"""Throwaway PostgreSQL databases on loopback for the benchmarks (never anything else)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def loopback_url(url: str) -> sa.URL:
    """The URL parsed; refuses anything but PostgreSQL on loopback."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql" or parsed.host not in LOOPBACK:
        raise SystemExit(f"only a PostgreSQL database on 127.0.0.1 is allowed, not {url!r}")
    return parsed


def _maintenance(url: sa.URL) -> sa.Engine:
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _run(url: str, *statements: str) -> None:
    parsed = loopback_url(url)
    engine = _maintenance(parsed)
    with engine.connect() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement.format(name=parsed.database))
    engine.dispose()


def recreate_database(url: str) -> None:
    """Drop (if present) and create the database named in `url`."""
    _run(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    _run(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def throwaway_database(url: str) -> Iterator[str]:
    """A fresh, empty database for one run, dropped afterwards (unless the run was interrupted
    in a way that skips `finally`)."""
    recreate_database(url)
    try:
        yield url
    finally:
        drop_database(url)
