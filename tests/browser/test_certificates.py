"""Real Chromium: a participant downloads their certificate from the ticket page, its text reads
back with its diacritics and its QR code opens the verification page; the desk prints badges."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventapp.accounts.models import Role
from eventapp.certificates import services
from eventapp.extensions import db
from eventapp.registrations.tickets import badge_code
from tests.browser.test_accessibility import SIZES, assert_no_violations, audit  # noqa: F401 - a fixture
from tests.browser.test_attendance import _fresh_rate_limits, sign_in  # noqa: F401 - an autouse fixture
from tests.certificates.conftest import DEPARTMENT, NAME, UNIT, past_training  # noqa: F401 - a fixture
from tests.documents.reading import pages_text, qr_codes

pytestmark = pytest.mark.browser


def _download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    return Path(info.value.path()).read_bytes()


def test_a_participant_downloads_a_certificate_whose_qr_opens_the_verification_page(
        app, live_server, browser, past_training) -> None:  # noqa: F811 - the fixture imported above
    app.config["PUBLIC_BASE_URL"] = live_server.url
    token = past_training.tokens[past_training.by_rollcall.id]
    phone = browser.new_page(viewport={"width": 360, "height": 800}, locale="vi-VN")
    try:
        phone.goto(f"{live_server.url}/ticket/{token}")
        card = phone.locator("[data-certificate-card]")
        assert card.is_visible() and "Giấy chứng nhận tham dự của bạn" in card.inner_text()
        data = _download(phone, "[data-download-certificate]")
        text = " ".join(" ".join(pages_text(data)).split())
        for expected in (NAME, DEPARTMENT, UNIT, "GIẤY CHỨNG NHẬN", "Chứng nhận Ông/Bà"):
            assert expected in text, expected
        [[url]] = qr_codes(data)
        assert url.startswith(f"{live_server.url}/certificates/verify/")
        phone.goto(url)
        assert phone.locator("[data-verification=valid]").is_visible()
        assert phone.locator("[data-field=name]").inner_text() == NAME
        assert phone.locator("[data-field=event]").inner_text() == past_training.event.title
        body = phone.locator("main").inner_text()
        assert DEPARTMENT not in body and past_training.by_rollcall.person.email not in body
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    finally:
        phone.close()


def test_the_desk_prints_a_badge_sheet(app, live_server, browser, make_user, past_training) -> None:  # noqa: F811
    staff = make_user(Role.CHECKIN_STAFF)
    desk = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    try:
        sign_in(desk, live_server.url, staff.email)
        desk.goto(f"{live_server.url}/console/attendance/events/{past_training.event.id}/desk")
        data = _download(desk, "[data-print-badges]")
    finally:
        desk.close()
    text = " ".join(" ".join(pages_text(data)).split())
    assert "Trần Đức Lượng" in text and "Hoàng Minh Khôi" in text and UNIT in text
    assert NAME not in text  # she takes part from her site: no badge at the venue
    codes = {code for page in qr_codes(data) for code in page}
    # Check-in-only codes (a worn badge must not open the ticket), one per person at the venue.
    assert codes == {badge_code(past_training.at_door), badge_code(past_training.absent)}


def test_the_certificate_screens_pass_axe_at_phone_and_laptop_sizes(
        audit, past_training, make_user) -> None:  # noqa: F811 - fixtures imported above
    t = past_training
    organiser, coordinator = make_user(Role.ORGANISER), make_user(Role.SITE_COORDINATOR, site=t.site)
    certificate = services.certificate_of(t.by_rollcall)
    revoked = services.certificate_of(t.at_door)
    services.revoke(revoked, organiser, "Cấp nhầm")
    db.session.commit()
    screens = [
        (f"/certificates/verify/{certificate.code}", None),
        (f"/certificates/verify/{revoked.code}", None),
        ("/certificates/verify?code=sai", None),
        (f"/ticket/{t.tokens[t.by_rollcall.id]}", None),
        (f"/console/certificates/events/{t.event.id}", organiser.email),
        ("/console/certificates/", organiser.email),
        ("/console/certificates/", coordinator.email),
    ]
    for path, email in screens:
        for size in SIZES:
            assert_no_violations(audit(path, size, email), f"{path} at {size['width']} px")
