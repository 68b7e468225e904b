"""Structured (JSON) logs with a request id; secret tokens in URLs are never written out."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time

from flask import Flask, g, request

# Long URL-safe path segments are bearer tokens (tickets, calendar feeds, password resets).
TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-]{24,}(?=(\.ics)?(/|$|\?))")


def redact(path: str) -> str:
    """The path with token-like segments replaced, safe to log."""
    return TOKEN_SEGMENT.sub("[token]", path)


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
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        app.logger.handlers[:] = [handler]
        app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    access = logging.getLogger("eventapp.access")

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if re.fullmatch(r"[A-Za-z0-9\-]{8,64}", incoming) else secrets.token_hex(8)

    @app.after_request
    def _log_request(response):  # noqa: ANN001, ANN202
        started = g.pop("request_started", None)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if started is not None and app.config.get("ACCESS_LOG", False):
            access.info(
                "request", extra={
                    "request_id": g.get("request_id"), "method": request.method, "path": redact(request.path),
                    "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                })
        return response
