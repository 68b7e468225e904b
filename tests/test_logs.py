"""Logs carry a request id and never a token."""

from __future__ import annotations

import json
import logging

from eventapp.logs import JsonFormatter, redact


def test_tokens_in_paths_are_redacted() -> None:
    token = "Zq3v9Xb2_kLmN0pQrStUvWxYz-1234567890abc"
    assert redact(f"/calendar/u/{token}.ics") == "/calendar/u/[token].ics"
    assert redact(f"/t/{token}") == "/t/[token]"
    assert redact(f"/t/{token}/cancel") == "/t/[token]/cancel"
    assert redact("/events/12") == "/events/12"
    assert redact("/console/users/") == "/console/users/"


def test_access_log_is_json_with_request_id_and_no_token(app, caplog) -> None:
    app.config["ACCESS_LOG"] = True
    token = "A" * 43
    try:
        with caplog.at_level(logging.INFO, logger="eventapp.access"):
            response = app.test_client().get(f"/calendar/u/{token}.ics", headers={"X-Request-ID": "abcdef12"})
    finally:
        app.config["ACCESS_LOG"] = False
    assert response.headers["X-Request-ID"] == "abcdef12"
    [record] = [r for r in caplog.records if r.name == "eventapp.access"]
    line = JsonFormatter().format(record)
    payload = json.loads(line)
    assert payload["request_id"] == "abcdef12" and payload["status"] == response.status_code
    assert token not in line and "[token]" in payload["path"]
