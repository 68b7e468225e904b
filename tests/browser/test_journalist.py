"""Real Chromium: a journalist registers, opens the ticket (QR) from the e-mail, and cancels."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.extensions import db
from eventapp.registrations.models import Registration, RegistrationStatus
from tests.events.conftest import make_series  # noqa: F401  (fixture)
from tests.registrations.conftest import last_ticket_token

pytestmark = pytest.mark.browser


def test_form_to_ticket_with_qr_to_cancel(live_server, page, make_event) -> None:
    event = make_event(title="Họp báo Chính phủ thường kỳ", capacity=20)
    db.session.add(Organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Tuổi Trẻ"))
    db.session.commit()
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(f"{live_server.url}/events/{event.id}")
    page.locator(f'a[href="/events/{event.id}/register"]').first.click()
    page.wait_for_url(f"**/events/{event.id}/register")
    form = page.locator("form[data-form=registration]")
    form.locator("input[name=full_name]").fill("Đặng Thu Hà")
    form.locator("input[name=email]").fill("thuha@tuoitre.vn")
    form.locator("input[name=phone]").fill("bad phone")
    form.locator("select[name=outlet_id]").select_option(label="Báo Tuổi Trẻ")
    form.locator("input[name=consent]").check()
    form.locator("button[type=submit]").click()
    # the phone is refused, and everything typed is still there
    page.wait_for_selector("input[name=phone].is-invalid")
    assert page.locator("input[name=full_name]").input_value() == "Đặng Thu Hà"
    # the cursor waits in the refused field, and its message is read with it
    expect(page.locator("input[name=phone]")).to_be_focused(timeout=5000)
    described = page.locator("input[name=phone]").get_attribute("aria-describedby")
    assert "bad phone" not in page.locator(f"#{described.split()[-1]}").inner_text()
    assert page.locator(f"#{described.split()[-1]}").inner_text().strip()
    page.locator("input[name=phone]").fill("0912 345 678")
    page.locator("input[name=consent]").check()
    page.locator("form[data-form=registration] button[type=submit]").click()
    page.wait_for_url(f"**/events/{event.id}/register/sent?to=*")
    assert page.locator("[data-page=registration-sent]").is_visible()

    db.session.rollback()
    token = last_ticket_token("thuha@tuoitre.vn")
    page.goto(f"{live_server.url}/ticket/{token}")
    assert page.locator(".ticket").get_attribute("data-status") == "approved"
    assert page.locator("[data-qr] svg").is_visible()
    assert page.locator("[data-qr] svg").bounding_box()["width"] > 100

    page.locator(f'a[href="/ticket/{token}/cancel"]').click()
    page.wait_for_url(f"**/ticket/{token}/cancel")
    page.locator("form button.btn-danger").click()
    page.wait_for_url(f"**/ticket/{token}")
    assert page.locator(".ticket").get_attribute("data-status") == "cancelled"
    db.session.rollback()
    assert db.session.scalar(sa.select(Registration.status)) == RegistrationStatus.CANCELLED
    assert csp_errors == []


def test_a_series_ticket_shows_the_qr_first_on_a_phone(live_server, browser, make_series) -> None:  # noqa: F811
    from eventapp.events.services import upcoming_occurrences
    from eventapp.models import utcnow
    from eventapp.registrations import public, services

    series = make_series(rule="FREQ=WEEKLY;BYDAY=TH", registration_opens_days_before=None,
                         registration_closes_hours_before=None)
    rows = upcoming_occurrences(series, utcnow())

    public.submit_public(rows[0], services.Applicant(full_name="Võ Minh Khoa", email="khoa@baochi.vn"),
                           whole_series=True)
    db.session.commit()
    token = last_ticket_token("khoa@baochi.vn")
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        phone.goto(f"{live_server.url}/ticket/{token}")
        assert phone.locator("[data-sessions] li").count() >= 10
        box = phone.locator("[data-qr] svg").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844  # above the fold, before the sessions
        assert box["width"] >= 150
        skip = phone.locator("[data-sessions] button.btn-outline-dark").first
        assert skip.is_visible()
    finally:
        phone.close()
