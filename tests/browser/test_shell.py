"""Real Chromium: the public home page in Vietnamese, an organiser signs in to the dashboard."""

from __future__ import annotations

import pytest

from eventapp.accounts.models import Role
from eventapp.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_home_in_vietnamese_and_organiser_reaches_dashboard(live_server, page, make_user, make_event) -> None:
    make_event(title="Họp báo thường kỳ tháng 12")
    organiser = make_user(Role.ORGANISER, email="lan@example.vn")
    db.session.commit()

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("link", name="Họp báo thường kỳ tháng 12").is_visible()

    page.get_by_role("link", name="Đăng nhập dành cho cán bộ").click()
    page.get_by_label("E-mail").fill(organiser.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url("**/console/")
    assert page.get_by_role("heading", name="Bảng điều khiển").is_visible()
    assert page.locator('[data-stat="upcoming_events"]').inner_text() == "1"


def test_phone_viewport_has_no_horizontal_scroll(live_server, browser, make_event) -> None:
    make_event(title="Hội nghị tập huấn nghiệp vụ công tác thông tin, tuyên truyền năm 2026")
    db.session.commit()
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN")
    phone = context.new_page()
    try:
        phone.goto(live_server.url + "/")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert phone.get_by_text("Hội nghị tập huấn nghiệp vụ").is_visible()
    finally:
        context.close()
