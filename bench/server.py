"""Serve an app with gunicorn on a loopback port and time HTTP requests against it."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn"]

# A bare Flask "hello" endpoint: the baseline every figure is compared with.
hello_app = Flask("hello")


@hello_app.get("/")
def hello() -> str:
    return "hello"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(target: str, env: dict[str, str] | None = None, workers: int = 1) -> Iterator[str]:
    """Run `gunicorn -c gunicorn.conf.py target` (gthread, as in production) on 127.0.0.1; yields "127.0.0.1:port".

    The command line's --workers and --bind override the file's; every figure (the bare hello too)
    is measured through the same server settings.
    """
    port = free_port()
    command = [*GUNICORN, "--config", str(ROOT / "gunicorn.conf.py"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", target]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {target} did not start") from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()  # only the process this helper started
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def request(address: str, path: str, headers: dict[str, str] | None = None,
            method: str = "GET") -> tuple[int, float, http.client.HTTPResponse, bytes]:
    """One request on a new connection (the worst case: no keep-alive): status, seconds."""
    host, port = address.split(":")
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, time.perf_counter() - started, response, body


def timed(address: str, path: str, count: int, *, headers: dict[str, str] | None = None,
          before: object = None, expect: int = 200, budget_s: float = 60.0) -> list[float]:
    """Durations of up to `count` requests (bounded by `budget_s`); `before()` runs untimed first."""
    durations: list[float] = []
    stop = time.monotonic() + budget_s
    while len(durations) < count and time.monotonic() < stop:
        if callable(before):
            before()
        status, seconds, _response, _body = request(address, path, headers)
        if status != expect:
            raise RuntimeError(f"{path}: HTTP {status}, expected {expect}")
        durations.append(seconds)
    return durations


def summary(durations: list[float]) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000
