"""The desk's JSON endpoints: scan, one-tap check-in, offline batch, undo, counters, search, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import Registration


def url(event, action: str) -> str:
    return f"/console/attendance/api/events/{event.id}/{action}"


def test_scan_answers_with_result(as_desk, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    db.session.commit()
    response = as_desk.post(url(door_event, "scan"), json={"payload": token})
    assert response.status_code == 200
    body = response.get_json()
    assert body["result"]["code"] == "checked_in" and body["result"]["ok"] is True
    assert body["result"]["registration_id"] == registration.id
    assert re.fullmatch(r"\d\d:\d\d", body["result"]["time"])
    assert "counters" not in body  # polled separately: counting costs a scan of the event
    assert as_desk.get(url(door_event, "counters")).get_json()["counters"]["checked_in"] == 1
    again = as_desk.post(url(door_event, "scan"), json={"payload": token}).get_json()["result"]
    assert again["code"] == "already" and again["time"] == body["result"]["time"] and again["by"]


def test_one_tap_check_in_from_search(as_desk, door_event, ticket) -> None:
    registration, _ = ticket(door_event)
    db.session.commit()
    name = registration.person.full_name
    found = as_desk.get(url(door_event, "search"), query_string={"q": name}).get_json()["results"]
    assert found[0]["registration_id"] == registration.id and found[0]["time"] is None
    result = as_desk.post(url(door_event, "scan"), json={"registration_id": registration.id}).get_json()
    assert result["result"]["code"] == "checked_in"
    assert db.session.get(Registration, registration.id).checkin_method.value == "search"


@pytest.mark.parametrize("body", [
    None, [], "text", {"payload": 5}, {"registration_id": "1"}, {"registration_id": True},
    {"registration_id": -3}, {"nothing": 1},
])
def test_malformed_scan_requests_get_400_json(as_desk, door_event, body) -> None:
    if body is None:
        response = as_desk.post(url(door_event, "scan"), data="{not json", content_type="application/json")
    else:
        response = as_desk.post(url(door_event, "scan"), json=body)
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_unknown_event_is_a_json_404(as_desk) -> None:
    response = as_desk.post("/console/attendance/api/events/999999/scan", json={"payload": "x"})
    assert response.status_code == 404 and response.get_json()["error"] == "event_not_found"


def test_offline_batch_answers_per_client_id(as_desk, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    _, other_token = ticket(door_event)
    db.session.commit()
    now = utcnow()
    scans = [
        {"id": "b", "payload": token, "scanned_at": (now - timedelta(minutes=1)).isoformat()},
        {"id": "a", "payload": token, "scanned_at": (now - timedelta(minutes=4)).isoformat()},
        {"id": "c", "payload": "garbage!", "scanned_at": now.isoformat()},
        {"id": "d", "payload": other_token, "scanned_at": "yesterday"},
        {"id": "e", "payload": other_token, "scanned_at": "2026-01-01T10:00:00"},
        {"id": "f", "registration_id": registration.id, "scanned_at": now.isoformat()},
        "not an object",
    ]
    response = as_desk.post(url(door_event, "batch"), json={"scans": scans})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results["a"]["code"] == "checked_in"
    assert results["b"]["code"] == results["f"]["code"] == "already"
    assert results["c"]["code"] == "invalid"
    assert results["d"]["code"] == results["e"]["code"] == "bad_time"
    checked = db.session.scalars(sa.select(Registration.checked_in_at).where(
        Registration.event_id == door_event.id, Registration.checked_in_at.is_not(None))).all()
    assert checked == [now.replace(microsecond=now.microsecond) - timedelta(minutes=4)]
    # The same batch again: still one check-in.
    assert as_desk.post(url(door_event, "batch"), json={"scans": scans}).status_code == 200
    assert response.get_json()["counters"]["checked_in"] == 1


def test_batch_corrects_a_fast_desk_clock(as_desk, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    _, other_token = ticket(door_event)
    db.session.commit()
    fast = utcnow() + timedelta(minutes=3)  # the tablet's clock runs 3 minutes fast
    scans = [{"id": "a", "payload": token, "scanned_at": fast.isoformat()}]
    response = as_desk.post(url(door_event, "batch"), json={"scans": scans, "client_now": fast.isoformat()})
    assert response.status_code == 200 and response.get_json()["results"]["a"]["code"] == "checked_in"
    db.session.refresh(registration)
    # Stored on the server's clock: about now (the request's latency aside), not 3 minutes ahead.
    assert abs(registration.checked_in_at - (fast - timedelta(minutes=3))) < timedelta(seconds=5)
    assert registration.checked_in_at <= utcnow()
    # Without `client_now` (an older desk) the same stamp is still refused: the field is optional.
    old = as_desk.post(url(door_event, "batch"), json={"scans": [
        {"id": "b", "payload": other_token, "scanned_at": fast.isoformat()}]})
    assert old.status_code == 200 and old.get_json()["results"]["b"]["code"] == "bad_time"


@pytest.mark.parametrize("client_now", ["yesterday", "2026-01-01T10:00:00", 12, ["x"]])
def test_batch_refuses_an_unreadable_desk_clock(as_desk, door_event, client_now) -> None:
    response = as_desk.post(url(door_event, "batch"), json={"scans": [], "client_now": client_now})
    assert response.status_code == 400 and response.get_json()["error"] == "client_now_invalid"


def test_batch_limits(as_desk, door_event) -> None:
    assert as_desk.post(url(door_event, "batch"), json={"scans": "x"}).status_code == 400
    too_many = [{"id": str(i), "payload": "x", "scanned_at": utcnow().isoformat()} for i in range(501)]
    assert as_desk.post(url(door_event, "batch"), json={"scans": too_many}).status_code == 400


def test_undo_and_counters(as_desk, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    db.session.commit()
    as_desk.post(url(door_event, "scan"), json={"payload": token})
    undone = as_desk.post(url(door_event, "undo"), json={"registration_id": registration.id}).get_json()
    assert undone["result"]["code"] == "undone" and undone["counters"]["checked_in"] == 0
    assert as_desk.get(url(door_event, "counters")).get_json()["counters"]["checked_in"] == 0
    assert as_desk.post(url(door_event, "undo"), json={}).status_code == 400


def test_csrf_token_from_the_meta_tag_is_accepted_in_a_header(app, as_desk, door_event, ticket) -> None:
    _, token = ticket(door_event)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = as_desk.get(f"/console/attendance/events/{door_event.id}/desk").get_data(as_text=True)
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        assert as_desk.post(url(door_event, "scan"), json={"payload": token}).status_code == 400
        response = as_desk.post(url(door_event, "scan"), json={"payload": token}, headers={"X-CSRFToken": csrf})
        assert response.status_code == 200 and response.get_json()["result"]["code"] == "checked_in"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_desk_page_carries_urls_and_translated_messages(as_desk, door_event) -> None:
    page = as_desk.get(f"/console/attendance/events/{door_event.id}/desk").get_data(as_text=True)
    for attribute in ("data-scan-url", "data-batch-url", "data-undo-url", "data-search-url",
                      "data-msg-checked-in", "data-msg-already", "data-msg-wrong-event", "data-jsqr-url"):
        assert attribute in page
    assert "<script>" not in page and "onclick" not in page


def test_ids_beyond_the_integer_range_are_not_found(as_desk, client, login, make_user) -> None:
    huge = 2**63
    assert as_desk.post(f"/console/attendance/api/events/{huge}/scan", json={"payload": "x"}).status_code == 404
    assert as_desk.get(f"/console/attendance/events/{huge}/desk").status_code == 404
    client.post("/logout")
    login(make_user())
    assert client.get(f"/console/attendance/events/{huge}/report").status_code == 404
    assert client.get(f"/console/rollcall/events/{huge}/sites/{huge}").status_code == 404
    # in a query string it is a malformed number: a 400 naming the parameter (issue #14)
    assert client.get("/console/attendance/series-report", query_string={"series_id": huge}).status_code == 400
