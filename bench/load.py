"""Mixed load: feed polling, public pages, a registration burst and check-ins at once, for a bounded
time, through gunicorn (4 workers) on PostgreSQL; then the database is checked.

    .venv/bin/python -m bench.load --seconds 60

Creates the throwaway database named by --database-url on the loopback PostgreSQL (dropped first
if it exists, and again at the end unless --keep), migrates it (`flask db upgrade`), loads the demo
(`flask demo`), and adds two events: one open for registration (--seats, waiting list on) and one
starting in 30 minutes with --tickets approved tickets for the check-in desks. Then, concurrently:

- feed pollers: GET /calendar.ics, then conditional GETs with If-None-Match (304);
- page viewers: GET / and /events/<id> of the published events;
- desks: the demo check-in user signs in and posts scans to the desk's JSON endpoint;
- a registration burst at a quarter of the run: --registrations journalists (distinct e-mails),
  each with its own session and CSRF token from the form page, POST at the same moment.

Rate limiting is switched off for the run (RATELIMIT_ENABLED=0: every client is 127.0.0.1).
Every request is a new connection on 127.0.0.1; the clients share the machine's cores with the
server. Afterwards: no event holds more approved seats than its capacity, no person is registered
twice for an event, no e-mail address belongs to two people, each burst registration has a ticket
and its e-mail in the outbox, and checked-in rows equal first scans. Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.database import drop_database, loopback_url, recreate_database
from bench.server import ROOT, serve
from config import Config
from eventapp import create_app
from eventapp.events.models import Event, EventKind, EventStatus
from eventapp.extensions import db
from eventapp.tokens import hash_token

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/eventapp_bench_load"
CHECKIN_USER = "checkin@demo.eventapp.vn"
DEMO_PASSWORD = "eventapp-demo"  # noqa: S105 - the documented demo password, throwaway database
FORM_TOKEN = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
META_TOKEN = re.compile(rb'<meta name="csrf-token" content="([^"]+)"')


# ---------------------------------------------------------------------------- database setup

def app_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of gunicorn and of `flask` commands: production settings on `url`."""
    return {"EVENTAPP_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16),
            "RATELIMIT_ENABLED": "0", "ACCESS_LOG": "0", "LOG_LEVEL": "WARNING",
            "PUBLIC_BASE_URL": "https://eventapp.example.vn", **extra}


def flask_command(url: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run `flask --app wsgi ARGS` against `url`; returns its output."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env={**os.environ, **app_env(url), **(env or {})}, capture_output=True,
                          text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Fixture:
    """What the workload needs from the seeded database."""

    burst_event: int
    checkin_event: int
    outlet: int
    page_events: list[int]
    tokens: list[str] = field(repr=False)


def prepare(url: str, seats: int, tickets: int) -> Fixture:
    """Migrate, load the demo, add the burst event and the check-in event with `tickets` tickets."""
    flask_command(url, "db", "upgrade")
    flask_command(url, "demo")
    tokens = [secrets.token_urlsafe(32) for _ in range(tickets)]
    now = datetime.now(UTC).replace(microsecond=0)
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secrets.token_hex(32))
    with app.app_context():
        def event(title: str, starts: datetime, capacity: int | None) -> int:
            row = Event(kind=EventKind.PRESS_BRIEFING, title=title, starts_at=starts,
                        ends_at=starts + timedelta(hours=2), status=EventStatus.PUBLISHED,
                        published_at=now, capacity=capacity, waitlist_enabled=True,
                        venue="18 Nguyễn Du, Hà Nội")
            db.session.add(row)
            db.session.flush()
            return row.id

        burst = event("Họp báo Chính phủ thường kỳ (tải thử)", now + timedelta(days=7), seats)
        desk = event("Hội nghị tập huấn (check-in tải thử)", now + timedelta(minutes=30), None)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        outlet = connection.scalar(sa.text(
            "SELECT id FROM organisations WHERE kind = 'press_outlet' AND is_confirmed AND is_active "
            "ORDER BY id LIMIT 1"))
        people = connection.execute(sa.text(
            "INSERT INTO people (full_name, email, email_normalised, locale, created_at, updated_at) "
            "SELECT 'Đại biểu ' || g, 'daibieu' || g || '@load.example', 'daibieu' || g || '@load.example', "
            "'vi', :now, :now FROM generate_series(1, :n) AS g RETURNING id"), {"n": tickets, "now": now}
        ).scalars().all()
        connection.execute(sa.text(
            "INSERT INTO registrations (event_id, person_id, channel, status, ticket_token_hash, locale, "
            "created_at, updated_at) VALUES (:event, :person, 'public', 'approved', :hash, 'vi', :now, :now)"),
            [{"event": desk, "person": p, "hash": hash_token(t), "now": now}
             for p, t in zip(people, tokens, strict=True)])
        pages = connection.scalars(sa.text(
            "SELECT id FROM events WHERE status = 'published' ORDER BY starts_at")).all()
    engine.dispose()
    return Fixture(burst, desk, outlet, list(pages), tokens)


