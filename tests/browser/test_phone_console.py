"""A coordinator's console on a 360 px phone: the menu folds away, the site's event page fits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventapp.accounts.models import Role
from eventapp.events.models import EventMode
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage, OutboxStatus
from tests.browser.test_attendance import _fresh_rate_limits, sign_in  # noqa: F401 - an autouse fixture

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 768}
NAMES = ("Nguyễn Văn An", "Trần Thị Bích Ngọc Hoàng Phương", "Lê Hoàng Minh")


def _site_event(make_user, make_event, make_site, add_site_to_event, make_person, make_registration):
    event = make_event(title="Hội nghị tập huấn chuyển đổi số cho cán bộ thông tin cơ sở", mode=EventMode.HYBRID,
                       online_url="https://meet.example.vn/hoi-nghi-tap-huan-chuyen-doi-so-2026-phien-sang",
                       starts_in=timedelta(days=3))
    site = make_site(name="Sở Thông tin và Truyền thông tỉnh Hà Giang")
    participation = add_site_to_event(event, site, quota=10)
    participation.room = "Phòng họp trực tuyến tầng 3"
    for n, name in enumerate(NAMES):
        make_registration(event, site=site, person=make_person(
            name, email=f"{n}.nguoi-tham-du-rat-dai@sotttt-hagiang.gov.vn", position="Chuyên viên chính"))
    coordinator = make_user(Role.SITE_COORDINATOR, email="hagiang@example.vn", site=site)
    db.session.commit()
    return event, site, coordinator


def test_the_console_menu_folds_on_a_phone_and_the_event_page_fits(
        live_server, browser, make_user, make_event, make_site, add_site_to_event, make_person,
        make_registration) -> None:
    event, site, coordinator = _site_event(make_user, make_event, make_site, add_site_to_event, make_person,
                                           make_registration)
    phone = browser.new_context(locale="vi-VN", viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = phone.new_page()
        sign_in(page, live_server.url, coordinator.email)
        page.goto(f"{live_server.url}/console/site/{site.id}/events/{event.id}")
        toggle = page.locator(".console-nav-toggle")
        menu = page.locator("#console-nav")
        # The screen starts with the page, not the menu: the menu is one button high.
        assert toggle.is_visible() and not menu.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.locator("main").bounding_box()["y"] < 130
        # No sideways scrolling, and every registration shows its name, status and actions on screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        rows = page.locator("[data-registrations] tbody tr").all()
        assert len(rows) == len(NAMES)
        for row, name in zip(rows, NAMES, strict=True):
            assert name in row.inner_text()
            for part in (row.locator("td").first, row.locator("[data-status]"),
                         row.get_by_role("link", name="Chỉnh sửa", exact=True), row.get_by_role("link", name="Hủy đăng ký", exact=True)):
                box = part.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box

        # With the keyboard: focus the button, Enter opens the menu, Tab reaches its first link.
        toggle.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#console-nav.show")
        assert toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#console-nav') !== null")
        for box in (link.bounding_box() for link in menu.locator(".nav-link").all()):
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        toggle.focus()
        page.keyboard.press("Space")
        page.wait_for_selector("#console-nav", state="hidden")
        assert toggle.get_attribute("aria-expanded") == "false"
    finally:
        phone.close()

    laptop = browser.new_context(locale="vi-VN", viewport=LAPTOP)
    try:
        page = laptop.new_page()
        sign_in(page, live_server.url, coordinator.email)
        page.goto(f"{live_server.url}/console/site/{site.id}/events/{event.id}")
        # On a wide screen the menu is open as before and the button is gone.
        assert page.locator("#console-nav").is_visible()
        assert not page.locator(".console-nav-toggle").is_visible()
        assert page.locator("[data-registrations] thead").is_visible()
    finally:
        laptop.close()


def test_the_outbox_fits_a_phone_one_card_per_message(live_server, browser, make_user) -> None:
    organiser = make_user(Role.ORGANISER, email="bantochuc@example.vn")
    subject = "Đăng ký đã được xác nhận: Hội nghị tập huấn chuyển đổi số cho cán bộ thông tin cơ sở năm 2027"
    db.session.add_all([
        OutboxMessage(kind="registration.approved", to_address="nguoi-tham-du-rat-dai@sotttt-hagiang.gov.vn",
                      subject=subject, body_text="…", status=OutboxStatus.QUEUED),
        OutboxMessage(kind="registration.approved", to_address="binh@baochi.vn", subject=subject, body_text="…",
                      status=OutboxStatus.FAILED, attempts=8, last_error="SMTPRecipientsRefused: 550 hộp thư không tồn tại"),
    ])
    db.session.commit()
    phone = browser.new_context(locale="vi-VN", viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = phone.new_page()
        sign_in(page, live_server.url, organiser.email)
        page.goto(f"{live_server.url}/console/outbox/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        rows = page.locator("main tbody tr").all()
        assert len(rows) == 2
        for row in rows:
            for part in (row.get_by_role("link", name=subject), row.locator(".badge")):
                box = part.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        retry = page.get_by_role("button", name="Gửi lại ngay")
        box = retry.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    finally:
        phone.close()
