"""Real Chromium: the desk takes a scanner's keystrokes (online and offline); the board follows a site."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from eventapp.accounts.models import Role
from eventapp.events.models import EventMode
from eventapp.extensions import db
from eventapp.registrations.models import Registration
from eventapp.registrations.tickets import issue_ticket
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Another module may have switched the shared limiter on: sign-ins must not get 429."""
    from eventapp.extensions import limiter

    with contextlib.suppress(Exception):
        limiter.reset()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(re.compile(r".*/console/(site/)?$"))  # coordinators land on their site


def checked_in(registration_id: int) -> bool:
    db.session.expire_all()
    return db.session.scalar(sa.select(Registration.checked_in_at).where(
        Registration.id == registration_id)) is not None


def test_desk_takes_scanner_keystrokes_and_queues_offline(live_server, page, make_user, make_event,
                                                          make_person, make_registration) -> None:
    event = make_event(title="Họp báo thường kỳ", starts_in=timedelta(minutes=20))
    first = make_registration(event, person=make_person("Phạm Thu Hà"))
    second = make_registration(event, person=make_person("Lê Văn Bình"))
    token, token2 = issue_ticket(first), issue_ticket(second)
    staff = make_user(Role.CHECKIN_STAFF, email="cua@example.vn")
    db.session.commit()

    sign_in(page, live_server.url, staff.email)
    page.goto(f"{live_server.url}/console/attendance/events/{event.id}/desk")
    result = page.locator("#scan-result")
    # A keyboard-wedge scanner: the code typed fast into whatever has focus, then Enter.
    page.keyboard.type(token + "\n", delay=5)
    page.wait_for_selector('#scan-result[data-code="checked_in"]', timeout=3000)
    assert "Phạm Thu Hà" in result.inner_text()
    assert page.locator('[data-counter="checked_in"]').inner_text() == "1"
    assert checked_in(first.id)

    page.keyboard.type(token + "\n", delay=5)
    page.wait_for_selector('#scan-result[data-code="already"]', timeout=3000)
    page.keyboard.type("not-a-ticket\n", delay=5)
    page.wait_for_selector('#scan-result[data-code="invalid"]', timeout=3000)
    expect(page.locator("#scan-input")).to_be_focused(timeout=5000)

    # The network drops: the scan is kept on the device and sent when it is back.
    page.context.set_offline(True)
    page.keyboard.type(token2 + "\n", delay=5)
    page.wait_for_selector('#scan-result[data-code="queued"]', timeout=3000)
    assert page.locator("[data-queue-count]").inner_text() == "1"
    assert not checked_in(second.id)
    page.context.set_offline(False)
    page.wait_for_selector('#scan-result[data-code="checked_in"]', timeout=8000)
    expect(page.locator("[data-queue-count]")).to_have_text("0", timeout=5000)
    assert checked_in(second.id)

    # Undo the last check-in.
    page.locator("#undo-button").click()
    page.wait_for_selector('#scan-result[data-code="undone"]', timeout=3000)
    assert not checked_in(first.id) and checked_in(second.id)
    # Not the green of a welcome: the desk must not read an undo as "let them in".
    assert "scan-ok" not in page.locator("#scan-result").get_attribute("class")


def test_vendored_jsqr_decodes_a_ticket_under_the_csp(live_server, page, make_user, make_event,
                                                     make_registration) -> None:
    """The camera fallback: jsQR (loaded the way checkin.js loads it) reads our ticket QR code."""
    import base64
    import io

    import segno

    event = make_event(starts_in=timedelta(minutes=20))
    token = issue_ticket(make_registration(event))
    staff = make_user(Role.CHECKIN_STAFF, email="cam@example.vn")
    db.session.commit()
    png = io.BytesIO()
    segno.make(token, error="m").save(png, kind="png", scale=6, border=2)
    data_uri = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()

    sign_in(page, live_server.url, staff.email)
    page.goto(f"{live_server.url}/console/attendance/events/{event.id}/desk")
    decoded = page.evaluate("""(uri) => new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = document.getElementById("desk").dataset.jsqrUrl;
        script.onerror = () => reject(new Error("jsQR blocked"));
        script.onload = () => {
          const img = new Image();
          img.onload = () => {
            const canvas = document.createElement("canvas");
            canvas.width = img.width; canvas.height = img.height;
            const ctx = canvas.getContext("2d");
            ctx.drawImage(img, 0, 0);
            const data = ctx.getImageData(0, 0, img.width, img.height);
            const code = window.jsQR(data.data, data.width, data.height);
            resolve(code ? code.data : null);
          };
          img.src = uri;
        };
        document.head.appendChild(script);
    })""", data_uri)
    assert decoded == token


