"""Issue #14 (7): one status rule for every staff screen and API — a draft does not exist for site
coordinators and check-in staff, whichever route (found in the URL map) or client they use."""

from __future__ import annotations

import pytest

from eventapp.accounts.api_tokens import issue
from eventapp.accounts.models import Role
from eventapp.events.models import EventMode, EventStatus
from eventapp.extensions import db
from tests.conftest import PASSWORD

NOT_ORGANISERS = (Role.SITE_COORDINATOR, Role.CHECKIN_STAFF)


@pytest.fixture
def draft_world(app, make_event, make_site, add_site_to_event, make_user, make_person, make_registration):
    site = make_site()
    draft = make_event(title="Hội nghị chưa công bố", status=EventStatus.DRAFT, mode=EventMode.HYBRID,
                       online_url="https://meet.example/nhap")
    add_site_to_event(draft, site)
    registration = make_registration(draft, make_person(), site=site)
    users = {Role.SITE_COORDINATOR: make_user(Role.SITE_COORDINATOR, site=site),
             Role.CHECKIN_STAFF: make_user(Role.CHECKIN_STAFF)}
    db.session.commit()
    values = {"event_id": draft.id, "site_id": site.id, "registration_id": registration.id, "fmt": "csv"}
    return draft, users, values


def _event_routes(app):
    for rule in app.url_map.iter_rules():
        if "event_id" in rule.arguments and rule.rule.startswith(("/console", "/api/v1")):
            yield rule, app.view_functions[rule.endpoint]


def _client(app, user, bearer: bool):
    client = app.test_client()
    if bearer:
        _, secret = issue(user, "Máy quét", actor=None)
        db.session.commit()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    else:
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_every_staff_route_of_a_draft_is_a_404(app, draft_world, role) -> None:
    draft, users, values = draft_world
    checked = []
    for rule, view in _event_routes(app):
        if role not in getattr(view, "allowed_roles", ()):
            continue
        bearer = getattr(view, "auth", None) == "bearer"
        client = _client(app, users[role], bearer)
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={} if method == "POST" and bearer else None)
            assert response.status_code == 404, (role, method, url, response.status_code)
            assert draft.title not in response.get_data(as_text=True)
            checked.append(rule.endpoint)
    if role == Role.SITE_COORDINATOR:
        assert {"rollcall_console.screen", "rollcall_console.connect", "site_console.event",
                "api.registrations", "api.sites"} <= set(checked)
    else:
        assert {"attendance_console.desk", "attendance_api.scan", "api.checkins"} <= set(checked)
    db.session.expire_all()
    assert all(p.connected_at is None for p in draft.sites)  # nothing was marked on the draft


@pytest.mark.parametrize("role", NOT_ORGANISERS)
def test_draft_is_left_out_of_their_lists(app, draft_world, role) -> None:
    draft, users, _ = draft_world
    client = _client(app, users[role], bearer=False)
    for url in ("/console/site/", "/console/rollcall/", "/console/attendance/"):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        assert draft.title not in response.get_data(as_text=True), url


def test_once_published_the_same_routes_open(app, draft_world) -> None:
    """The 404s above come from the draft status, not from a wrong URL or role."""
    draft, users, values = draft_world
    draft.status = EventStatus.PUBLISHED
    db.session.commit()
    coordinator = _client(app, users[Role.SITE_COORDINATOR], bearer=False)
    screen = coordinator.get(f"/console/rollcall/events/{draft.id}/sites/{values['site_id']}")
    assert screen.status_code == 200 and draft.title in screen.get_data(as_text=True)
    assert coordinator.get(f"/console/site/{values['site_id']}/events/{draft.id}").status_code == 200
    desk = _client(app, users[Role.CHECKIN_STAFF], bearer=False)
    assert desk.get(f"/console/attendance/events/{draft.id}/desk").status_code == 200
