"""Real Chromium: a person registered by their site's coordinator is told where they take part:
their site, its room and its own link, in the delivered e-mail and on their ticket (phone)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.events.models import EventMode, EventSite
from eventapp.extensions import db
from eventapp.mail.sender import send_pending

pytestmark = pytest.mark.browser


def test_a_site_participants_email_and_ticket_show_their_site(
        app, live_server, browser, smtp_server, make_event, make_site, add_site_to_event, make_user) -> None:
    app.config["PUBLIC_BASE_URL"] = live_server.url
    event = make_event(title="Hội nghị tập huấn kỹ năng phát ngôn", mode=EventMode.HYBRID, capacity=50,
                       online_url="https://meet.example.gov.vn/hoi-truong-chinh")
    site = make_site()
    participation = add_site_to_event(event, site, quota=5)
    participation.room, participation.join_url = "Phòng họp tầng 3", "https://meet.example.gov.vn/so-tt-tt"
    coordinator = make_user(Role.SITE_COORDINATOR, site=site)
    db.session.commit()
    desk = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        desk.goto(f"{live_server.url}/login")
        desk.fill("input[name=email]", coordinator.email)
        desk.fill("input[name=password]", "correct horse battery")
        desk.click("main button[type=submit]")
        desk.wait_for_url(re.compile(r".*/console/(site/)?$"))
        desk.goto(f"{live_server.url}/console/site/{site.id}/events/{event.id}")
        assert "Phòng họp tầng 3" in desk.locator("[data-site-details]").inner_text()
        form = desk.locator(f"form[action='/console/site/{site.id}/events/{event.id}/add']")
        form.locator("input[name=full_name]").fill("Lê Thị Hoa")
        form.locator("input[name=email]").fill("hoa@stttt.gov.vn")
        form.locator("button[type=submit]").click()
        desk.wait_for_load_state()
    finally:
        desk.close()
    db.session.rollback()
    assert send_pending().sent == 1
    [(_recipients, message)] = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    assert site.name in text and "Phòng họp tầng 3" in text and "so-tt-tt" in text
    assert "hoi-truong-chinh" not in text and "lối vào" not in text
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar").get_content()
    assert "Phòng họp tầng 3" in calendar.replace("\r\n ", "") and "so-tt-tt" in calendar
    link = re.search(r"https?://\S+/ticket/[A-Za-z0-9_-]+", text).group(0)

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        phone.goto(link)
        place = phone.locator("[data-site-place]")
        assert place.is_visible() and "Phòng họp tầng 3" in place.inner_text() and site.name in place.inner_text()
        assert phone.locator("[data-join-link]").get_attribute("href") == "https://meet.example.gov.vn/so-tt-tt"
        qr = phone.locator("[data-qr] svg").bounding_box()
        assert qr is not None and qr["y"] + qr["height"] <= 844  # the QR still comes first
    finally:
        phone.close()
    assert db.session.scalar(sa.select(EventSite.room)) == "Phòng họp tầng 3"
