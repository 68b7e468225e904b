"""Side by side: every figure as a multiple of a bare Flask "hello" measured in the same run.

    .venv/bin/python -m bench.side_by_side   # [--database-url postgresql+psycopg://postgres@127.0.0.1/eventapp_bench]

One throwaway loopback PostgreSQL database (created and dropped here), seeded like bench.feeds
(20 weekly series with moved, edited and cancelled sessions, the rest one-off events). Two kinds of
figures, each printed in ms and as × hello (the hello's median over HTTP, taken before and after):

- over HTTP, gunicorn with gunicorn.conf.py, one worker, a new connection per request (bench.server);
- in the process, for the feed's build alone: what a request pays on top of the HTTP floor.

"After one change" touches one random event (a real UPDATE, committed) before each timed request,
so every request finds a new data version. The hello app runs through the same gunicorn settings.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from bench.database import throwaway_database
from bench.feeds import seed
from bench.registrations import throughput
from bench.server import request, serve, timed
from config import Config
from eventapp import create_app
from eventapp.extensions import db
from eventapp.feeds import cache, fragments, listing, services, validators
from eventapp.feeds.models import FeedFragment

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/eventapp_bench"
ROWS: list[tuple[str, list[float], list[float], str]] = []  # (label, wall s, this process's CPU s, target)


def percentile(durations: list[float], share: float) -> float:
    ordered = sorted(durations)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def record(label: str, durations: list[float], target: str = "", cpu: list[float] | None = None) -> None:
    ROWS.append((label, durations, cpu or [], target))


def in_process(label: str, count: int, before: Callable[[], None], work: Callable[[], object],
               target: str = "") -> None:
    durations, cpu = [], []
    for _ in range(count):
        before()
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        durations.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    record(label, durations, target, cpu)


def feed_builds(database_url: str, events: int, count: int, *, one_event: bool = False) -> None:
    """The feed's build in this process: from scratch, in a new worker, after one change (what a
    request pays beyond the HTTP floor; the CPU column is this process's share, without PostgreSQL's)."""
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=database_url, PUBLIC_BASE_URL="https://eventapp.example.vn",
                     SECRET_KEY=secrets.token_hex(16),
                     FEED_VERSION_TTL=0)
    rng = random.Random(11)
    with app.app_context():
        ids = db.session.scalars(sa.select(sa.text("id")).select_from(sa.text("events"))).all()
        scope = services.public_scope()

        def touch(event_id: int | None = None) -> None:
            db.session.execute(sa.text("UPDATE events SET updated_at = :now WHERE id = :id"),
                               {"now": datetime.now(UTC), "id": event_id or rng.choice(ids)})
            db.session.commit()

        def version() -> None:
            validators.compute_version(scope, datetime.now(UTC))
            services.commit_written()  # what the view does after storing a snapshot or a change time
            db.session.commit()  # (and the end of the read)

        def from_scratch() -> None:
            touch()
            cache.body_cache.clear()
            fragments.local_blocks.clear()
            listing.listings.clear()
            db.session.execute(sa.delete(FeedFragment))
            db.session.commit()

        def new_worker() -> None:  # nothing in memory: the listing and blocks come from the database
            touch()
            cache.body_cache.clear()
            fragments.local_blocks.clear()
            listing.listings.clear()

        version()  # warm: VTIMEZONEs, translations, compiled statements
        in_process(f"feed, {events:,} events, built from scratch: nothing cached anywhere (in process)", count,
                   from_scratch, version)
        in_process(f"feed, {events:,} events, full cold build: a new worker, nothing in memory, "
                   "the shared snapshot in the database (in process)", count, new_worker, version,
                   "< 20 ms" if events == 1000 else "< 80 ms")
        in_process(f"feed, {events:,} events, after one change (in process)", count, touch, version,
                   "< 10 ms" if events == 1000 else "")
        if one_event:
            single = services.event_scope(ids[len(ids) // 2])
            in_process(f"one event's .ics at {events:,} events, after its change (in process)", count,
                       lambda: touch(single.event_id),
                       lambda: (validators.compute_version(single, datetime.now(UTC)), services.commit_written(),
                                db.session.commit()),
                       "< 3 ms")


def http_figures(database_url: str, count: int) -> tuple[list[float], int, int]:
    """Feed, 304 and event page over HTTP; returns the hello durations and the feed's sizes."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        ids = connection.execute(sa.text("SELECT id FROM events WHERE series_id IS NULL ORDER BY id")).scalars().all()
    rng = random.Random(7)

    def touch() -> None:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE events SET updated_at = :now WHERE id = :id"),
                               {"now": datetime.now(UTC), "id": rng.choice(ids)})

    env = {"EVENTAPP_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(16),
           "PUBLIC_BASE_URL": "https://eventapp.example.vn", "RATELIMIT_ENABLED": "false"}
    gzip_header = {"Accept-Encoding": "gzip"}
    hello: list[float] = []
    with serve("bench.server:hello_app") as address:
        request(address, "/")
        hello += timed(address, "/", count)
    with serve("wsgi:app", {**env, "FEED_VERSION_TTL": "0"}) as address:
        _s, _t, _r, plain = request(address, "/calendar.ics")
        _s, _t, response, packed = request(address, "/calendar.ics", gzip_header)
        assert response.getheader("Content-Encoding") == "gzip"
        record("feed, 1,000 events, after one change (HTTP, gzip)", timed(
            address, "/calendar.ics", max(30, count // 4), headers=gzip_header, before=touch), "")
        record("feed, 1,000 events, after one change (HTTP, identity)", timed(
            address, "/calendar.ics", max(30, count // 4), before=touch), "")
    with serve("wsgi:app", env) as address:  # production FEED_VERSION_TTL (2 s)
        _s, _t, response, _b = request(address, "/calendar.ics", gzip_header)
        record("feed, same version (HTTP, gzip)", timed(address, "/calendar.ics", count, headers=gzip_header))
        record("feed 304 (If-None-Match)", timed(
            address, "/calendar.ics", count, headers={**gzip_header, "If-None-Match": response.getheader("ETag")},
            expect=304), "≤ 1.5× hello")
        page = f"/events/{ids[len(ids) // 2]}"
        request(address, page)
        record("public event page (p99 < 3× median)", timed(address, page, count * 3), "p99 < 3× median")
    with serve("bench.server:hello_app") as address:
        hello += timed(address, "/", count)
    return hello, len(plain), len(packed)


def print_table(hello: list[float], sizes: tuple[int, int], events_note: str) -> None:
    base = statistics.median(hello) * 1000
    print(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {events_note}; bare Flask hello median {base:.2f} ms "
          f"(p99 {percentile(hello, 0.99) * 1000:.2f} ms)")
    print(f"feed on the wire: {sizes[0] // 1024} KiB identity, {sizes[1] // 1024} KiB gzip\n")
    print("| figure | median ms | p99 ms | median × hello | app CPU ms (in process) | target |")
    print("|---|---:|---:|---:|---:|---|")
    for label, durations, cpu, target in ROWS:
        median = statistics.median(durations) * 1000
        cpu_text = f"{statistics.median(cpu) * 1000:.2f}" if cpu else ""
        print(f"| {label} | {median:.2f} | {percentile(durations, 0.99) * 1000:.2f} | {median / base:.1f}× "
              f"| {cpu_text} | {target} |")


def analyse(database_url: str) -> None:
    """Make the fresh data look like production's: rows last changed a day ago (not seconds, which
    every feed listing would re-read as recent), and planner statistics as autovacuum keeps them."""
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("UPDATE events SET updated_at = updated_at - interval '1 day'")
        connection.exec_driver_sql("UPDATE event_series SET updated_at = updated_at - interval '1 day'")
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--builds", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=15.0, help="per registration throughput figure")
    args = parser.parse_args()
    with throwaway_database(args.database_url):
        seed(args.database_url, 1000)
        analyse(args.database_url)
        hello, plain, packed = http_figures(args.database_url, args.requests)
        feed_builds(args.database_url, 1000, args.builds)
        seed(args.database_url, 5000)
        analyse(args.database_url)
        feed_builds(args.database_url, 5000, max(10, args.builds // 2), one_event=True)
        rates = {workers: throughput(args.database_url, workers, seconds=args.seconds) for workers in (1, 2)}
    print_table(hello, (plain, packed), "gunicorn 1 gthread worker, loopback, new connection per request, "
                "PostgreSQL; in-process figures on the same database")
    (one, errors_one), (two, errors_two) = rates[1], rates[2]
    print(f"\nregistration POSTs/s at 4 connections (each approved: e-mail with QR code and invitation): "
          f"1 worker {one:.1f}/s, 2 workers {two:.1f}/s = {two / one:.2f}× (target ≥ 1.8×); "
          f"errors {errors_one + errors_two}")


if __name__ == "__main__":
    main()
