"""Check-in throughput: 20 concurrent scanners for 30 s against the desk's scan endpoint, through
gunicorn on PostgreSQL, and a bare Flask "hello" measured the same way for the ratio.

    .venv/bin/python -m bench.checkin   # [--database-url postgresql+psycopg://postgres@127.0.0.1/eventapp_bench_checkin]

The database (loopback PostgreSQL only) is created for the run and dropped afterwards. Each scanner signs in once (a real session and
CSRF token), then posts ticket payloads: mostly first scans, one in ten a repeat ("already"), one
in fifty garbage. Two load shapes, each for the given time: flat out (every scanner posts again as
soon as it has its answer: saturation throughput, where latency is mostly queueing for a worker)
and paced (each scanner scans every --pace seconds, already ~180× a real door's rate of 400
people in 15 minutes). A signed-in no-op (GET ping) and the bare Flask "hello" run the same way.
Every figure is end-to-end on loopback from the client's side, new connection per request
(as most clients of a desk do); the client shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.database import throwaway_database
from bench.server import serve
from config import Config
from eventapp import create_app
from eventapp.accounts.models import Role, User
from eventapp.events.models import Event, EventKind, EventStatus
from eventapp.extensions import db
from eventapp.registrations.models import Registration, RegistrationChannel, RegistrationStatus
from eventapp.tokens import hash_token

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/eventapp_bench_checkin"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway user in a throwaway database


def seed(database_url: str, tickets: int) -> tuple[int, list[str]]:
    """A published event starting in 30 minutes with `tickets` approved registrations; returns tokens."""
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=secrets.token_hex(32))
    tokens = [secrets.token_urlsafe(32) for _ in range(tickets)]
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        db.drop_all()
        db.create_all()
        event = Event(kind=EventKind.PRESS_BRIEFING, title="Họp báo thường kỳ (benchmark)",
                      starts_at=now + timedelta(minutes=30), ends_at=now + timedelta(hours=2),
                      status=EventStatus.PUBLISHED, venue="18 Nguyễn Du, Hà Nội")
        user = User(email="desk@bench.example", full_name="Bàn check-in", role=Role.CHECKIN_STAFF)
        user.set_password(PASSWORD)
        db.session.add_all([event, user])
        db.session.flush()
        people = db.session.execute(
            sa.text("INSERT INTO people (full_name, email_normalised, locale, created_at, updated_at) "
                    "SELECT 'Người tham dự ' || g, 'p' || g || '@bench.example', 'vi', :now, :now "
                    "FROM generate_series(1, :n) AS g RETURNING id"),
            {"n": tickets, "now": now}).scalars().all()
        db.session.execute(sa.insert(Registration), [
            {"event_id": event.id, "person_id": person_id, "channel": RegistrationChannel.PUBLIC,
             "status": RegistrationStatus.APPROVED, "ticket_token_hash": hash_token(token),
             "created_at": now, "updated_at": now}
            for person_id, token in zip(people, tokens, strict=True)])
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id, tokens


class Client:
    """A signed-in desk: session cookie and CSRF token, one new connection per request."""

    def __init__(self, address: str) -> None:
        self.host, port = address.split(":")
        self.port = int(port)
        self.cookies: dict[str, str] = {}

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
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
        return response.status, data, elapsed

    def sign_in(self, event_id: int) -> str:
        _s, page, _t = self.call("GET", "/login")
        csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        form = urlencode({"email": "desk@bench.example", "password": PASSWORD, "csrf_token": csrf})
        status, _b, _t = self.call("POST", "/login", form.encode(),
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"sign-in failed: HTTP {status}")
        _s, desk, _t = self.call("GET", f"/console/attendance/events/{event_id}/desk")
        return re.search(rb'<meta name="csrf-token" content="([^"]+)"', desk).group(1).decode()


def run_scanners(address: str, event_id: int, tokens: list[str], scanners: int, seconds: float,
                 pace: float = 0.0) -> tuple[list[float], dict[str, int]]:
    """`scanners` threads posting scans for `seconds` (one every `pace` s each, or flat out when 0);
    returns latencies and result codes seen. Each call uses its own tickets (`tokens` is consumed)."""
    clients = [Client(address) for _ in range(scanners)]
    csrf = [client.sign_in(event_id) for client in clients]
    budget = int(len(tokens) * 0.45)
    mine_all, tokens[:] = tokens[:budget], tokens[budget:]
    slices = [mine_all[i::scanners] for i in range(scanners)]
    latencies: list[float] = []
    codes: dict[str, int] = {}
    lock = threading.Lock()
    start_line = threading.Barrier(scanners)
    path = f"/console/attendance/api/events/{event_id}/scan"

    def scanner(i: int) -> None:
        mine, done, local, seen = slices[i], [], [], {}
        headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf[i]}
        start_line.wait()
        stop = time.monotonic() + seconds
        n = 0
        next_at = time.monotonic() + (pace * i / scanners)  # spread the paced scanners out
        while time.monotonic() < stop:
            if pace:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += pace
            n += 1
            if n % 50 == 0:
                payload = "garbage-" + secrets.token_hex(3)
            elif n % 10 == 0 and done:
                payload = done[-1]
            elif mine:
                payload = mine.pop()
                done.append(payload)
            else:
                payload = done[n % len(done)]
            status, body, elapsed = clients[i].call("POST", path, json.dumps({"payload": payload}).encode(), headers)
            if status != 200:
                raise RuntimeError(f"scan: HTTP {status}: {body[:200]!r}")
            code = json.loads(body)["result"]["code"]
            local.append(elapsed)
            seen[code] = seen.get(code, 0) + 1
        with lock:
            latencies.extend(local)
            for code, count in seen.items():
                codes[code] = codes.get(code, 0) + count

    threads = [threading.Thread(target=scanner, args=(i,)) for i in range(scanners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return latencies, codes


def run_get(address: str, path: str, clients: int, seconds: float, pace: float = 0.0,
            sign_in_event: int | None = None) -> list[float]:
    """The same load shape with GET requests (the bare Flask endpoint, or a signed-in no-op)."""
    latencies: list[float] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients)
    prepared = [Client(address) for _ in range(clients)]
    if sign_in_event is not None:
        for client in prepared:
            client.sign_in(sign_in_event)

    def worker(i: int) -> None:
        client, local = prepared[i], []
        start_line.wait()
        stop = time.monotonic() + seconds
        next_at = time.monotonic() + (pace * i / clients)
        while time.monotonic() < stop:
            if pace:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += pace
            status, _body, elapsed = client.call("GET", path)
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
            local.append(elapsed)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scanners", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--pace", type=float, default=0.25,
                        help="seconds between scans of one scanner in the paced run")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 120.0)  # bounded in time
    with throwaway_database(args.database_url):
        run(args)


def run(args: argparse.Namespace) -> None:
    """Seed, serve, scan and check the counts; the caller owns the database."""
    event_id, tokens = seed(args.database_url, args.tickets)
    env = {"EVENTAPP_ENV": "production", "DATABASE_URL": args.database_url,
           "SECRET_KEY": secrets.token_hex(16), "RATELIMIT_ENABLED": "0"}
    n, t, pace = args.scanners, args.seconds, args.pace
    rows: list[tuple[str, list[float], str]] = []
    codes: dict[str, int] = {}
    with serve("wsgi:app", env, workers=args.workers) as address:
        scans, seen = run_scanners(address, event_id, tokens, n, t)
        ping = run_get(address, "/console/attendance/api/ping", n, t, sign_in_event=event_id)
        paced, seen_paced = run_scanners(address, event_id, tokens, n, t, pace=pace)
        paced_ping = run_get(address, "/console/attendance/api/ping", n, t, pace=pace, sign_in_event=event_id)
    for found in (seen, seen_paced):
        for code, count in found.items():
            codes[code] = codes.get(code, 0) + count
    with serve("bench.server:hello_app", workers=args.workers) as address:
        hello = run_get(address, "/", n, t)
        paced_hello = run_get(address, "/", n, t, pace=pace)
    rows = [("bare Flask hello, flat out", hello, ""),
            ("signed-in no-op (GET ping), flat out", ping, "floor of the app stack"),
            ("POST scan (check-in), flat out", scans, "throughput"),
            (f"bare Flask hello, 1 per {pace:g} s each", paced_hello, ""),
            (f"signed-in no-op, 1 per {pace:g} s each", paced_ping, ""),
            (f"POST scan, 1 per {pace:g} s each", paced, "p99 < 50 ms")]
    engine = sa.create_engine(args.database_url)
    with engine.connect() as connection:
        checked = connection.scalar(sa.text(
            "SELECT count(*) FROM registrations WHERE checked_in_at IS NOT NULL"))
    engine.dispose()
    print(f"\nCheck-in: {n} concurrent scanners × {t:.0f} s per row, gunicorn {args.workers} gthread "
          f"workers, PostgreSQL, loopback, new connection per request; the client runs on the same "
          f"{os.cpu_count()} cores\n")
    print("| load | requests | per second | p50 ms | p99 ms | p50 × hello | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for label, values, target in rows:
        base = percentile(paced_hello if "per" in label else hello, 0.5)
        print(f"| {label} | {len(values)} | {len(values) / t:.0f} | "
              f"{percentile(values, 0.5):.2f} | {percentile(values, 0.99):.2f} | "
              f"{percentile(values, 0.5) / base:.2f} | {target} |")
    print(f"\nresult codes: {dict(sorted(codes.items()))}; "
          f"checked in rows: {checked} (= first scans: {codes.get('checked_in', 0)})")
    if checked != codes.get("checked_in", 0):
        raise SystemExit("check-in count does not match the first scans")


if __name__ == "__main__":
    main()
