"""Registration burst: 500 journalists submit the public form at the same moment for 100 seats,
through gunicorn on PostgreSQL. Exactly 100 must be approved, 400 wait-listed, 0 errors.

    .venv/bin/python -m bench.registrations   # [--database-url postgresql+psycopg://postgres@127.0.0.1/eventapp_bench_reg]

The database (loopback PostgreSQL only) is created for the run and dropped afterwards. Each client
first loads the form (its own session cookie and CSRF token, untimed), then all wait at a barrier
and POST together; the POST is timed from the client's side on loopback. Rate limiting is switched off for the run (every
client comes from 127.0.0.1).
"""

from __future__ import annotations

import argparse
import http.client
import re
import secrets
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.database import throwaway_database
from bench.server import serve
from config import Config
from eventapp import create_app
from eventapp.directory.models import Organisation, OrganisationKind, Person
from eventapp.events.models import Event, EventKind, EventStatus
from eventapp.extensions import db
from eventapp.mail import drafts
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.registrations.models import Registration

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/eventapp_bench_reg"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def seed(database_url: str, seats: int) -> tuple[int, int]:
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=secrets.token_hex(32))
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        db.drop_all()
        db.create_all()
        event = Event(kind=EventKind.PRESS_BRIEFING, title="Họp báo thường kỳ (benchmark)",
                      starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=2),
                      status=EventStatus.PUBLISHED, capacity=seats, waitlist_enabled=True,
                      venue="18 Nguyễn Du, Hà Nội")
        outlet = Organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Nhân Dân")
        db.session.add_all([event, outlet])
        db.session.commit()
        ids = event.id, outlet.id
        db.session.remove()
        db.engine.dispose()
    return ids


class Client(threading.Thread):
    """One journalist: load the form, wait for the start, submit, record status and time."""

    def __init__(self, number: int, address: str, event_id: int, outlet_id: int,
                 start: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.number, self.address, self.event_id, self.outlet_id, self.start_line = (
            number, address, event_id, outlet_id, start)
        self.status: int | str = "not run"
        self.seconds = 0.0

    def _connection(self) -> http.client.HTTPConnection:
        host, port = self.address.split(":")
        return http.client.HTTPConnection(host, int(port), timeout=120)

    def run(self) -> None:
        path = f"/events/{self.event_id}/register"
        try:
            connection = self._connection()
            connection.request("GET", path)
            response = connection.getresponse()
            page = response.read().decode("utf-8")
            connection.close()
            cookie = "; ".join(value.split(";", 1)[0] for name, value in response.getheaders()
                               if name.lower() == "set-cookie" and value.startswith("session="))
            body = urlencode({
                "csrf_token": TOKEN.search(page).group(1), "full_name": f"Phóng viên {self.number}",
                "email": f"pv{self.number}@bench.example", "phone": "0912 345 678", "position": "Phóng viên",
                "outlet_id": str(self.outlet_id), "outlet_name": "", "consent": "y", "website": ""})
        except Exception as error:
            self.start_line.abort()
            self.status = f"setup: {error.__class__.__name__}"
            return
        try:
            self.start_line.wait(timeout=300)
        except threading.BrokenBarrierError:
            self.status = "barrier"
            return
        started = time.perf_counter()
        try:
            connection = self._connection()
            connection.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            response = connection.getresponse()
            response.read()
            connection.close()
            self.status = response.status
        except Exception as error:
            self.status = error.__class__.__name__
        self.seconds = time.perf_counter() - started


class Submitter(threading.Thread):
    """One connection submitting the form again and again (a new address each time) until `until`."""

    def __init__(self, number: int, address: str, event_id: int, outlet_id: int, until: float) -> None:
        super().__init__(daemon=True)
        self.number, self.address, self.event_id, self.outlet_id, self.until = (
            number, address, event_id, outlet_id, until)
        self.done, self.errors = 0, 0

    def run(self) -> None:
        host, port = self.address.split(":")
        path = f"/events/{self.event_id}/register"
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.request("GET", path)
        response = connection.getresponse()
        page = response.read().decode("utf-8")
        connection.close()
        cookie = "; ".join(value.split(";", 1)[0] for name, value in response.getheaders()
                           if name.lower() == "set-cookie" and value.startswith("session="))
        token = TOKEN.search(page).group(1)
        while time.perf_counter() < self.until:
            sent = self.done + self.errors
            body = urlencode({
                "csrf_token": token, "full_name": f"Phóng viên {self.number}-{sent}",
                "email": f"pv{self.number}-{sent}@bench.example", "phone": "0912 345 678",
                "position": "Phóng viên", "outlet_id": str(self.outlet_id), "outlet_name": "", "consent": "y",
                "website": ""})
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            connection.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 302:
                self.done += 1
            else:
                self.errors += 1


def server_env(database_url: str, render_in_request: bool) -> dict[str, str]:
    """The app's settings for a run. The base Config (DEBUG off): ProductionConfig would mark the
    session cookie Secure, which a client on plain loopback HTTP never sends back, and every form
    would fail its CSRF check. Rendering the e-mails is left to the mail worker as in production,
    unless `render_in_request`."""
    return {"DATABASE_URL": database_url, "RATELIMIT_ENABLED": "0", "SECRET_KEY": secrets.token_hex(32),
            "MAIL_RENDER_IN_REQUEST": "1" if render_in_request else "0"}


def render_drafts(database_url: str) -> tuple[int, float, int]:
    """What the mail worker does next: render every draft; returns (rendered, seconds, drafts left)."""
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=secrets.token_hex(32))
    with app.app_context():
        began, rendered = time.perf_counter(), 0
        while done := drafts.render_due(limit=500):
            rendered += done
        seconds = time.perf_counter() - began
        left = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.DRAFT))
        db.session.remove()
        db.engine.dispose()
    return rendered, seconds, left


