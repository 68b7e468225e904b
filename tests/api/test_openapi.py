"""The API matches its OpenAPI document: schemathesis generates requests, no 500s, valid responses."""

from __future__ import annotations

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from eventapp.accounts import api_tokens
from eventapp.accounts.models import User
from eventapp.demo import load_demo
from eventapp.events.models import Event
from eventapp.extensions import db

PROTECTED = {"listRegistrations", "checkIn", "listSites"}


def _organiser_token() -> str:
    organiser = db.session.scalar(sa.select(User).where(User.email == "organiser@demo.eventapp.vn"))
    return api_tokens.issue(organiser, "schemathesis", actor=organiser)[1]


def _strategy(operation, mode: GenerationMode, event_ids: list[int]):
    """Generated cases; for an operation on one event, half of them on a real demo event."""
    free = operation.as_strategy(generation_mode=mode)
    if "{event_id}" not in operation.path or mode == GenerationMode.NEGATIVE:
        return free
    real = st.sampled_from(event_ids).flatmap(
        lambda event_id: operation.as_strategy(generation_mode=mode, path_parameters={"event_id": event_id}))
    return st.one_of(free, real)


class OrganiserToken:
    """Schemathesis auth provider: an organiser's bearer token (left off when a negative case
    removes the Authorization header on purpose)."""

    secret = ""

    def get(self, case, context) -> str:
        return self.secret

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def test_api_conforms_to_its_schema(app) -> None:
    """Every operation, fuzzed from the document, with valid and invalid data (the pytest plugin does
    not support pytest 9 yet, so operations are driven through Hypothesis directly); the
    token-authenticated ones with an organiser's bearer token, on the demo network."""
    load_demo()
    OrganiserToken.secret = _organiser_token()
    db.session.commit()
    event_ids = list(db.session.scalars(sa.select(Event.id).order_by(Event.starts_at).limit(40)))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.auth()(OrganiserToken)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.definition.raw.get("operationId") for op in operations} >= PROTECTED | {"listEvents", "getEvent"}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(_strategy(operation, mode, event_ids))


def _fuzz(strategy) -> None:
    @given(case=strategy)
    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        case.call_and_validate()

    check()


def test_the_document_declares_bearer_auth_and_error_responses(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"][
            "bearerAuth"]["description"]}
    for path in ("/events/{event_id}/registrations", "/events/{event_id}/checkins", "/events/{event_id}/sites"):
        (operation,) = document["paths"][path].values()
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert "security" not in document["paths"]["/events"]["get"]


def test_event_listing_shape(client, make_event) -> None:
    make_event(title="Họp báo thường kỳ")
    make_event(title="Bản nháp", status="draft")
    db.session.commit()
    data = client.get("/api/v1/events").get_json()
    assert [e["title"] for e in data] == ["Họp báo thường kỳ"]
    assert client.get("/api/v1/events?limit=0").status_code == 400
