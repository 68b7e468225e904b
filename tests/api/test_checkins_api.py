"""POST /api/v1/events/<id>/checkins: the desk's check-in for token clients (idempotent, offline replays)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.attendance import services
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.registrations.tickets import ticket_url


def url(event) -> str:
    return f"/api/v1/events/{event.id}/checkins"


@pytest.fixture
def desk(bearer, make_user):
    return bearer(make_user(Role.CHECKIN_STAFF))


def _checked_in_at(registration: Registration):
    return db.session.scalar(sa.select(Registration.checked_in_at).where(Registration.id == registration.id))


def test_check_in_staff_checks_a_ticket_in_once(client, desk, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    db.session.commit()
    first = client.post(url(door_event), json={"payload": token}, headers=desk)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    result = first.get_json()["result"]
    assert result["code"] == "checked_in" and result["ok"] is True
    assert result["registration_id"] == registration.id and result["checked_in_at"].endswith("+00:00")
    again = client.post(url(door_event), json={"payload": ticket_url(token)}, headers=desk).get_json()["result"]
    assert again["code"] == "already" and again["ok"] is False
    assert again["checked_in_at"] == result["checked_in_at"]
    by_id = client.post(url(door_event), json={"registration_id": registration.id}, headers=desk)
    assert by_id.get_json()["result"]["code"] == "already"
    assert services.counters(door_event.id)["checked_in"] == 1


def test_check_in_by_registration_id(client, desk, door_event, make_registration) -> None:
    registration = make_registration(door_event)
    db.session.commit()
    result = client.post(url(door_event), json={"registration_id": float(registration.id)}, headers=desk)
    assert result.get_json()["result"]["code"] == "checked_in"
    assert db.session.get(Registration, registration.id).checkin_method.value == "search"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORGANISER])
def test_organisers_check_in_too(client, bearer, make_user, door_event, ticket, role) -> None:
    _, token = ticket(door_event)
    db.session.commit()
    response = client.post(url(door_event), json={"payload": token}, headers=bearer(make_user(role)))
    assert response.get_json()["result"]["code"] == "checked_in"


def test_a_coordinator_cannot_check_in(client, bearer, make_user, make_site, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    headers = bearer(make_user(Role.SITE_COORDINATOR, site=make_site()))
    response = client.post(url(door_event), json={"payload": token}, headers=headers)
    assert response.status_code == 403 and response.get_json() == {"error": "forbidden"}
    assert _checked_in_at(registration) is None


def test_offline_replays_let_the_earliest_scan_win(client, desk, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    db.session.commit()
    now = utcnow().replace(microsecond=0)
    late = client.post(url(door_event), headers=desk, json={
        "payload": token, "scanned_at": (now - timedelta(minutes=1)).isoformat()}).get_json()["result"]
    assert late["code"] == "checked_in"
    early = client.post(url(door_event), headers=desk, json={
        "payload": token, "scanned_at": (now - timedelta(minutes=5)).astimezone().isoformat()}).get_json()["result"]
    assert early["code"] == "checked_in" and early["corrected"] is True
    between = client.post(url(door_event), headers=desk, json={
        "registration_id": registration.id,
        "scanned_at": (now - timedelta(minutes=3)).strftime("%Y-%m-%dt%H:%M:%Sz")}).get_json()["result"]
    assert between["code"] == "already" and between["corrected"] is False
    assert _checked_in_at(registration) == now - timedelta(minutes=5)
    assert services.counters(door_event.id)["checked_in"] == 1


@pytest.mark.parametrize("scanned_at", ["yesterday", "2026-11-20T09:00:00", 1732000000, "", "2026-11-20"])
def test_a_scan_time_needs_an_offset(client, desk, door_event, ticket, scanned_at) -> None:
    _, token = ticket(door_event)
    db.session.commit()
    response = client.post(url(door_event), json={"payload": token, "scanned_at": scanned_at}, headers=desk)
    assert response.status_code == 400 and response.get_json()["error"] == "scanned_at_invalid"


def test_scan_times_far_from_the_event_are_refused(client, desk, door_event, ticket) -> None:
    registration, token = ticket(door_event)
    db.session.commit()
    for when in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2020-01-01T00:00:00Z",
                 (utcnow() + timedelta(hours=1)).isoformat()):
        response = client.post(url(door_event), json={"payload": token, "scanned_at": when}, headers=desk)
        assert response.status_code == 200 and response.get_json()["result"]["code"] == "bad_time", when
    assert _checked_in_at(registration) is None


@pytest.mark.parametrize("body", [
    None, [], "text", 5, {}, {"payload": 5}, {"payload": None}, {"registration_id": "1"},
    {"registration_id": True}, {"registration_id": -3}, {"registration_id": 2**63}, {"registration_id": 1.5},
    # every field sent must have its type, even beside a valid one (found by schemathesis)
    {"registration_id": 1, "payload": [None, {}]}, {"payload": "x" * 43, "scanned_at": None},
])
def test_malformed_bodies_are_a_json_400(client, desk, door_event, body) -> None:
    db.session.commit()
    if body is None:
        response = client.post(url(door_event), data="{not json", content_type="application/json", headers=desk)
    else:
        response = client.post(url(door_event), json=body, headers=desk)
    assert response.status_code == 400 and "error" in response.get_json()


def test_answers_for_tickets_that_cannot_check_in(client, desk, door_event, make_event, ticket) -> None:
    other = make_event(title="Sự kiện khác", starts_in=timedelta(minutes=20))
    _, elsewhere = ticket(other)
    _, waiting = ticket(door_event, status=RegistrationStatus.WAITLISTED)
    db.session.commit()
    codes = [client.post(url(door_event), json={"payload": p}, headers=desk).get_json()["result"]["code"]
             for p in (elsewhere, waiting, "garbage \x00 payload", "A" * 43, "x" * 10_000)]
    assert codes == ["wrong_event", "waitlisted", "invalid", "not_registered", "invalid"]
    assert client.post("/api/v1/events/424242/checkins", json={"payload": "x"}, headers=desk).status_code == 404