def throughput(database_url: str, workers: int, *, connections: int = 4, seconds: float = 10.0,
               render_in_request: bool = False) -> tuple[float, int]:
    """Registration POSTs per second (every one approved, its e-mail with QR code and invitation
    left to the mail worker unless `render_in_request`) at `connections` clients submitting back to
    back; returns (per second, errors)."""
    event_id, outlet_id = seed(database_url, 1_000_000)
    env = server_env(database_url, render_in_request)
    with serve("eventapp:create_app()", env=env, workers=workers) as address:
        warm = Submitter(99, address, event_id, outlet_id, time.perf_counter() + 1.0)
        warm.run()
        until = time.perf_counter() + seconds
        clients = [Submitter(i, address, event_id, outlet_id, until) for i in range(connections)]
        began = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=seconds + 120)
        elapsed = time.perf_counter() - began
    return sum(c.done for c in clients) / elapsed, sum(c.errors for c in clients)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def count(database_url: str, event_id: int) -> dict[str, int]:
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=secrets.token_hex(32))
    with app.app_context():
        statuses = Counter(s.value for s in db.session.scalars(
            sa.select(Registration.status).where(Registration.event_id == event_id)))
        people = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        distinct_people = db.session.scalar(sa.select(sa.func.count(sa.distinct(Registration.person_id))))
        mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        db.session.remove()
        db.engine.dispose()
    return {**statuses, "people": people, "registered_people": distinct_people, "emails_queued": mails}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2 × cores; gthread, from gunicorn.conf.py)")
    parser.add_argument("--render-in-request", action="store_true",
                        help="render each e-mail in its request (MAIL_RENDER_IN_REQUEST), not in the mail worker")
    args = parser.parse_args()
    with throwaway_database(args.database_url):
        run(args)


def run(args: argparse.Namespace) -> None:
    """Seed, serve, submit all at once and check the counts; the caller owns the database."""
    event_id, outlet_id = seed(args.database_url, args.seats)
    env = server_env(args.database_url, args.render_in_request)
    with serve("eventapp:create_app()", env=env, workers=args.workers) as address:
        start = threading.Barrier(args.submissions + 1)
        clients = [Client(i, address, event_id, outlet_id, start) for i in range(args.submissions)]
        for client in clients:
            client.start()
        start.wait(timeout=300)
        began = time.perf_counter()
        for client in clients:
            client.join(timeout=300)
        wall = time.perf_counter() - began

    codes = Counter(c.status for c in clients)
    durations = [c.seconds for c in clients if c.status == 302]
    errors = sum(n for status, n in codes.items() if status != 302)
    result = count(args.database_url, event_id)
    rendered, render_seconds, drafts_left = render_drafts(args.database_url)
    print(f"registration burst: {args.submissions} concurrent submissions, {args.seats} seats, "
          f"gunicorn {args.workers} gthread workers, PostgreSQL")
    print(f"  wall time      {wall:.2f} s")
    if durations:
        print(f"  POST latency   p50 {statistics.median(durations) * 1000:.0f} ms, "
              f"p99 {percentile(durations, 0.99) * 1000:.0f} ms, max {max(durations) * 1000:.0f} ms")
    print(f"  responses      {dict(codes)}")
    print(f"  approved       {result.get('approved', 0)}")
    print(f"  wait-listed    {result.get('waitlisted', 0)}")
    print(f"  errors         {errors}")
    print(f"  people         {result['people']} (registered: {result['registered_people']}), "
          f"e-mails in the outbox {result['emails_queued']}")
    print(f"  then the mail worker rendered {rendered} drafts in {render_seconds:.2f} s (one process); "
          f"drafts left {drafts_left}")
    ok = (result.get("approved", 0) == args.seats and result.get("waitlisted", 0) == args.submissions - args.seats
          and errors == 0 and result["registered_people"] == args.submissions
          and result["emails_queued"] == args.submissions and drafts_left == 0)
    print("  verdict        " + ("OK" if ok else "FAILED"))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
