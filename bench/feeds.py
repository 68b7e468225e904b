"""Feed benchmark: /calendar.ics with 1,000 events (series and exceptions) cold, warm and 304,
each against a bare Flask "hello" served the same way (gunicorn with gunicorn.conf.py, one worker, loopback).

    .venv/bin/python -m bench.feeds   # [--database-url postgresql+psycopg://postgres@127.0.0.1/eventapp_bench]

The database (loopback PostgreSQL only) is created for the run and dropped afterwards.

"Cold" touches one event before each request,
so every request finds a new data version and builds the body from the database.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from bench.database import throwaway_database
from bench.server import request, serve, summary, timed
from config import Config
from eventapp import create_app
from eventapp.calendar import recurrence
from eventapp.events.models import AgendaItem, Event, EventKind, EventMode, EventSeries, EventStatus
from eventapp.extensions import db

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/eventapp_bench"
SERIES, PER_SERIES = 20, 25
TZ = "Asia/Ho_Chi_Minh"


def seed(database_url: str, total: int) -> int:
    """Recreate the schema and insert `total` shown events; returns the id range's upper end."""
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=secrets.token_hex(32))
    rng = random.Random(5)
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        db.drop_all()
        db.create_all()
        first_day = recurrence.to_local(now, TZ).date() - timedelta(days=14)
        shown = 0
        for n in range(SERIES):
            kind = EventKind.PRESS_BRIEFING if n % 2 else EventKind.TRAINING
            rule = f"FREQ=WEEKLY;BYDAY={recurrence.WEEKDAY_CODES[n % 5]}"
            start = recurrence.first_on_or_after(rule, first_day, time(8 + n % 8), TZ)
            series = EventSeries(kind=kind, title=f"Họp báo thường kỳ số {n + 1}", rrule=rule,
                                 dtstart_local=start, duration_minutes=90, tz=TZ,
                                 venue="18 Nguyễn Du, Hà Nội", description="Thông tin chính thức.")
            db.session.add(series)
            db.session.flush()
            instants = recurrence.expand(rule, start, TZ, until_utc=now + timedelta(days=400))[:PER_SERIES + 1]
            for i, instant in enumerate(instants):
                event = Event(series_id=series.id, original_start=instant, starts_at=instant,
                              ends_at=instant + timedelta(minutes=90), kind=kind, title=series.title,
                              tz=TZ, venue=series.venue, description=series.description,
                              status=EventStatus.PUBLISHED, published_at=now)
                if i == 3:  # moved by a day
                    event.starts_at += timedelta(days=1)
                    event.ends_at += timedelta(days=1)
                elif i == 6:
                    event.title = f"{series.title}: chuyển đổi số"
                elif i == 9:
                    event.status = EventStatus.CANCELLED  # an EXDATE, not a shown event
                    shown -= 1
                db.session.add(event)
                shown += 1
            series.generated_until = instants[-1]
        while shown < total:
            start = now + timedelta(days=rng.randint(-20, 300), minutes=30 * rng.randint(0, 20))
            hybrid = shown % 3 == 0
            event = Event(kind=EventKind.TRAINING if shown % 2 else EventKind.OTHER,
                          title=f"Hội nghị tập huấn kỹ năng truyền thông số {shown}", starts_at=start,
                          ends_at=start + timedelta(hours=3), tz=TZ, status=EventStatus.PUBLISHED,
                          published_at=now, venue="Trung tâm Hội nghị tỉnh Quảng Ninh",
                          mode=EventMode.HYBRID if hybrid else EventMode.IN_PERSON,
                          online_url="https://meet.example.vn/tap-huan" if hybrid else None,
                          description="Tập huấn cho người phát ngôn và cán bộ truyền thông.")
            if shown % 3 == 1:
                for k in range(3):
                    event.agenda_items.append(AgendaItem(
                        position=k, starts_at=start + timedelta(hours=k), ends_at=start + timedelta(hours=k + 1),
                        title=f"Tham luận {k + 1}: an toàn thông tin", speaker="Ông Nguyễn Văn A",
                        speaker_organisation_name="Cục An toàn thông tin"))
            db.session.add(event)
            shown += 1
        db.session.commit()
        return db.session.scalar(sa.select(sa.func.max(Event.id)))
    return 0


