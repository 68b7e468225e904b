"""Real Chromium at real sizes: roll-call on a phone, the desk after an undo, the board on a projector."""

from __future__ import annotations

import csv
from datetime import timedelta
from importlib import resources

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.directory.services import MINISTRY_LOCATIONS, department_name
from eventapp.events.models import EventMode
from eventapp.extensions import db
from eventapp.registrations.models import Registration
from tests.browser.test_attendance import _fresh_rate_limits, sign_in  # noqa: F401 - an autouse fixture

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

# WCAG 2.1 relative luminance and contrast ratio of two computed CSS colours.
CONTRAST_JS = """(el) => {
  const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                       return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const style = getComputedStyle(el);
  const fg = rgb(style.color), bg = rgb(style.backgroundColor);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return {ratio: (a + 0.05) / (b + 0.05), bg: bg};
}"""


def present_ids(event_id: int) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Registration.id).where(
        Registration.event_id == event_id, Registration.checked_in_at.is_not(None))))


def test_roll_call_on_a_phone(live_server, browser, make_user, make_event, make_site, add_site_to_event,
                              make_person, make_registration) -> None:
    event = make_event(title="Hội nghị tập huấn", mode=EventMode.HYBRID, starts_in=timedelta(minutes=-5))
    site = make_site(name="Sở TT&TT Hà Giang")
    add_site_to_event(event, site, quota=10)
    registrations = [make_registration(event, site=site, person=make_person(name, position="Chuyên viên"))
                     for name in ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Minh", "Phạm Thu Hà")]
    coordinator = make_user(Role.SITE_COORDINATOR, email="hagiang@example.vn", site=site)
    db.session.commit()

    phone = browser.new_context(locale="vi-VN", viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = phone.new_page()
        sign_in(page, live_server.url, coordinator.email)
        page.goto(f"{live_server.url}/console/rollcall/events/{event.id}/sites/{site.id}")
        # The menu, once opened, wraps instead of running off the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator(".console-nav-toggle").tap()
        page.wait_for_selector("#console-nav.show")
        for box in (link.bounding_box() for link in page.locator(".console-sidebar .nav-link").all()):
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.locator(".console-nav-toggle").tap()
        page.wait_for_selector("#console-nav", state="hidden")
        # The connection test says honestly what it measures: this device to EventApp, not the video.
        button = page.locator("#connection-test-button")
        assert "EventApp" in button.inner_text()
        assert "không kiểm tra đường truyền hình" in page.locator("#connection-test-help").inner_text()
        button.click()
        page.wait_for_selector("#connection-test-result.text-success", timeout=5000)
        page.locator("label[for=tested]").tap()
        with page.expect_navigation():
            page.locator("#mark-connected").tap()
        badge = page.locator('[data-rollcall-status="connected"]')
        assert badge.inner_text() == "Đã kết nối"
        colours = badge.evaluate(CONTRAST_JS)
        red, green, blue = colours["bg"]
        assert green > red and green > blue  # a success colour, not warning yellow
        assert colours["ratio"] >= 4.5  # WCAG AA

        rows = page.locator("label.rollcall-row").all()
        assert len(rows) == 4
        for row in rows:
            box = row.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44
        # A tap anywhere on the row (here: near its right end, far from the box) ticks the name.
        box = rows[1].bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)
        assert page.locator(".rollcall-check").nth(1).is_checked()

        everyone = page.get_by_role("button", name="Tất cả có mặt")
        everyone_box = everyone.bounding_box()
        assert everyone_box["height"] >= 44
        with page.expect_navigation():
            everyone.tap()
        assert present_ids(event.id) == {r.id for r in registrations}
        assert all(box.is_checked() for box in page.locator(".rollcall-check").all())
    finally:
        phone.close()


def test_the_desk_search_card_follows_an_undo(live_server, page, make_user, make_event, make_person,
                                              make_registration) -> None:
    event = make_event(starts_in=timedelta(minutes=20))
    registration = make_registration(event, person=make_person("Phạm Thu Hà"))
    staff = make_user(Role.CHECKIN_STAFF, email="cua@example.vn")
    db.session.commit()
    sign_in(page, live_server.url, staff.email)
    page.goto(f"{live_server.url}/console/attendance/events/{event.id}/desk")
    # The network indicator is about the network, not the "online" way of taking part.
    badge = page.locator("[data-online-badge]")
    assert badge.inner_text().strip() == "Mạng: đang kết nối"
    assert "Trực tuyến" not in page.locator("#desk").inner_text()

    page.locator("#search-input").fill("pham thu")
    card = page.locator(f'#search-results li[data-registration-id="{registration.id}"]')
    card.get_by_role("button", name="Điểm danh").click()
    page.wait_for_selector('#scan-result[data-code="checked_in"]', timeout=3000)
    card.locator(".badge").wait_for(timeout=3000)
    assert "Đã điểm danh lúc" in card.inner_text()

    page.locator("#undo-button").click()
    page.wait_for_selector('#scan-result[data-code="undone"]', timeout=3000)
    card.locator(".badge").wait_for(state="detached", timeout=3000)
    assert "Đã điểm danh lúc" not in page.locator("#search-results").inner_text()
    assert card.get_by_role("button", name="Điểm danh").is_visible()


def all_sites(make_site) -> list:
    """The real network: 63 Sở TT&TT with their province names and the Ministry's three locations."""
    text = resources.files("eventapp.data").joinpath("provinces.csv").read_text(encoding="utf-8")
    sites = [make_site(name=name, code=code, is_ministry_location=True)
             for code, name, _province, _address in MINISTRY_LOCATIONS]
    sites += [make_site(name=department_name(row["name"]), code="P" + row["code"])
              for row in csv.DictReader(text.splitlines())]
    return sites


def test_the_board_on_a_projector_shows_province_names_large_and_whole(
        live_server, browser, make_user, make_event, make_site, add_site_to_event) -> None:
    event = make_event(title="Hội nghị tập huấn toàn quốc", mode=EventMode.HYBRID)
    for site in all_sites(make_site):
        add_site_to_event(event, site)
    organiser = make_user(Role.ORGANISER, email="tochuc@example.vn")
    db.session.commit()
    projector = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    try:
        board = projector.new_page()
        sign_in(board, live_server.url, organiser.email)
        board.goto(f"{live_server.url}/console/attendance/events/{event.id}/board")
        names = board.locator(".site-tile-name")
        assert names.count() == 66
        shown = names.all_inner_texts()
        assert not [n for n in shown if "Sở TT&TT" in n]  # the prefix every tile repeated is gone
        assert "Hà Giang" in shown and "Bà Rịa - Vũng Tàu" in shown
        cut = board.evaluate("""() => [...document.querySelectorAll('.site-tile-name')]
            .filter((el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1)
            .map((el) => el.textContent)""")
        assert cut == []
        sizes = board.evaluate("""() => [...document.querySelectorAll('.site-tile-name')]
            .map((el) => parseFloat(getComputedStyle(el).fontSize))""")
        assert sorted(sizes)[len(sizes) // 2] >= 24  # large enough to read across a room
        # Screen readers still hear the whole name.
        tile = board.locator(".site-tile").filter(has_text="Hà Giang").first
        assert "Sở TT&TT Hà Giang" in tile.inner_text() or "Sở TT&TT Hà Giang" in tile.text_content()
        assert board.evaluate("document.documentElement.scrollHeight") <= 1080
    finally:
        projector.close()


def test_bulk_cancel_ticks_everyone_and_confirms_with_a_count(live_server, browser, make_user, make_event,
                                                              make_person, make_registration) -> None:
    from eventapp.registrations.models import RegistrationStatus

    event = make_event(title="Họp báo thường kỳ tháng 12")
    registrations = [make_registration(event, person=make_person(name))
                     for name in ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Minh")]
    organiser = make_user(Role.ORGANISER, email="tochuc@example.vn")
    db.session.commit()
    laptop = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    try:
        page = laptop.new_page()
        sign_in(page, live_server.url, organiser.email)
        page.goto(f"{live_server.url}/console/registrations/events/{event.id}")
        page.locator("#select-all").check()
        assert all(box.is_checked() for box in page.locator("input[name=ids]").all())
        assert page.locator("[data-selected-count]").inner_text() == "3"
        page.locator("select[name=action]").select_option("cancelled")
        page.get_by_role("button", name="Áp dụng cho các mục đã chọn").click()
        page.wait_for_selector("[data-confirm-count]")
        assert page.locator("[data-confirm-count]").get_attribute("data-confirm-count") == "3"
        assert "Hủy 3 đăng ký?" in page.locator("h2").inner_text()
        db.session.expire_all()
        assert all(db.session.get(Registration, r.id).status == RegistrationStatus.APPROVED
                   for r in registrations)  # nothing yet
        with page.expect_navigation():
            page.get_by_role("button", name="Xác nhận hủy 3 đăng ký").click()
        db.session.expire_all()
        assert all(db.session.get(Registration, r.id).status == RegistrationStatus.CANCELLED
                   for r in registrations)
    finally:
        laptop.close()
