"""GET /api/v1/events/<id>/registrations and /sites: bearer tokens, role scoping, pagination, bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventapp.accounts import api_tokens
from eventapp.accounts.models import Role, User
from eventapp.events.models import EventStatus
from eventapp.extensions import db
from eventapp.registrations.models import CheckinMethod, RegistrationChannel, RegistrationStatus


def url(event, what: str = "registrations") -> str:
    return f"/api/v1/events/{event.id}/{what}"


@pytest.fixture
def network(make_event, make_site, add_site_to_event, make_registration, make_person, make_organisation):
    """A hybrid training with two sites (A, B), one public journalist and one unrelated event."""
    event = make_event(title="Tập huấn chuyển đổi số")
    site_a, site_b = make_site(name="Sở TT&TT Quảng Ninh"), make_site(name="Sở TT&TT Đà Nẵng")
    for site in (site_a, site_b):
        add_site_to_event(event, site)
    outlet = make_organisation(name="Báo Nhân Dân")
    journalist = make_registration(event, make_person("Lê Thị Hoa", organisation_id=outlet.id),
                                   checked_in_at=datetime(2026, 11, 20, 2, 5, tzinfo=UTC),
                                   checkin_method=CheckinMethod.SCAN)
    at_a = make_registration(event, make_person("Phạm Văn Hải"), site=site_a, channel=RegistrationChannel.SITE)
    at_a_pending = make_registration(event, make_person("Đỗ Thu Trang"), site=site_a,
                                     channel=RegistrationChannel.SITE, status=RegistrationStatus.PENDING)
    at_b = make_registration(event, make_person("Vũ Minh Tuấn"), site=site_b, channel=RegistrationChannel.SITE)
    other = make_event(title="Họp báo khác")
    db.session.commit()
    return {"event": event, "a": site_a, "b": site_b, "journalist": journalist, "at_a": at_a,
            "at_a_pending": at_a_pending, "at_b": at_b, "other": other}


def test_no_or_an_unusable_token_is_a_json_401(client, bearer, make_user, login, network) -> None:
    event = network["event"]
    response = client.get(url(event))
    assert response.status_code == 401 and response.get_json() == {"error": "unauthorized"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="EventApp API"'
    wrong = client.get(url(event), headers={"Authorization": "Bearer " + "x" * 43})
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert client.get(url(event), headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401
    organiser = make_user(Role.ORGANISER)
    login(organiser)  # a console session is not an API credential
    assert client.get(url(event)).status_code == 401
    headers = bearer(organiser)
    assert client.get(url(event), headers=headers).status_code == 200


def test_revoked_token_and_deactivated_user_get_401(client, bearer, make_user, network) -> None:
    event = network["event"]
    organiser, staff = make_user(Role.ORGANISER), make_user(Role.CHECKIN_STAFF)
    revoked, deactivated = bearer(organiser), bearer(staff)
    for token in api_tokens.tokens_of(organiser.id):
        api_tokens.revoke(token, actor=organiser)
    staff.is_active_account = False
    db.session.commit()
    assert client.get(url(event), headers=revoked).status_code == 401
    assert client.get(url(event), headers=deactivated).status_code == 401


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORGANISER, Role.CHECKIN_STAFF])
def test_organisers_and_checkin_staff_see_every_registration(client, bearer, make_user, network, role) -> None:
    response = client.get(url(network["event"]), headers=bearer(make_user(role)))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["total"] == 4 and body["limit"] == 100 and body["offset"] == 0
    first = body["items"][0]
    assert first == {
        "id": network["journalist"].id, "status": "approved", "channel": "public",
        "person_name": "Lê Thị Hoa", "organisation": "Báo Nhân Dân", "site_id": None, "site_name": None,
        "checked_in_at": "2026-11-20T02:05:00+00:00", "checkin_method": "scan",
    }
    assert [item["site_name"] for item in body["items"][1:]] == [
        "Sở TT&TT Quảng Ninh", "Sở TT&TT Quảng Ninh", "Sở TT&TT Đà Nẵng"]


def test_pagination_and_status_filter(client, bearer, make_user, network) -> None:
    headers = bearer(make_user())
    page = client.get(url(network["event"]), query_string={"limit": 2, "offset": 1}, headers=headers).get_json()
    assert [i["id"] for i in page["items"]] == [network["at_a"].id, network["at_a_pending"].id]
    assert page["total"] == 4 and page["limit"] == 2 and page["offset"] == 1
    pending = client.get(url(network["event"]), query_string={"status": "pending"}, headers=headers).get_json()
    assert [i["id"] for i in pending["items"]] == [network["at_a_pending"].id] and pending["total"] == 1
    beyond = client.get(url(network["event"]), query_string={"offset": 1000}, headers=headers).get_json()
    assert beyond["items"] == [] and beyond["total"] == 4


@pytest.mark.parametrize("query", [
    {"limit": "0"}, {"limit": "501"}, {"limit": "abc"}, {"limit": "-1"}, {"limit": "²"},
    {"offset": "-1"}, {"offset": "1000001"}, {"offset": "9" * 30}, {"status": "approved'--"}, {"status": ""},
])
def test_bad_parameters_are_a_json_400(client, bearer, make_user, network, query) -> None:
    response = client.get(url(network["event"]), query_string=query, headers=bearer(make_user()))
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_unknown_and_huge_event_ids_are_a_json_404(client, bearer, make_user, network) -> None:
    headers = bearer(make_user())
    for event_id in (999_999, 2**31, 2**63):
        response = client.get(f"/api/v1/events/{event_id}/registrations", headers=headers)
        assert response.status_code == 404 and "error" in response.get_json()


def test_a_coordinator_sees_only_their_site(client, bearer, make_user, network, make_event) -> None:
    headers = bearer(make_user(Role.SITE_COORDINATOR, site=network["a"]))
    body = client.get(url(network["event"]), headers=headers).get_json()
    assert [i["id"] for i in body["items"]] == [network["at_a"].id, network["at_a_pending"].id]
    assert body["total"] == 2
    # An event none of their sites takes part in, and a draft one, do not exist for them.
    assert client.get(url(network["other"]), headers=headers).get_json() == {"error": "event_not_found"}
    network["event"].status = EventStatus.DRAFT
    db.session.commit()
    assert client.get(url(network["event"]), headers=headers).status_code == 404


def test_an_organisation_bound_coordinator_sees_its_sites(client, bearer, network) -> None:
    user = User(email="donvi@example.vn", role=Role.SITE_COORDINATOR, password_hash="-",
                organisation_id=network["b"].organisation_id)
    db.session.add(user)
    db.session.commit()
    body = client.get(url(network["event"]), headers=bearer(user)).get_json()
    assert [i["id"] for i in body["items"]] == [network["at_b"].id]
    tiles = client.get(url(network["event"], "sites"), headers=bearer(user)).get_json()["tiles"]
    assert [t["site_id"] for t in tiles] == [network["b"].id]


def test_the_site_board_is_scoped_too(client, bearer, make_user, network) -> None:
    board = client.get(url(network["event"], "sites"), headers=bearer(make_user(Role.ORGANISER))).get_json()
    assert {t["name"] for t in board["tiles"]} == {"Sở TT&TT Quảng Ninh", "Sở TT&TT Đà Nẵng"}
    assert board["summary"]["sites"] == 2 and board["summary"]["registered"] == 2
    mine = client.get(url(network["event"], "sites"),
                      headers=bearer(make_user(Role.SITE_COORDINATOR, site=network["a"]))).get_json()
    assert [(t["site_id"], t["registered"]) for t in mine["tiles"]] == [(network["a"].id, 1)]
    assert mine["summary"]["sites"] == 1
    staff = client.get(url(network["event"], "sites"), headers=bearer(make_user(Role.CHECKIN_STAFF)))
    assert staff.status_code == 403 and staff.get_json() == {"error": "forbidden"}


def test_guessed_bearer_tokens_are_rate_limited_but_a_valid_token_is_not(rate_limited_app, make_event,
                                                                          make_user) -> None:
    with rate_limited_app(TOKEN_MISS_RATE_LIMIT="3 per minute") as app:
        event, organiser = make_event(), make_user(Role.ORGANISER)
        secret = api_tokens.issue(organiser, "Cổng thông tin", actor=organiser)[1]
        db.session.commit()
        client, valid = app.test_client(), {"Authorization": f"Bearer {secret}"}
        # an integration polling with its valid token far beyond the limit is never refused
        assert {client.get(url(event), headers=valid).status_code for _ in range(6)} == {200}
        assert client.get(url(event)).status_code == 401  # no token at all: not a guess
        guesses = [client.get(url(event), headers={"Authorization": f"Bearer {'g' * 42}{n}"}).status_code
                   for n in range(3)]
        assert guesses == [401, 401, 401]
        blocked = client.get(url(event), headers=valid)
        assert blocked.status_code == 429 and blocked.is_json  # this address is now blocked
