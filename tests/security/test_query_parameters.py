"""Issue #14 (10), part of the bad-input corpus: every route's query parameters (and form fields),
found from the URL map, with non-ASCII digits, huge numbers and out-of-range dates — never a 500.

Which parameters a route reads is learnt by watching it: the request's MultiDicts record every key
looked up. A new route, or a new parameter of an old one, is covered without editing this file.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from eventapp.accounts.api_tokens import issue
from eventapp.accounts.models import Role
from eventapp.events.models import EventMode
from eventapp.extensions import db
from eventapp.feeds import tokens as calendar_tokens
from eventapp.feeds.models import CalendarScope
from eventapp.registrations.tickets import issue_ticket
from tests.conftest import PASSWORD
from tests.test_authorisation_matrix import url_values  # noqa: F401 - a fixture: an object per URL parameter

HOSTILE = {
    "superscript_two": "²",
    "arabic_indic_ten": "١٠",
    "twenty_digits": "9" * 20,
    "negative": "-1",
    "zero": "0",
    "month_0000": "0000-01",
    "month_9999": "9999-12",
    "date_0000": "0000-01-01",
    "date_9999": "9999-12-31",
    "date_five_digit_year": "10000-01-01",
    "nul": "\x00",
}
SKIP_ENDPOINTS = {"static", "accounts.logout"}  # logout would end the very session doing the probing


class RecordingDict(ImmutableMultiDict):
    """Query strings and form bodies that remember which keys the view asked for."""

    seen: set[str] = set()

    def __getitem__(self, key):
        RecordingDict.seen.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        RecordingDict.seen.add(key)
        return super().getlist(key, type=type)

    def __contains__(self, key) -> bool:
        RecordingDict.seen.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording_app(app, monkeypatch):
    recording = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingDict})
    monkeypatch.setattr(app, "request_class", recording)
    return app


@pytest.fixture
def world(recording_app, url_values, make_site, make_event, add_site_to_event, make_person,  # noqa: F811
          make_registration, make_user):
    """URL values for every route (a real object each), and a client per kind of caller."""
    app = recording_app
    event = make_event(mode=EventMode.HYBRID, online_url="https://meet.example/x")
    site = make_site()
    add_site_to_event(event, site)
    registration = make_registration(event, make_person(), site=site)
    ticket = issue_ticket(registration)
    admin = make_user(Role.ADMIN, email="quantri@example.vn")
    values = {**url_values, "event_id": event.id, "site_id": site.id, "registration_id": registration.id,
              "token": ticket, "code": "en", "kind": "press-briefings", "action": "skip",
              "signature": "0" * 40}
    by_endpoint = {
        "feeds.site_feed": {"token": calendar_tokens.issue_token(CalendarScope.SITE, site.id)},
        "feeds.person_feed": {"token": calendar_tokens.issue_token(CalendarScope.PERSON,
                                                                   registration.person_id)},
        "questions_console.live_action": {"action": "start"},
    }
    bearer = issue(admin, "Kiểm thử", actor=None)[1]
    db.session.commit()
    return app, values, by_endpoint, admin, bearer


def _client(app, rule, admin, bearer):
    view = app.view_functions[rule.endpoint]
    client = app.test_client()
    if getattr(view, "auth", None) == "bearer":
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
    elif getattr(view, "allowed_roles", None) is not None or rule.rule.startswith("/console"):
        assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    return client


def _send(client, rule, url: str, method: str, fields: dict[str, str], bearer_view: bool):
    RecordingDict.seen = set()
    if method == "GET":
        query = urlencode(fields)
        return client.get(f"{url}?{query}" if query else url)
    if bearer_view:
        return client.post(url, query_string=fields, json={})
    return client.post(url, data=fields)


def test_every_route_survives_hostile_numbers_and_dates_in_every_parameter(world) -> None:
    app, values, by_endpoint, admin, bearer = world
    probed: dict[str, set[str]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        known = {**values, **by_endpoint.get(rule.endpoint, {})}
        url = rule.build({k: v for k, v in known.items() if k in rule.arguments}, append_unknown=False)[1]
        bearer_view = getattr(app.view_functions[rule.endpoint], "auth", None) == "bearer"
        for method in sorted(rule.methods & {"GET", "POST"}):
            client = _client(app, rule, admin, bearer)
            first = _send(client, rule, url, method, {}, bearer_view)
            assert first.status_code < 500, (method, url, first.status_code)
            keys = sorted(RecordingDict.seen - {"csrf_token"})
            probed[f"{method} {rule.rule}"] = set(keys)
            if not keys:
                continue
            for label, hostile in HOSTILE.items():
                # GET: one parameter at a time (an early 400 must not hide a later parameter);
                # POST: every field at once (a form is validated as a whole).
                batches = [{key: hostile} for key in keys] if method == "GET" else [dict.fromkeys(keys, hostile)]
                for fields in batches:
                    response = _send(client, rule, url, method, fields, bearer_view)
                    assert response.status_code < 500, (method, url, fields, label, response.status_code,
                                                        response.get_data(as_text=True)[:300])
    # the probe really reaches the views (a sign-in or URL mistake would read no parameter at all)
    assert {"month", "kind"} <= probed["GET /"]
    assert {"page", "site", "status"} <= probed["GET /console/registrations/events/<int:event_id>"]
    assert {"page", "q"} <= probed["GET /console/directory/people"]
    assert "page" in probed["GET /console/outbox/"]
    assert "limit" in probed["GET /api/v1/events"]
    assert {"limit", "offset"} <= probed["GET /api/v1/events/<int:event_id>/registrations"]
    assert {"weekday", "nth", "start_date"} <= probed["GET /console/events/series/preview"]
    assert "ids" in probed["POST /console/registrations/events/<int:event_id>/bulk"]
    assert "site_id" in probed["POST /console/calendars/site"]


# ------------------------------------------------ the 500s reported in issue #14, each a clear 4xx

REPORTED = [
    ("anonymous", "/?month=0000-01", "month"),
    ("anonymous", "/?month=9999-12", "month"),
    ("anonymous", "/api/v1/events?limit=²", "limit"),
    ("organiser", "/console/registrations/events/{event}?site=²", "site"),
    ("organiser", "/console/registrations/events/{event}?page=²", "page"),
    ("organiser", "/console/registrations/events/{event}/export.csv?site=²", "site"),
    ("organiser", "/console/registrations/events/{event}/export.csv?page=²", "page"),
    ("organiser", "/console/directory/people?page=" + "9" * 20, "page"),
    ("organiser", "/console/outbox/?page=" + "9" * 20, "page"),
]


@pytest.fixture
def organiser_client(app, make_user):
    client = app.test_client()
    user = make_user(Role.ORGANISER, email="tochuc@example.vn")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize(("who", "url", "parameter"), REPORTED)
def test_reported_query_parameters_are_a_400_naming_the_parameter(app, make_event, organiser_client, who, url,
                                                                    parameter) -> None:
    event = make_event()
    db.session.commit()
    client = organiser_client if who == "organiser" else app.test_client()
    response = client.get(url.format(event=event.id))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert parameter in response.get_data(as_text=True)


@pytest.mark.parametrize("ids", [["²"], ["9" * 20], ["1", str(2**31)]])
def test_bulk_decisions_with_odd_ids_are_a_400(make_event, make_registration, organiser_client, ids) -> None:
    event = make_event()
    registration = make_registration(event)
    db.session.commit()
    response = organiser_client.post(f"/console/registrations/events/{event.id}/bulk",
                                     data={"ids": ids, "action": "rejected"})
    assert response.status_code == 400
    db.session.expire_all()
    assert registration.status.value == "approved"  # nothing was decided


def test_series_preview_with_an_impossible_weekday_says_so(organiser_client) -> None:
    response = organiser_client.get("/console/events/series/preview?preset=monthly_nth_weekday&nth=1"
                                    "&weekday=99&start_date=2030-01-01&time_of_day=09:00&tz=Asia/Ho_Chi_Minh")
    assert response.status_code == 200 and response.is_json  # the picker's live preview shows the message
    assert response.get_json()["dates"] == [] and response.get_json()["error"]


def test_site_calendar_link_for_a_twenty_digit_site_is_a_400(organiser_client) -> None:
    response = organiser_client.post("/console/calendars/site", data={"site_id": "9" * 20})
    assert response.status_code == 400
    assert "site_id" in response.get_data(as_text=True)


def _deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_thousands_deep_is_a_400_at_the_desk_and_the_bearer_api(app, make_event, make_user,
                                                                            organiser_client) -> None:
    event = make_event()
    token = issue(make_user(Role.CHECKIN_STAFF), "Cửa A", actor=None)[1]
    db.session.commit()
    for depth in (3_000, 100):
        body = '{"payload": ' + _deep_json(depth) + "}"
        for endpoint in ("scan", "batch", "undo", "walk-in"):
            response = organiser_client.post(f"/console/attendance/api/events/{event.id}/{endpoint}", data=body,
                                             content_type="application/json")
            assert response.status_code == 400 and response.is_json, (depth, endpoint, response.status_code)
        response = app.test_client().post(f"/api/v1/events/{event.id}/checkins", data=body,
                                          content_type="application/json",
                                          headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400 and response.is_json, (depth, response.status_code)
