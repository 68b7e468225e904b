"""Anonymous GETs never set a cookie, so shared caches can keep public pages and feeds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventapp.extensions import db


@pytest.fixture
def public_paths(make_event) -> list[str]:
    event = make_event(title="Họp báo thường kỳ tháng 12", starts_in=timedelta(days=5))
    db.session.commit()
    return ["/", f"/events/{event.id}", "/calendar.ics", "/calendar/trainings.ics", f"/events/{event.id}.ics",
            f"/api/v1/events/{event.id}", "/healthz"]


def _set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_a_first_visit_sets_no_cookie(client, public_paths) -> None:
    for path in public_paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _set_cookies(response) == [], path


def test_a_visitor_with_a_session_is_not_sent_it_again(client, public_paths) -> None:
    # Choosing a language is a POST: it may set the session. Later GETs must leave it alone
    # (Flask-Login's "strong" protection used to rewrite it, and clear the remember cookie, each time).
    assert client.post("/language/en", data={"next": "/"}).status_code == 302
    assert client.get_cookie("session") is not None
    for path in public_paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _set_cookies(response) == [], path
        if path.endswith(".ics") or path.startswith("/api/"):  # never read the session: cacheable for all
            assert "Cookie" not in response.headers.get("Vary", ""), path
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)  # the session still works


def test_a_cross_site_language_switch_is_refused(client) -> None:
    response = client.post("/language/en", data={"next": "/"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert client.get_cookie("session") is None
