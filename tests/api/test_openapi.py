"""The API matches its OpenAPI document: schemathesis generates requests, no 500s, valid responses."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from eventapp.demo import load_demo
from eventapp.extensions import db


def test_api_conforms_to_its_schema(app) -> None:  # noqa: ANN001
    """Every operation, fuzzed from the document (the pytest plugin does not support pytest 9 yet,
    so operations are driven through Hypothesis directly)."""
    load_demo()
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 2
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # noqa: ANN001
            case.call_and_validate()

        check()


def test_event_listing_shape(client, make_event) -> None:  # noqa: ANN001
    make_event(title="Họp báo thường kỳ")
    make_event(title="Bản nháp", status="draft")
    db.session.commit()
    data = client.get("/api/v1/events").get_json()
    assert [e["title"] for e in data] == ["Họp báo thường kỳ"]
    assert client.get("/api/v1/events?limit=0").status_code == 400
