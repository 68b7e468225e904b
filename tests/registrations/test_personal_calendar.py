"""The ticket page's personal calendar link, and the rate limit on guessed ticket/calendar tokens."""

from __future__ import annotations

import re

from config import TestingConfig
from eventapp import create_app
from eventapp.extensions import db, limiter
from tests.registrations.conftest import form_data, last_ticket_token

FEED_LINK = re.compile(r'value="(https?://[^"]+/calendar/u/([A-Za-z0-9_-]+)\.ics)"')


def _issue_link(client, ticket: str) -> tuple[str, str]:
    """Press "Get my calendar link" on the ticket; returns (page html, feed path)."""
    response = client.post(f"/ticket/{ticket}/calendar", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    match = FEED_LINK.search(html)
    assert match, html
    return html, f"/calendar/u/{match.group(2)}.ics"


def test_a_journalist_gets_a_personal_feed_of_their_events(client, submit, make_event) -> None:
    registered = make_event(title="Họp báo Chính phủ tháng 12")
    other = make_event(title="Tập huấn chuyển đổi số")
    db.session.commit()
    submit(registered)
    ticket = last_ticket_token("binh@baochi.vn")
    page = client.get(f"/ticket/{ticket}").get_data(as_text=True)
    assert "data-personal-calendar" in page and "data-revoke-calendar" not in page

    html, feed = _issue_link(client, ticket)
    assert "webcal://" in html and "Google Calendar" in html
    body = client.get(feed).get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in body and registered.uid in body
    assert other.uid not in body  # only the events this person is registered for
    # the secret is not shown again on the ticket, which now offers to revoke or replace it
    page = client.get(f"/ticket/{ticket}").get_data(as_text=True)
    assert feed not in page and "data-revoke-calendar" in page


def test_a_new_link_replaces_the_old_and_revoking_stops_it(client, submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    submit(event)
    ticket = last_ticket_token("binh@baochi.vn")
    _html, first = _issue_link(client, ticket)
    _html, second = _issue_link(client, ticket)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    response = client.post(f"/ticket/{ticket}/calendar", data={"action": "revoke"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ticket/{ticket}")
    assert client.get(second).status_code == 404


def test_an_unknown_ticket_cannot_issue_a_calendar_link(client) -> None:
    assert client.post("/ticket/" + "x" * 43 + "/calendar", data={}).status_code == 404


def test_guessed_tokens_are_rate_limited_but_valid_feeds_are_not(backend, make_event) -> None:
    was_enabled = limiter.enabled
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=backend, RATELIMIT_ENABLED=True,
                     RATELIMIT_STORAGE_URI="memory://", TOKEN_MISS_RATE_LIMIT="3 per minute")
    limiter.reset()
    try:
        with app.app_context():
            event = make_event()
            db.session.commit()
            client = app.test_client()
            client.post(f"/events/{event.id}/register", data=form_data(None))
            ticket = last_ticket_token("binh@baochi.vn")
            _html, feed = _issue_link(client, ticket)
            # a calendar app polling a valid feed far more often than the limit is never refused
            assert {client.get(feed).status_code for _ in range(6)} == {200}
            _html, replacement = _issue_link(client, ticket)  # the old link is now revoked
            assert {client.get(feed).status_code for _ in range(6)} == {404}  # not counted: it was issued
            guesses = [client.get(f"/calendar/u/{'g' * 40}{n}.ics").status_code for n in range(2)]
            guesses.append(client.get("/ticket/" + "y" * 43).status_code)  # shared across token URLs
            assert guesses == [404, 404, 404]
            assert client.get(f"/calendar/s/{'h' * 43}.ics").status_code == 429  # guesses are refused now
            # ...but the known ticket and feed of someone behind the same address still open
            assert client.get(f"/ticket/{ticket}").status_code == 200
            assert client.get(replacement).status_code == 200
            assert client.get(f"/ticket/{'z' * 43}").status_code == 429
            db.session.remove()
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
