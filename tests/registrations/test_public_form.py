"""The journalist's form: validation, honeypot, window, duplicates, ticket page, cancel, rate limit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from config import TestingConfig
from eventapp import create_app
from eventapp.directory.models import Organisation, Person
from eventapp.events.models import EventStatus
from eventapp.extensions import db
from eventapp.registrations import emails
from eventapp.registrations.models import CancelledBy, Registration, RegistrationStatus
from tests.registrations.conftest import form_data, last_ticket_token, messages


def invalid_fields(html: str) -> set[str]:
    """The ids of form controls marked is-invalid."""
    found = set()
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", html):
        if "is-invalid" in tag:
            found.add(re.search(r'\sid="([^"]+)"', tag).group(1))
    return found


def _registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Registration).order_by(Registration.id)))


def test_form_page_shows_fields_and_honeypot(client, make_event, outlet) -> None:
    event = make_event()
    db.session.commit()
    page = client.get(f"/events/{event.id}/register")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="full_name"' in text and 'name="consent"' in text and 'class="hp-field"' in text
    assert "Báo Nhân Dân" in text
    assert f'href="/events/{event.id}/register"' in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_new_registration_is_approved_and_emailed(client, submit, make_event) -> None:
    event = make_event(capacity=10)
    db.session.commit()
    response = submit(event)
    assert response.status_code == 302 and f"/events/{event.id}/register/sent?to=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    [registration] = _registrations()
    masked = registration.person.email[0] + "•••@" + registration.person.email.split("@")[1]
    assert masked in page and registration.person.email not in page and "data-next-steps" in page
    assert registration.status == RegistrationStatus.APPROVED
    assert registration.person.email_normalised == "binh@baochi.vn"
    assert registration.ticket_token_hash and len(registration.ticket_token_hash) == 64
    [mail] = messages(to="binh@baochi.vn")
    assert mail.kind == emails.APPROVED and "/ticket/" in mail.body_text and mail.body_html


def test_required_and_invalid_fields_are_marked_and_input_is_kept(client, make_event, outlet) -> None:
    event = make_event(requires_press_card=True)
    db.session.commit()
    response = client.post(f"/events/{event.id}/register", data=form_data(
        outlet.id, full_name="A" * 151, email="not-an-email", phone="12ab", consent=None,
        position="Biên tập viên <b>", questions="x" * 2001))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert invalid_fields(text) == {"full_name", "email", "phone", "consent", "press_card_no", "questions"}
    assert 'value="not-an-email"' in text and "Biên tập viên &lt;b&gt;" in text
    assert _registrations() == [] and messages() == []


def test_outlet_must_be_chosen_or_typed_and_a_typed_one_waits_for_confirmation(client, make_event) -> None:
    event = make_event()
    db.session.commit()
    missing = client.post(f"/events/{event.id}/register", data=form_data(None, outlet_name=""))
    assert missing.status_code == 422 and invalid_fields(missing.get_data(as_text=True)) == {"outlet_id"}
    client.post(f"/events/{event.id}/register", data=form_data(None, outlet_name="Tạp chí <Mới>"))
    outlet = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Tạp chí <Mới>"))
    assert outlet is not None and outlet.is_confirmed is False
    assert _registrations()[0].person.organisation_id == outlet.id


def test_honeypot_pretends_success_and_keeps_nothing(submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    response = submit(event, website="http://spam.example")
    assert response.status_code == 302 and "/register/sent" in response.headers["Location"]
    assert _registrations() == [] and messages() == []


def test_duplicate_submission_looks_the_same_and_reminds_of_the_same_ticket(client, submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    first = submit(event)
    old_token = last_ticket_token("binh@baochi.vn")
    second = submit(event, email="  BINH@baochi.VN ", full_name="Someone Else")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert client.get(second.headers["Location"]).get_data(as_text=True) == client.get(
        first.headers["Location"]).get_data(as_text=True)
    [registration] = _registrations()
    assert registration.person.full_name == "Trần Thị Bình"  # an anonymous form never rewrites a person
    resent = messages(kind=emails.TICKET_RESENT)
    assert len(resent) == 1 and resent[0].to_address == "binh@baochi.vn"
    assert last_ticket_token("binh@baochi.vn") == old_token  # the reminder repeats the same link
    assert client.get(f"/ticket/{old_token}").status_code == 200


def test_decomposed_unicode_email_is_the_same_person(submit, make_event) -> None:
    import unicodedata

    event = make_event()
    db.session.commit()
    submit(event, email="nguyễn@báo.vn")
    submit(event, email=unicodedata.normalize("NFD", "Nguyễn@Báo.vn"))
    assert len(_registrations()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1


@pytest.mark.parametrize(("values", "window"), [
    ({"registration_opens_at": datetime.now(UTC) + timedelta(days=1)}, "not_yet_open"),
    ({"registration_closes_at": datetime.now(UTC) - timedelta(hours=1)}, "closed"),
])
def test_outside_the_window_the_form_says_so(client, submit, make_event, values, window) -> None:
    event = make_event(**values)
    db.session.commit()
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert f'data-window="{window}"' in page and 'name="full_name"' not in page
    response = submit(event)
    assert response.status_code == 200 and _registrations() == []
    assert f'href="/events/{event.id}/register"' not in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_drafts_have_no_form(client, make_event) -> None:
    event = make_event(status=EventStatus.DRAFT)
    db.session.commit()
    assert client.get(f"/events/{event.id}/register").status_code == 404


def test_ticket_page_shows_status_qr_and_join_link(client, submit, make_event) -> None:
    from eventapp.events.models import EventMode

    event = make_event(mode=EventMode.HYBRID, online_url="https://meet.example/briefing")
    db.session.commit()
    submit(event)
    token = last_ticket_token("binh@baochi.vn")
    page = client.get(f"/ticket/{token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'data-status="approved"' in text and "<svg" in text and "data-join-link" in text
    assert client.get("/ticket/" + "x" * 43).status_code == 404


def test_cancel_needs_a_post_and_frees_the_seat_for_the_waiting_list(client, submit, make_event) -> None:
    event = make_event(capacity=1)
    db.session.commit()
    submit(event)
    submit(event, email="second@baochi.vn", full_name="Lê Văn Cường")
    first, second = _registrations()
    assert (first.status, second.status) == (RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED)
    token = last_ticket_token("binh@baochi.vn")
    assert client.get(f"/ticket/{token}/cancel").status_code == 200  # a confirmation page
    assert _registrations()[0].status == RegistrationStatus.APPROVED
    assert client.post(f"/ticket/{token}/cancel").status_code == 302
    first, second = _registrations()
    assert first.status == RegistrationStatus.CANCELLED and first.cancelled_by == CancelledBy.REGISTRANT
    assert second.status == RegistrationStatus.APPROVED
    assert [m.kind for m in messages(to="second@baochi.vn")] == [emails.WAITLISTED, emails.PROMOTED]
    assert 'data-status="cancelled"' in client.get(f"/ticket/{token}").get_data(as_text=True)


def test_full_event_without_waiting_list_answers_the_same_and_says_it_by_email(submit, make_event) -> None:
    event = make_event(capacity=0, waitlist_enabled=False)
    db.session.commit()
    response = submit(event)
    assert response.status_code == 302 and "/register/sent" in response.headers["Location"]
    assert _registrations() == []
    assert [m.kind for m in messages()] == [emails.FULL]


def test_markup_is_escaped_on_the_ticket_and_in_the_email(client, submit, make_event) -> None:
    event = make_event(title="Họp báo <script>alert(1)</script>")
    db.session.commit()
    submit(event, full_name="<img src=x onerror=alert(1)>")
    token = last_ticket_token("binh@baochi.vn")
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page and "<script>alert" not in page
    [mail] = messages()
    assert "<img src=x" not in mail.body_html and "&lt;img src=x" in mail.body_html


def test_public_form_is_rate_limited(backend, make_event) -> None:
    from eventapp.extensions import limiter

    # The limiter is one object shared by every app: put it back as the test app had it.
    was_enabled = limiter.enabled
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=backend, RATELIMIT_ENABLED=True,
                     RATELIMIT_STORAGE_URI="memory://", REGISTRATION_RATE_LIMIT="2 per minute")
    try:
        with app.app_context():
            event = make_event()
            db.session.commit()
            client = app.test_client()
            codes = [client.post(f"/events/{event.id}/register",
                                 data=form_data(None, email=f"r{i}@b.vn")).status_code for i in range(3)]
            assert codes == [302, 302, 429]
            assert client.get(f"/events/{event.id}/register").status_code == 200  # only POSTs count
            db.session.remove()
    finally:
        limiter.reset()
        limiter.enabled = was_enabled


def test_register_include_works_on_its_own(app, make_event) -> None:
    from flask import render_template_string

    open_event = make_event()
    later = make_event(registration_opens_at=datetime.now(UTC) + timedelta(days=2))
    with app.test_request_context():
        html = render_template_string('{% include "registrations/_register_cta.html" %}', event=open_event)
        assert 'data-registration="open"' in html and f'href="/events/{open_event.id}/register"' in html
        html = render_template_string('{% include "registrations/_register_cta.html" %}', event=later)
        assert 'data-registration="not_yet_open"' in html and "/register" not in html


def test_ids_no_row_can_have_are_not_found(client) -> None:
    for url in ("/events/9223372036854775808/register", "/events/2147483648/register/sent"):
        assert client.get(url).status_code == 404


def test_over_the_rate_limit_the_form_comes_back_with_what_was_typed(rate_limited_app, make_event) -> None:
    with rate_limited_app(REGISTRATION_RATE_LIMIT="1 per minute") as app:
        event = make_event()
        db.session.commit()
        client = app.test_client()
        data = {"full_name": "Phạm Thu Trang", "email": "trang@baochi.vn", "outlet_name": "Báo Mới",
                "consent": "y"}
        assert client.post(f"/events/{event.id}/register", data=data).status_code == 302
        again = client.post(f"/events/{event.id}/register", data={**data, "email": "trang2@baochi.vn"})
        page = again.get_data(as_text=True)
        assert again.status_code == 429 and "data-form-error" in page
        assert 'value="Phạm Thu Trang"' in page and 'value="trang2@baochi.vn"' in page
        assert 'value="Báo Mới"' in page