def no_ping_app():
    """The production app with pool_pre_ping off (gunicorn "bench.feeds:no_ping_app()"): shows what
    the per-checkout ping costs every database-backed request."""
    from config import ProductionConfig

    class NoPing(ProductionConfig):
        SQLALCHEMY_ENGINE_OPTIONS = {**ProductionConfig.SQLALCHEMY_ENGINE_OPTIONS, "pool_pre_ping": False}

    return create_app(NoPing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with throwaway_database(args.database_url):
        run(args)


def run(args: argparse.Namespace) -> None:
    """Seed, serve and measure; the caller owns the database."""
    max_id = seed(args.database_url, args.events)
    engine = sa.create_engine(args.database_url)
    rng = random.Random(7)

    def touch() -> None:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE events SET updated_at = :now WHERE id = :id"),
                               {"now": datetime.now(UTC), "id": rng.randint(1, max_id)})

    env = {"EVENTAPP_ENV": "production", "DATABASE_URL": args.database_url,
           "SECRET_KEY": secrets.token_hex(16), "PUBLIC_BASE_URL": "https://eventapp.example.vn"}
    # FEED_VERSION_TTL=0: every request checks the database, so each touched row forces a rebuild.
    with serve("wsgi:app", {**env, "FEED_VERSION_TTL": "0"}) as address:
        status, _s, response, body = request(address, "/calendar.ics")  # also fills the VTIMEZONE cache
        assert status == 200, status
        vevents = body.count(b"BEGIN:VEVENT")
        cold = timed(address, "/calendar.ics", max(20, args.requests // 4), before=touch)
        _status, _s, response, _body = request(address, "/calendar.ics")
        checked_304 = timed(address, "/calendar.ics", args.requests,
                            headers={"If-None-Match": response.getheader("ETag")}, expect=304)
    # The production default (FEED_VERSION_TTL=2 s): a confirmed version is trusted briefly.
    with serve("wsgi:app", env) as address:
        _status, _s, response, _body = request(address, "/calendar.ics")
        etag = response.getheader("ETag")
        warm = timed(address, "/calendar.ics", args.requests)
        not_modified = timed(address, "/calendar.ics", args.requests, headers={"If-None-Match": etag}, expect=304)
        static = timed(address, "/static/css/app.css", args.requests)
    with serve("bench.feeds:no_ping_app()", {**env, "FEED_VERSION_TTL": "0"}) as address:
        _status, _s, response, _body = request(address, "/calendar.ics")
        no_ping = timed(address, "/calendar.ics", args.requests,
                        headers={"If-None-Match": response.getheader("ETag")}, expect=304)
    with serve("bench.server:hello_app") as address:
        request(address, "/")
        hello = timed(address, "/", args.requests)
    base = summary(hello)[0]
    print(f"\n/calendar.ics: {args.events} events, {vevents} VEVENTs, {len(body) // 1024} KiB; "
          f"gunicorn 1 gthread worker, loopback, new connection per request\n")
    print("| request | median ms | p95 ms | × hello | target |")
    print("|---|---:|---:|---:|---|")
    for label, durations, target in (("bare Flask hello", hello, ""),
                                     ("feed cold (data changed)", cold, "< 150 ms"),
                                     ("feed warm (cached body)", warm, ""),
                                     ("feed 304 (If-None-Match)", not_modified, "≤ 1.5 × hello"),
                                     ("feed 304, version checked in the DB each time", checked_304, ""),
                                     ("static file via the app (no DB)", static, "floor of the app stack"),
                                     ("feed 304, DB-checked, pool_pre_ping off", no_ping, "diagnostic")):
        median, p95 = summary(durations)
        print(f"| {label} | {median:.2f} | {p95:.2f} | {median / base:.2f} | {target} |")


if __name__ == "__main__":
    main()