def test_board_turns_a_tile_when_the_coordinator_marks_connected(app, live_server, browser, make_user,
                                                                 make_event, make_site, add_site_to_event) -> None:
    app.config["ATTENDANCE_POLL_SECONDS"] = 1
    event = make_event(title="Hội nghị tập huấn trực tuyến", mode=EventMode.HYBRID,
                       starts_in=timedelta(minutes=-5))
    sites = [make_site(name=f"Sở TT&TT tỉnh {i}") for i in range(3)]
    for site in sites:
        add_site_to_event(event, site)
    organiser = make_user(Role.ORGANISER, email="tochuc@example.vn")
    coordinator = make_user(Role.SITE_COORDINATOR, email="so@example.vn", site=sites[1])
    db.session.commit()

    projector = browser.new_context(locale="vi-VN", viewport={"width": 1600, "height": 900})
    laptop = browser.new_context(locale="vi-VN")
    try:
        board = projector.new_page()
        sign_in(board, live_server.url, organiser.email)
        board.goto(f"{live_server.url}/console/attendance/events/{event.id}/board")
        tile = board.locator(f'.site-tile[data-site-id="{sites[1].id}"]')
        assert tile.get_attribute("data-status") == "invited"

        site_page = laptop.new_page()
        sign_in(site_page, live_server.url, coordinator.email)
        site_page.goto(f"{live_server.url}/console/rollcall/events/{event.id}/sites/{sites[1].id}")
        site_page.locator("#connection-test-button").click()
        site_page.wait_for_selector("#connection-test-result.text-success", timeout=5000)
        site_page.locator("#tested").check()
        site_page.locator("#mark-connected").click()
        site_page.wait_for_selector('[data-rollcall-status="connected"]', timeout=5000)

        board.wait_for_selector(f'.site-tile[data-site-id="{sites[1].id}"][data-status="connected"]',
                                timeout=5000)
        assert "site-connected" in tile.get_attribute("class")
        assert board.locator('[data-summary="connected"]').inner_text() == "1"
        assert board.locator(f'.site-tile[data-site-id="{sites[0].id}"]').get_attribute("data-status") == "invited"
    finally:
        projector.close()
        laptop.close()
        app.config.pop("ATTENDANCE_POLL_SECONDS", None)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 720}, {"width": 1920, "height": 1080}])
def test_all_66_sites_fit_on_one_projector_screen(live_server, browser, make_user, make_event, make_site,
                                                  add_site_to_event, viewport) -> None:
    event = make_event(title="Hội nghị tập huấn toàn quốc", mode=EventMode.HYBRID)
    for i in range(66):
        add_site_to_event(event, make_site(name=f"Sở Thông tin và Truyền thông tỉnh Thừa Thiên Huế {i}"))
    organiser = make_user(Role.ORGANISER, email="tochuc@example.vn")
    db.session.commit()
    projector = browser.new_context(locale="vi-VN", viewport=viewport)
    try:
        board = projector.new_page()
        sign_in(board, live_server.url, organiser.email)
        board.goto(f"{live_server.url}/console/attendance/events/{event.id}/board")
        boxes = [tile.bounding_box() for tile in board.locator(".site-tile").all()]
        assert len(boxes) == 66
        assert max(box["y"] + box["height"] for box in boxes) <= viewport["height"]  # no scrolling
        assert min(box["height"] for box in boxes) >= 44
        assert board.evaluate("document.documentElement.scrollHeight") <= viewport["height"]
        # every tile still shows its count and state, not clipped away by the smaller tiles
        count = board.locator(".site-tile").first.locator(".site-tile-count").bounding_box()
        assert count["y"] + count["height"] <= boxes[0]["y"] + boxes[0]["height"]
    finally:
        projector.close()


def test_a_phone_keeps_the_scrolling_board(live_server, browser, make_user, make_event, make_site,
                                           add_site_to_event) -> None:
    event = make_event(title="Hội nghị tập huấn toàn quốc", mode=EventMode.HYBRID)
    for i in range(20):
        add_site_to_event(event, make_site(name=f"Sở TT&TT tỉnh {i}"))
    organiser = make_user(Role.ORGANISER, email="tochuc@example.vn")
    db.session.commit()
    phone = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 800})
    try:
        board = phone.new_page()
        sign_in(board, live_server.url, organiser.email)
        board.goto(f"{live_server.url}/console/attendance/events/{event.id}/board")
        assert board.locator("#site-grid.site-grid-fit").count() == 0
        assert board.locator(".site-tile").first.bounding_box()["height"] >= 80  # full-size tiles
    finally:
        phone.close()
