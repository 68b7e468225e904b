"""Every event console route: organisers only; coordinators and check-in staff 403, anonymous to login."""

from __future__ import annotations

import pytest

from eventapp.accounts.models import Role
from eventapp.accounts.permissions import ORGANISERS


def console_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("events_console.")]


def concrete(rule) -> str:
    return rule.build({name: 1 for name in rule.arguments})[1]


def test_every_console_view_declares_organiser_roles(app) -> None:
    rules = console_rules(app)
    assert len(rules) >= 18
    for rule in rules:
        assert app.view_functions[rule.endpoint].allowed_roles == frozenset(ORGANISERS), rule.endpoint


def _each_request(app, client):
    for rule in console_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, client.open(concrete(rule), method=method)


def test_anonymous_goes_to_login(app, client) -> None:
    for rule, method, response in _each_request(app, client):
        assert response.status_code == 302, (rule, method)
        assert "/login" in response.headers["Location"], (rule, method)


@pytest.mark.parametrize("role", [Role.SITE_COORDINATOR, Role.CHECKIN_STAFF])
def test_other_staff_are_forbidden(app, client, login, make_user, make_site, role) -> None:
    login(make_user(role, site=make_site() if role == Role.SITE_COORDINATOR else None))
    for rule, method, response in _each_request(app, client):
        assert response.status_code == 403, (rule, method)


def test_nav_shows_events_to_organisers_only(client, login, make_user) -> None:
    login(make_user(Role.ORGANISER))
    assert 'href="/console/events/"' in client.get("/console/").get_data(as_text=True)
