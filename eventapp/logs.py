"""Structured (JSON) logs with a request id; secret tokens in URLs are never written out."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time

from flask import Flask, g, request

# Long URL-safe path segments are bearer tokens (tickets, calendar feeds, new-link confirmations,
# password resets), in a bare path or a URL inside a log line or a message body.
TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-]{24,}(?=(\.ics)?([/?#\s\"'<>)]|$))")


def redact(text: str) -> str:
    """The path (or any text holding URLs) with token-like segments replaced, safe to log."""
    return TOKEN_SEGMENT.sub("[token]", text)


class RedactingFilter(logging.Filter):
    """Redacts tokens from a logger's lines: the development server's (werkzeug) request log
    writes every path, /ticket/<token> included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship to any log store."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("request_id", "method", "path", "status", "duration_ms", "user_id"):
            value = getattr(record, key, None)
            if value is not None:
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def init_app(app: Flask) -> None:
    """Request ids and access logs; JSON output when LOG_FORMAT=json (production default)."""
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactingFilter())
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        app.logger.handlers[:] = [handler]
        app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request_id(request.headers.get("X-Request-ID", ""))

    @app.after_request
    def _log_request(response):
        started = g.pop("request_started", None)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if started is not None and app.config.get("ACCESS_LOG", False):
            log_access(g.get("request_id"), request.method, request.path, response.status_code, started)
        return response


def request_id(incoming: str) -> str:
    """The proxy's X-Request-ID when it looks like one, else a new id."""
    return incoming if re.fullmatch(r"[A-Za-z0-9\-]{8,64}", incoming) else secrets.token_hex(8)


def log_access(request_id: str | None, method: str, path: str, status: int, started: float) -> None:
    """One access line (the path redacted); `started` is a time.perf_counter() reading."""
    logging.getLogger("eventapp.access").info("request", extra={
        "request_id": request_id, "method": method, "path": redact(path), "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