# ---------------------------------------------------------------------------- HTTP clients

class Session:
    """One browser: its cookies; a new loopback connection per request (like gunicorn's workers)."""

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        host, port = address.split(":")
        assert host == "127.0.0.1", host
        self.host, self.port, self.timeout = host, int(port), timeout
        self.cookies: dict[str, str] = {}

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes, float, http.client.HTTPResponse]:
        """Status, body, seconds and the response; connection errors and timeouts raise."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, data, elapsed, response

    def form_token(self, path: str) -> str:
        status, page, _s, _r = self.call("GET", path)
        found = FORM_TOKEN.search(page)
        if status != 200 or found is None:
            raise RuntimeError(f"GET {path}: HTTP {status} without a form")
        return found.group(1).decode()

    def sign_in(self, email: str, password: str, event_id: int) -> str:
        """Sign in through the login form; returns the desk page's CSRF token for JSON calls."""
        form = urlencode({"email": email, "password": password, "csrf_token": self.form_token("/login")})
        status, _b, _s, _r = self.call("POST", "/login", form.encode(),
                                       {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"sign-in failed: HTTP {status}")
        _status, desk, _s, _r = self.call("GET", f"/console/attendance/events/{event_id}/desk")
        return META_TOKEN.search(desk).group(1).decode()


def registration_form(number: int, outlet_id: int, csrf: str, domain: str = "load.example") -> bytes:
    """The public form as a journalist fills it in (distinct e-mail per number)."""
    return urlencode({
        "csrf_token": csrf, "full_name": f"Phóng viên Thử Tải {number}", "email": f"pv{number}@{domain}",
        "phone": "0912 345 678", "position": "Phóng viên", "outlet_id": str(outlet_id), "outlet_name": "",
        "consent": "y", "website": ""}).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Recorder:
    """Latencies, statuses and errors per request type (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, Counter] = {}
        self.statuses: dict[str, Counter] = {}

    def ok(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            self.statuses.setdefault(kind, Counter())[status] += 1

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors.setdefault(kind, Counter())[what] += 1
            self.statuses.setdefault(kind, Counter())[what] += 1

    def run(self, kind: str, session: Session, method: str, path: str, expect: tuple[int, ...],
            body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes, object]:
        """One timed request; anything but an expected status is an error. Returns status, body."""
        try:
            status, data, seconds, response = session.call(method, path, body, headers)
        except Exception as error:
            self.error(kind, error.__class__.__name__)
            return 0, b"", None
        if status in expect:
            self.ok(kind, seconds, status)
        else:
            self.error(kind, f"HTTP {status}")
        return status, data, response

    def count(self, kind: str) -> int:
        return len(self.latencies.get(kind, [])) + sum(self.errors.get(kind, Counter()).values())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000 if ordered else 0.0


def table(recorder: Recorder, seconds: float, order: list[str]) -> str:
    """The markdown table: requests, per second, p50/p99/max ms, errors per request type."""
    lines = ["| request | requests | per s | p50 ms | p99 ms | max ms | errors | statuses |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    total = total_errors = 0
    all_latencies: list[float] = []
    for kind in order:
        values = recorder.latencies.get(kind, [])
        errors = sum(recorder.errors.get(kind, Counter()).values())
        n = recorder.count(kind)
        total, total_errors = total + n, total_errors + errors
        all_latencies += values
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(recorder.statuses.get(kind, {}).items(), key=str))
        lines.append(f"| {kind} | {n} | {n / seconds:.1f} | {percentile(values, 0.5):.1f} | "
                     f"{percentile(values, 0.99):.1f} | {max(values, default=0) * 1000:.0f} | {errors} | {statuses} |")
    lines.append(f"| **all** | {total} | {total / seconds:.1f} | {percentile(all_latencies, 0.5):.1f} | "
                 f"{percentile(all_latencies, 0.99):.1f} | {max(all_latencies, default=0) * 1000:.0f} | "
                 f"{total_errors} | |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- gunicorn processes

def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def gunicorn_pids(address: str, workers: int = 0, wait: float = 30.0) -> tuple[int, list[int]]:
    """The master gunicorn started by this process for `address`, and its workers (waits up to
    `wait` seconds until there are `workers` of them)."""
    deadline = time.monotonic() + wait
    while True:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        masters = [p for p in pids if _ppid(p) == os.getpid()
                   and f"127.0.0.1:{address.split(':')[1]}" in _cmdline(p)]
        if len(masters) != 1:
            raise RuntimeError(f"gunicorn master for {address} not found: {masters}")
        children = sorted(p for p in pids if _ppid(p) == masters[0])
        if len(children) >= workers or time.monotonic() > deadline:
            return masters[0], children
        time.sleep(0.1)


# ---------------------------------------------------------------------------- database checks

def integrity(url: str, burst_event: int | None = None, domain: str = "load.example") -> dict[str, int]:
    """Counts that must be zero (oversold, duplicates, half-written rows) plus burst figures."""
    engine = sa.create_engine(url)
    queries = {
        "oversold_events": "SELECT count(*) FROM events e WHERE e.capacity IS NOT NULL AND e.capacity < "
                           "(SELECT count(*) FROM registrations r WHERE r.event_id = e.id "
                           "AND r.status = 'approved' AND r.site_id IS NULL)",
        "duplicate_registrations": "SELECT count(*) FROM (SELECT 1 FROM registrations GROUP BY event_id, "
                                   "person_id HAVING count(*) > 1) AS d",
        "duplicate_people": "SELECT count(*) FROM (SELECT 1 FROM people WHERE email_normalised IS NOT NULL "
                            "GROUP BY email_normalised HAVING count(*) > 1) AS d",
        "registrations_without_person": "SELECT count(*) FROM registrations r LEFT JOIN people p "
                                        "ON p.id = r.person_id WHERE p.id IS NULL",
    }
    with engine.connect() as connection:
        result = {name: connection.scalar(sa.text(sql)) for name, sql in queries.items()}
        if burst_event is not None:
            rows = connection.execute(sa.text(
                "SELECT r.status, r.ticket_token_hash, p.email_normalised, "
                "(SELECT count(*) FROM outbox_messages m WHERE m.to_address = p.email) AS mails "
                "FROM registrations r JOIN people p ON p.id = r.person_id WHERE r.event_id = :e"),
                {"e": burst_event}).all()
            statuses = Counter(row.status for row in rows)
            result.update({
                "burst_registrations": len(rows), "burst_approved": statuses.get("approved", 0),
                "burst_waitlisted": statuses.get("waitlisted", 0),
                "burst_without_ticket": sum(1 for row in rows if not row.ticket_token_hash),
                "burst_without_email": sum(1 for row in rows if row.mails < 1),
                "burst_extra_emails": sum(row.mails - 1 for row in rows if row.mails > 1),
                "burst_people_without_registration": connection.scalar(sa.text(
                    "SELECT count(*) FROM people p WHERE p.email_normalised LIKE :pattern AND NOT EXISTS "
                    "(SELECT 1 FROM registrations r WHERE r.person_id = p.id)"), {"pattern": f"%@{domain}"}),
                "outbox_messages": connection.scalar(sa.text("SELECT count(*) FROM outbox_messages")),
            })
    engine.dispose()
    return result


MUST_BE_ZERO = ("oversold_events", "duplicate_registrations", "duplicate_people",
                "registrations_without_person", "burst_without_ticket", "burst_without_email",
                "burst_extra_emails")


# ---------------------------------------------------------------------------- the workload

def run_load(address: str, fixture: Fixture, args: argparse.Namespace, recorder: Recorder) -> dict[str, int]:
    """All client threads for `args.seconds`; returns scan result codes."""
    stop = time.monotonic() + args.seconds
    rng = random.Random(11)
    codes: Counter = Counter()
    codes_lock = threading.Lock()

    def feeds(_i: int) -> None:
        session, etag = Session(address), None
        while time.monotonic() < stop:
            if etag is None:
                _s, _d, response = recorder.run("feed GET /calendar.ics", session, "GET", "/calendar.ics", (200,))
                etag = response.getheader("ETag") if response else None
            else:
                status, _d, response = recorder.run("feed GET If-None-Match", session, "GET", "/calendar.ics",
                                                    (304, 200), headers={"If-None-Match": etag})
                if status == 200:
                    etag = response.getheader("ETag")
                if rng.random() < 0.2:
                    etag = None  # a new subscriber: full body
            time.sleep(args.think)

    def pages(i: int) -> None:
        session = Session(address)
        n = i
        while time.monotonic() < stop:
            n += 1
            if n % 3 == 0:
                recorder.run("page GET /", session, "GET", "/", (200,))
            else:
                event_id = fixture.page_events[n % len(fixture.page_events)]
                recorder.run("page GET /events/<id>", session, "GET", f"/events/{event_id}", (200,))
            time.sleep(args.think)

    tokens = list(fixture.tokens)
    rng.shuffle(tokens)
    slices = [tokens[i::args.desks] for i in range(args.desks)]

    def desk(i: int) -> None:
        session = Session(address)
        try:
            csrf = session.sign_in(CHECKIN_USER, DEMO_PASSWORD, fixture.checkin_event)
        except Exception as error:
            recorder.error("check-in POST scan", f"sign-in {error.__class__.__name__}")
            return
        headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf}
        mine, done, n, seen = slices[i], [], 0, Counter()
        path = f"/console/attendance/api/events/{fixture.checkin_event}/scan"
        while time.monotonic() < stop:
            n += 1
            if n % 50 == 0:
                payload = "garbage-" + secrets.token_hex(3)
            elif (n % 10 == 0 and done) or not mine:
                payload = done[n % len(done)]
            else:
                payload = mine.pop()
                done.append(payload)
            status, data, _r = recorder.run("check-in POST scan", session, "POST", path, (200,),
                                            json.dumps({"payload": payload}).encode(), headers)
            if status == 200:
                seen[json.loads(data)["result"]["code"]] += 1
            time.sleep(args.think)
        with codes_lock:
            codes.update(seen)

    burst_at = threading.Event()
    register_path = f"/events/{fixture.burst_event}/register"

    def journalist(number: int) -> None:
        session = Session(address, timeout=args.timeout)
        status, page, _r = recorder.run("register GET form", session, "GET", register_path, (200,))
        found = FORM_TOKEN.search(page) if status == 200 else None
        if found is None:
            return
        burst_at.wait(timeout=args.seconds + 60)
        recorder.run("register POST", session, "POST", register_path, (302,),
                     registration_form(number, fixture.outlet, found.group(1).decode()), FORM)

    threads = [threading.Thread(target=feeds, args=(i,)) for i in range(args.feeds)]
    threads += [threading.Thread(target=pages, args=(i,)) for i in range(args.pages)]
    threads += [threading.Thread(target=desk, args=(i,)) for i in range(args.desks)]
    for thread in threads:
        thread.start()
    # The journalists open the form during the first quarter and all submit at its end.
    burst = [threading.Thread(target=journalist, args=(n,)) for n in range(1, args.registrations + 1)]
    started = time.monotonic()
    for number, thread in enumerate(burst):
        thread.start()
        time.sleep(max(0.0, started + args.seconds / 4 * number / len(burst) - time.monotonic()))
    time.sleep(max(0.0, started + args.seconds / 4 - time.monotonic()))
    burst_at.set()
    for thread in threads + burst:
        thread.join(timeout=args.seconds + args.timeout + 60)
    return dict(codes)


def warm_up(address: str, fixture: Fixture, rounds: int = 8) -> None:
    """Untimed requests until every worker has booted and answered each kind of page once."""
    session = Session(address)
    for _ in range(rounds):
        for path in ("/healthz", "/", f"/events/{fixture.page_events[0]}", "/calendar.ics",
                     f"/events/{fixture.burst_event}/register"):
            session.call("GET", path)


ORDER = ["feed GET /calendar.ics", "feed GET If-None-Match", "page GET /", "page GET /events/<id>",
         "register GET form", "register POST", "check-in POST scan"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run (at most 600)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--feeds", type=int, default=4, help="feed-polling clients")
    parser.add_argument("--pages", type=int, default=4, help="page-viewing clients")
    parser.add_argument("--desks", type=int, default=4, help="check-in desks (signed in)")
    parser.add_argument("--registrations", type=int, default=300, help="journalists in the burst")
    parser.add_argument("--seats", type=int, default=100, help="capacity of the burst event")
    parser.add_argument("--tickets", type=int, default=10000, help="tickets of the check-in event")
    parser.add_argument("--think", type=float, default=0.0, help="pause after each request, seconds")
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    args.seconds = min(max(args.seconds, 5.0), 600.0)  # bounded in time
    loopback_url(args.database_url)

    recreate_database(args.database_url)
    try:
        fixture = prepare(args.database_url, args.seats, args.tickets)
        recorder = Recorder()
        with serve("wsgi:app", app_env(args.database_url), workers=args.workers) as address:
            warm_up(address, fixture)
            began = time.perf_counter()
            codes = run_load(address, fixture, args, recorder)
            wall = time.perf_counter() - began
        checks = integrity(args.database_url, fixture.burst_event)
        engine = sa.create_engine(args.database_url)
        with engine.connect() as connection:
            checked_in = connection.scalar(sa.text(
                "SELECT count(*) FROM registrations WHERE event_id = :e AND checked_in_at IS NOT NULL"),
                {"e": fixture.checkin_event})
        engine.dispose()
    finally:
        if not args.keep:
            drop_database(args.database_url)

    errors = sum(sum(c.values()) for c in recorder.errors.values())
    print(f"\nMixed load: {wall:.0f} s, gunicorn {args.workers} workers (gunicorn.conf.py: gthread), "
          f"PostgreSQL, loopback, new connection per request; clients: {args.feeds} feed pollers, "
          f"{args.pages} page viewers, {args.desks} check-in desks (flat out, think {args.think:g} s) and "
          f"a burst of {args.registrations} registrations for {args.seats} seats at t={args.seconds / 4:.0f} s; "
          f"client and server share {os.cpu_count()} cores\n")
    print(table(recorder, wall, ORDER))
    posted = recorder.statuses.get("register POST", Counter()).get(302, 0)
    print(f"\nscan result codes: {dict(sorted(codes.items()))}; checked-in rows {checked_in} "
          f"(= first scans {codes.get('checked_in', 0)})")
    print("database: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    expected_approved = min(args.seats, posted)
    failures = [name for name in MUST_BE_ZERO if checks.get(name)]
    if checks["burst_registrations"] != posted:
        failures.append(f"burst rows {checks['burst_registrations']} != acknowledged POSTs {posted}")
    if checks["burst_approved"] != expected_approved:
        failures.append(f"approved {checks['burst_approved']} != {expected_approved}")
    if checked_in != codes.get("checked_in", 0):
        failures.append("checked-in rows != first scans")
    if errors:
        failures.append(f"{errors} request errors")
    print(("PASS" if not failures else "FAIL") + f" load: {errors} errors, {posted} registrations "
          f"acknowledged ({checks['burst_approved']} approved, {checks['burst_waitlisted']} wait-listed), "
          f"0 oversold/duplicates expected" + (f"; failures: {failures}" if failures else ""))
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
