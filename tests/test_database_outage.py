"""With the database unreachable, requests fail cleanly with 503 (never a traceback or a hang)."""

from __future__ import annotations

import socket

from tests.conftest import make_test_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # released on close: nothing listens there


def test_unreachable_database_gives_503_pages() -> None:
    url = f"postgresql+psycopg://eventapp@127.0.0.1:{_closed_port()}/eventapp?connect_timeout=2"
    app = make_test_app(url, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    page = client.get("/")
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert 'lang="vi"' in text and "Traceback" not in text
    api = client.get("/api/v1/events")
    assert api.status_code == 503 and api.is_json
    # the check-in desk's script asks for JSON; it queues the scan and shows the waiting count
    app.config["SESSION_PROTECTION"] = None  # the session is forged here, not signed in
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"  # a signed-in desk: loading its user needs the database
    desk = client.post("/console/attendance/api/events/1/scan", json={"payload": "x"},
                       headers={"Accept": "application/json"})
    assert desk.status_code == 503 and desk.is_json and desk.get_json()["message"]
