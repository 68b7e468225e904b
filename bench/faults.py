"""Fault runs against gunicorn on PostgreSQL, loopback only; each scenario prints PASS or FAIL.

    .venv/bin/python -m bench.faults smtp-down
    .venv/bin/python -m bench.faults pg-restart
    .venv/bin/python -m bench.faults worker-kill

smtp-down    a registration burst while no SMTP server listens; the outbox worker (`flask mail
             send`) runs against a closed loopback port, then, once the backoff has passed, two
             workers run at once against an aiosmtpd server on loopback: every queued message is
             delivered exactly once, none lost.
pg-restart   a private throwaway PostgreSQL cluster (initdb in a temporary directory, its own port;
             the shared server on 5432 is never touched): migrate + demo, gunicorn on it, steady
             anonymous and signed-in requests, the cluster stopped (-m fast) and started again
             mid-run. Requests during the outage get 503 (never a 500, never a timeout), the app
             recovers without restarting gunicorn; the cluster is removed at the end.
worker-kill  a registration burst; one gunicorn worker whose database connection is inside a
             transaction is SIGKILLed. No half-written registration (person, ticket, e-mail),
             nothing oversold or duplicated, every acknowledged POST is in the database, and the
             master replaced the worker.

smtp-down and worker-kill use a throwaway database on the loopback PostgreSQL (--database-url,
dropped first if it exists and at the end unless --keep).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bench.database import drop_database, loopback_url, recreate_database
from bench.load import (
    DEMO_PASSWORD,
    FORM,
    FORM_TOKEN,
    MUST_BE_ZERO,
    Session,
    app_env,
    flask_command,
    gunicorn_pids,
    integrity,
    percentile,
    prepare,
    registration_form,
)
from bench.server import ROOT, free_port, serve

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/eventapp_bench_faults"


def verdict(name: str, ok: bool, figures: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'} {name}: {figures}", flush=True)
    return ok


# ---------------------------------------------------------------------------- registration burst

@dataclass
class Submission:
    """One journalist's POST: its number, the status (or the exception's name) and the seconds."""

    number: int
    status: int | str = "not run"
    seconds: float = 0.0


def registration_burst(address: str, event_id: int, outlet_id: int, count: int, domain: str,
                       timeout: float = 60.0, started: threading.Event | None = None) -> list[Submission]:
    """`count` journalists load the form (own session and CSRF token), then POST at once."""
    path = f"/events/{event_id}/register"
    submissions = [Submission(n) for n in range(1, count + 1)]
    line = threading.Barrier(count + 1)

    def journalist(item: Submission) -> None:
        session = Session(address, timeout=timeout)
        try:
            status, page, _s, _r = session.call("GET", path)
            body = registration_form(item.number, outlet_id, FORM_TOKEN.search(page).group(1).decode(),
                                     domain)
        except Exception as error:
            item.status = f"form {error.__class__.__name__}"
            line.abort()
            return
        try:
            line.wait(timeout=120)
        except threading.BrokenBarrierError:
            return
        began = time.perf_counter()
        try:
            item.status, _d, _s, _r = session.call("POST", path, body, FORM)
        except Exception as error:
            item.status = error.__class__.__name__
        item.seconds = time.perf_counter() - began

    threads = [threading.Thread(target=journalist, args=(s,)) for s in submissions]
    for thread in threads:
        thread.start()
    line.wait(timeout=120)
    if started is not None:
        started.set()
    for thread in threads:
        thread.join(timeout=timeout + 60)
    return submissions


def burst_figures(submissions: list[Submission]) -> str:
    durations = [s.seconds for s in submissions if s.status == 302]
    codes = Counter(s.status for s in submissions)
    return (f"{len(submissions)} POSTs {dict(codes)}, p50 {percentile(durations, 0.5):.0f} ms, "
            f"p99 {percentile(durations, 0.99):.0f} ms")


# ---------------------------------------------------------------------------- a. smtp-down

OUTBOX_ID = re.compile(rb"Message-ID: <[^>]*\.outbox(\d+)@eventapp>", re.IGNORECASE)


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


def outbox_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT status, count(*) FROM outbox_messages GROUP BY status")).all()
    engine.dispose()
    return {status: n for status, n in rows}


def mail_send(url: str, port: int, limit: int = 1000) -> str:
    """One pass of the outbox worker, as cron would run it, against SMTP on 127.0.0.1:port."""
    return flask_command(url, "mail", "send", "--limit", str(limit),
                         env={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}).strip()


def smtp_down(args: argparse.Namespace) -> bool:
    from aiosmtpd.controller import Controller

    url = args.database_url
    recreate_database(url)
    try:
        fixture = prepare(url, seats=args.seats, tickets=10)
        engine = sa.create_engine(url)
        with engine.begin() as connection:  # the demo's own e-mails: delivered already
            connection.execute(sa.text("UPDATE outbox_messages SET status = 'sent', sent_at = now()"))
        closed = free_port()  # nothing listens here
        with serve("wsgi:app", app_env(url, MAIL_PORT=str(closed)), workers=args.workers) as address:
            submissions = registration_burst(address, fixture.burst_event, fixture.outlet,
                                             args.registrations, "smtp.example")
        acknowledged = sum(1 for s in submissions if s.status == 302)
        with engine.connect() as connection:
            queued_ids = set(connection.scalars(sa.text(
                "SELECT id FROM outbox_messages WHERE status = 'queued'")).all())
        print(f"  burst with SMTP down: {burst_figures(submissions)}; outbox queued {len(queued_ids)}")

        first = mail_send(url, closed)
        after_first = outbox_counts(url)
        with engine.connect() as connection:
            attempts = connection.execute(sa.text(
                "SELECT min(attempts), max(attempts), min(last_error) FROM outbox_messages "
                "WHERE id = ANY(:ids)"), {"ids": list(queued_ids)}).one()
        print(f"  worker, SMTP down (127.0.0.1:{closed} closed): {first!r}; outbox {after_first}; "
              f"attempts {attempts[0]}..{attempts[1]}, last error {attempts[2]!r}")

        # The backoff (1 minute after a first failure) has passed: make the messages due now.
        with engine.begin() as connection:
            connection.execute(sa.text(
                "UPDATE outbox_messages SET next_attempt_at = now() WHERE status = 'queued'"))
        inbox = Inbox()
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            # Two workers at once, each pass taking at most 25 messages, until a pass finds nothing:
            # the claim must keep them from sending one message twice.
            outputs: list[str] = []

            def drain() -> None:
                for _ in range(100):
                    outputs.append(mail_send(url, port, limit=25))
                    if outputs[-1].startswith("sent 0,"):
                        return

            workers = [threading.Thread(target=drain) for _ in range(2)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=300)
            third = mail_send(url, port)
        finally:
            controller.stop()
        after = outbox_counts(url)
        delivered = [int(m.group(1)) for m in map(OUTBOX_ID.search, inbox.messages) if m]
        with engine.connect() as connection:
            sent_ids = set(connection.scalars(sa.text(
                "SELECT id FROM outbox_messages WHERE id = ANY(:ids) AND status = 'sent' "
                "AND sent_at IS NOT NULL"), {"ids": list(queued_ids)}).all())
        engine.dispose()
        checks = integrity(url, fixture.burst_event, "smtp.example")
    finally:
        if not args.keep:
            drop_database(url)
    duplicates = len(delivered) - len(set(delivered))
    print(f"  workers with SMTP up: {outputs}; third pass {third!r}; outbox {after}")
    print(f"  SMTP server received {len(inbox.messages)} messages, {len(set(delivered))} distinct outbox ids, "
          f"{duplicates} duplicates; database: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    ok = (acknowledged == args.registrations and len(queued_ids) >= acknowledged
          and after_first.get("queued", 0) == len(queued_ids) and first.startswith("sent 0,")
          and after_first.get("sending", 0) == 0 and after_first.get("failed", 0) == 0
          and set(delivered) == queued_ids and duplicates == 0 and len(inbox.messages) == len(queued_ids)
          and sent_ids == queued_ids and after.get("queued", 0) == 0 and after.get("failed", 0) == 0
          and after.get("sending", 0) == 0 and third.startswith("sent 0,")
          and not any(checks.get(name) for name in MUST_BE_ZERO))
    return verdict("smtp-down", ok, f"{acknowledged}/{args.registrations} registrations acknowledged with "
                   f"SMTP down, {len(queued_ids)} e-mails queued, 0 sent while down, "
                   f"{len(set(delivered))} delivered after, {duplicates} duplicates, "
                   f"{len(queued_ids - set(delivered))} lost")


# ---------------------------------------------------------------------------- b. pg-restart

class PrivateCluster:
    """A throwaway PostgreSQL cluster in a temporary directory on its own loopback port."""

    def __init__(self) -> None:
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not versions:
            raise SystemExit("no /usr/lib/postgresql/*/bin: PostgreSQL server binaries are needed")
        self.bin = Path(versions[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="eventapp-pgfault-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/eventapp_faults"
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str, timeout: float = 120) -> None:
        subprocess.run([*self.as_postgres, *command], check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.dir / "log"), "-w", "-t", "60", action, *extra)

    def create(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        self.pg_ctl("start")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.pg_ctl("stop", "-m", "immediate")
            except subprocess.CalledProcessError as error:
                print(f"  pg_ctl stop: {error.stderr!r}")
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Sample:
    """One request of the steady load."""

    kind: str
    began: float
    ended: float
    status: int | str


def pg_restart(args: argparse.Namespace) -> bool:
    cluster = PrivateCluster()
    samples: list[Sample] = []
    lock = threading.Lock()
    events: dict[str, float] = {}
    try:
        cluster.create()
        url = cluster.url
        print(f"  private cluster: {cluster.bin.parent.name}, {cluster.dir}, 127.0.0.1:{cluster.port}")
        recreate_database(url)
        fixture = prepare(url, seats=50, tickets=200)
        # LOG_LEVEL=ERROR: one "database unavailable" warning per 503 would bury real errors.
        with serve("wsgi:app", app_env(url, LOG_LEVEL="ERROR"), workers=args.workers) as address:
            master, workers_before = gunicorn_pids(address, args.workers)
            desks = []
            for _ in range(2):  # signed in before the clock starts
                session = Session(address, timeout=args.timeout)
                desks.append((session, session.sign_in("checkin@demo.eventapp.vn", DEMO_PASSWORD,
                                                       fixture.checkin_event)))
            stop = time.monotonic() + args.seconds
            register_path = f"/events/{fixture.burst_event}/register"

            def record(kind: str, began: float, status: int | str) -> None:
                with lock:
                    samples.append(Sample(kind, began, time.monotonic(), status))

            def anonymous(i: int) -> None:
                session = Session(address, timeout=args.timeout)
                paths = ["/", f"/events/{fixture.page_events[i % len(fixture.page_events)]}",
                         "/calendar.ics", "/healthz", register_path]
                n = i
                while time.monotonic() < stop:
                    n += 1
                    path = paths[n % len(paths)]
                    began = time.monotonic()
                    try:
                        status, _d, _s, _r = session.call("GET", path)
                    except Exception as error:
                        status = error.__class__.__name__
                    record(path.split("/")[1] or "/", began, status)
                    time.sleep(args.pace)

            def journalist(i: int) -> None:
                number = 0
                while time.monotonic() < stop:
                    number += 1
                    session = Session(address, timeout=args.timeout)
                    began = time.monotonic()
                    try:
                        status, page, _s, _r = session.call("GET", register_path)
                        if status == 200:
                            csrf = FORM_TOKEN.search(page).group(1).decode()
                            began = time.monotonic()
                            status, _d, _s, _r = session.call(
                                "POST", register_path, registration_form(i * 100000 + number, fixture.outlet,
                                                                         csrf, "restart.example"), FORM)
                            record("register POST", began, status)
                            time.sleep(args.pace)
                            continue
                    except Exception as error:
                        status = error.__class__.__name__
                    record("register GET", began, status)
                    time.sleep(args.pace)

            def desk(i: int) -> None:
                session, csrf = desks[i]
                headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf}
                tokens = fixture.tokens[i::3]
                n = 0
                while time.monotonic() < stop:
                    n += 1
                    kind, method, path, body = (
                        ("desk scan", "POST", f"/console/attendance/api/events/{fixture.checkin_event}/scan",
                         json.dumps({"payload": tokens[n % len(tokens)]}).encode()) if n % 2 else
                        ("console page", "GET", f"/console/attendance/events/{fixture.checkin_event}/desk", None))
                    began = time.monotonic()
                    try:
                        status, _d, _s, _r = session.call(method, path, body, headers if body else None)
                    except Exception as error:
                        status = error.__class__.__name__
                    record(kind, began, status)
                    time.sleep(args.pace)

            threads = [threading.Thread(target=anonymous, args=(i,)) for i in range(4)]
            threads += [threading.Thread(target=journalist, args=(i,)) for i in range(2)]
            threads += [threading.Thread(target=desk, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            time.sleep(args.seconds / 3)
            events["down"] = time.monotonic()
            if args.outage > 0:  # stop, hold down, start: an outage long enough to see
                cluster.pg_ctl("stop", "-m", "fast")
                events["stopped"] = time.monotonic()
                time.sleep(args.outage)
                events["starting"] = time.monotonic()
                cluster.pg_ctl("start")
            else:  # --outage 0: a plain `pg_ctl restart -m fast`
                events["stopped"] = events["starting"] = time.monotonic()
                cluster.pg_ctl("restart", "-m", "fast")
            events["up"] = time.monotonic()
            for thread in threads:
                thread.join(timeout=args.seconds + args.timeout + 30)
            master_after, workers_after = gunicorn_pids(address, args.workers)
    finally:
        cluster.remove()
    removed = not cluster.dir.exists()

    statuses = Counter(s.status for s in samples)
    bad = [s for s in samples if s.status not in (200, 302, 304, 503)]
    down, up = events["down"], events["up"]
    before = [s for s in samples if s.ended < down]
    during = [s for s in samples if s.began < up and s.ended >= down]
    after = [s for s in samples if s.began >= up]
    unavailable = [s for s in samples if s.status == 503]
    last_503 = max((s.ended for s in unavailable), default=down)
    first_ok_after = min((s.ended for s in after if s.status in (200, 302, 304)), default=float("inf"))
    late_503 = [s for s in unavailable if s.began > up + args.recovery]
    slowest = max((s.ended - s.began for s in samples), default=0.0)
    per_kind = {kind: dict(Counter(s.status for s in samples if s.kind == kind and s.status == 503))
                for kind in sorted({s.kind for s in samples})}
    print(f"  {len(samples)} requests: {dict(statuses)}; before the stop {len(before)} "
          f"({Counter(s.status for s in before)}), overlapping the outage {len(during)} "
          f"({Counter(s.status for s in during)}), after the start {len(after)} ({Counter(s.status for s in after)})")
    print(f"  503 per kind: {per_kind}; pg_ctl stop took {events['stopped'] - down:.2f} s, held down "
          f"{args.outage:g} s, start took {up - events['starting']:.2f} s; outage seen by clients "
          f"{last_503 - down:.2f} s from the stop; first success {first_ok_after - up:.2f} s after the start; "
          f"slowest request {slowest:.2f} s (client timeout {args.timeout:g} s)")
    print(f"  gunicorn master {master} -> {master_after}; workers {workers_before} -> {workers_after}; "
          f"cluster removed: {removed}")
    ok = (not bad and (len(unavailable) > 0 or args.outage <= 0) and all(s.status != 503 for s in before) and not late_503
          and first_ok_after - up < args.recovery and master == master_after
          and len(workers_after) == args.workers and removed)
    return verdict("pg-restart", ok, f"{len(samples)} requests, {len(unavailable)}×503 during the outage, "
                   f"{statuses.get(500, 0)}×500, {len(bad)} other errors/timeouts, recovered "
                   f"{max(first_ok_after - up, 0):.2f} s after PostgreSQL was back, gunicorn not restarted"
                   f" (workers {'unchanged' if workers_before == workers_after else 'recycled'})")


# ---------------------------------------------------------------------------- c. worker-kill

def _socket_ports(pid: int) -> set[int]:
    """Local TCP ports of the sockets process `pid` holds."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return set()
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def worker_in_transaction(engine: sa.Engine, workers: list[int], deadline: float) -> tuple[int, str] | None:
    """A worker whose PostgreSQL session is inside a transaction right now, and what it runs."""
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            busy = connection.execute(sa.text(
                "SELECT client_port, state, left(query, 60) FROM pg_stat_activity WHERE datname = "
                "current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                "AND query ILIKE '%registrations%'")).all()
        by_port = {port: f"{state}: {query}" for port, state, query in busy}
        for pid in workers:
            found = _socket_ports(pid) & by_port.keys()
            if found:
                return pid, by_port[found.pop()]
        time.sleep(0.002)
    return None


def worker_kill(args: argparse.Namespace) -> bool:
    url = args.database_url
    recreate_database(url)
    try:
        fixture = prepare(url, seats=args.seats, tickets=10)
        engine = sa.create_engine(url)
        killed: dict[str, object] = {}
        with serve("wsgi:app", app_env(url), workers=args.workers) as address:
            master, workers_before = gunicorn_pids(address, args.workers)
            started = threading.Event()

            def killer() -> None:
                started.wait(timeout=180)
                target = worker_in_transaction(engine, workers_before, time.monotonic() + 20)
                if target is None:
                    return
                os.kill(target[0], signal.SIGKILL)
                killed.update(pid=target[0], doing=target[1], at=time.monotonic())

            thread = threading.Thread(target=killer)
            thread.start()
            submissions = registration_burst(address, fixture.burst_event, fixture.outlet,
                                             args.registrations, "kill.example", started=started)
            thread.join(timeout=60)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                master_after, workers_after = gunicorn_pids(address)
                if len(workers_after) == args.workers and killed.get("pid") not in workers_after:
                    break
                time.sleep(0.2)
            status, _d, _s, _r = Session(address).call("GET", f"/events/{fixture.burst_event}/register")
        with engine.connect() as connection:
            emails = set(connection.scalars(sa.text(
                "SELECT p.email_normalised FROM registrations r JOIN people p ON p.id = r.person_id "
                "WHERE r.event_id = :e"), {"e": fixture.burst_event}).all())
            lingering = connection.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%'"))
        engine.dispose()
        checks = integrity(url, fixture.burst_event, "kill.example")
    finally:
        if not args.keep:
            drop_database(url)
    acknowledged = {f"pv{s.number}@kill.example" for s in submissions if s.status == 302}
    failed = [s for s in submissions if s.status != 302]
    replaced = sorted(set(workers_after) - set(workers_before))
    print(f"  burst: {burst_figures(submissions)}")
    print(f"  killed worker {killed.get('pid')} while its database session was {killed.get('doing')!r}")
    print(f"  gunicorn master {master} -> {master_after}; workers {workers_before} -> {workers_after} "
          f"(new {replaced}); next request HTTP {status}; sessions idle in transaction {lingering}")
    print("  database: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    rows_of_failed = len(emails & {f"pv{s.number}@kill.example" for s in failed})
    print(f"  {len(failed)} requests cut off by the kill (connections the worker had accepted): "
          f"{rows_of_failed} of them committed before it (whole rows), {len(failed) - rows_of_failed} "
          f"left nothing")
    expected_approved = min(args.seats, checks["burst_registrations"])
    # A gthread worker accepts connections ahead of serving them: every one it held is cut off
    # (a reset, never an HTTP error), and none of them may leave part of a registration behind.
    ok = (bool(killed) and len(failed) > 0 and all(isinstance(s.status, str) for s in failed)
          and acknowledged <= emails and not any(checks.get(name) for name in MUST_BE_ZERO)
          and checks["burst_people_without_registration"] == 0
          and checks["burst_approved"] == expected_approved
          and checks["burst_approved"] + checks["burst_waitlisted"] == checks["burst_registrations"]
          and master == master_after and len(workers_after) == args.workers
          and killed["pid"] not in workers_after and replaced and status == 200 and lingering == 0)
    return verdict("worker-kill", ok, f"worker {killed.get('pid')} SIGKILLed mid-transaction, {len(failed)} "
                   f"requests cut off, {len(acknowledged)} acknowledged all in the database, "
                   f"{checks['burst_registrations']} rows ({checks['burst_approved']} approved / "
                   f"{args.seats} seats), 0 half-written expected: without ticket "
                   f"{checks['burst_without_ticket']}, without e-mail {checks['burst_without_email']}, "
                   f"person without registration {checks['burst_people_without_registration']}; "
                   f"replaced by {replaced}")


SCENARIOS = {"smtp-down": smtp_down, "pg-restart": pg_restart, "worker-kill": worker_kill}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_FAULTS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--registrations", type=int, default=200, help="journalists in a burst")
    parser.add_argument("--seats", type=int, default=60, help="capacity of the burst event")
    parser.add_argument("--seconds", type=float, default=30.0, help="pg-restart: length of the steady load")
    parser.add_argument("--outage", type=float, default=3.0, help="pg-restart: seconds the cluster stays down (0: pg_ctl restart -m fast)")
    parser.add_argument("--pace", type=float, default=0.05, help="pg-restart: pause between a client's requests")
    parser.add_argument("--timeout", type=float, default=10.0, help="pg-restart: client timeout, seconds")
    parser.add_argument("--recovery", type=float, default=5.0,
                        help="pg-restart: seconds after the start by which every request must succeed")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    args.seconds = min(max(args.seconds, 10.0), 300.0)  # bounded in time
    loopback_url(args.database_url)
    os.chdir(ROOT)
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    results = []
    for name in names:
        print(f"{name}:", flush=True)
        results.append(SCENARIOS[name](args))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
