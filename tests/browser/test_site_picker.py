"""Browser: an organiser picks three sites one by one for a hybrid training (laptop and phone)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.events.models import EventMode, EventSite, EventStatus
from eventapp.extensions import db
from tests.browser.test_journeys import fresh, sign_in

PROVINCES = ("Sở TT&TT Hà Nội", "Sở TT&TT Quảng Ninh", "Sở TT&TT Thừa Thiên Huế", "Sở TT&TT Đà Nẵng",
             "Sở TT&TT Bà Rịa - Vũng Tàu", "Sở TT&TT Thành phố Hồ Chí Minh", "Sở TT&TT Cần Thơ",
             "Sở TT&TT Điện Biên", "Sở TT&TT Lào Cai", "Sở TT&TT Khánh Hòa")
PICKED = ("Sở TT&TT Quảng Ninh", "Sở TT&TT Đà Nẵng", "Sở TT&TT Cần Thơ")
SCREENSHOTS = Path("test-artifacts")


def _boxes_overlap(first: dict, second: dict) -> bool:
    return not (first["x"] + first["width"] <= second["x"] or second["x"] + second["width"] <= first["x"]
                or first["y"] + first["height"] <= second["y"] or second["y"] + second["height"] <= first["y"])


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_organiser_ticks_three_sites_one_by_one_and_adds_them(
        live_server, page, make_user, make_site, make_event, width, height) -> None:
    sites = {name: make_site(name=name) for name in PROVINCES}
    event = make_event(title="Hội nghị tập huấn kỹ năng phát ngôn", mode=EventMode.HYBRID,
                       status=EventStatus.DRAFT, online_url="https://meet.example.vn/tap-huan")
    organiser = make_user(Role.ORGANISER, email="tochuc@example.vn")
    db.session.commit()
    base = live_server.url
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, base, organiser.email)
    page.goto(f"{base}/console/events/{event.id}/sites")

    picker = page.locator("[data-site-picker]")
    options = picker.locator(".site-option")
    assert options.count() == len(PROVINCES)
    # Each name shows once, beside a visible checkbox, and no two rows overlap.
    assert picker.locator(".site-picker").inner_text().count("Sở TT&TT Quảng Ninh") == 1
    boxes = [options.nth(i).bounding_box() for i in range(3)]
    assert all(not _boxes_overlap(a, b) for a, b in zip(boxes, boxes[1:], strict=False))
    first_box = options.first.locator("input[type=checkbox]")
    assert first_box.is_visible() and first_box.bounding_box()["width"] >= 12

    page.fill("#site-filter", "quang ninh")  # typed without diacritics
    assert options.filter(has_text="Sở TT&TT Quảng Ninh").is_visible()
    assert not options.filter(has_text="Sở TT&TT Hà Nội").is_visible()
    page.get_by_label("Sở TT&TT Quảng Ninh", exact=True).check()
    page.fill("#site-filter", "")
    for name in PICKED[1:]:
        label = picker.get_by_text(name, exact=True)
        label.scroll_into_view_if_needed()
        label.click()  # the name itself is the target
    assert page.is_checked("input[name=scope][value=pick]")  # ticking chose "Sites ticked below"
    assert picker.locator("[data-site-count]").inner_text() == "Đã chọn 3"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"site-picker-{width}x{height}.png"), full_page=False)

    page.fill("#default_quota", "8")
    page.click(f"form[action$='/console/events/{event.id}/sites/add'] button[type=submit]")
    page.locator(".alert-success").first.wait_for()
    table = page.locator(".sites-table tbody tr")
    assert table.count() == 3
    assert "Sở TT&TT Đà Nẵng" in page.inner_text(".sites-table")
    fresh()
    chosen = db.session.execute(sa.select(EventSite.site_id, EventSite.quota).where(
        EventSite.event_id == event.id)).all()
    assert sorted(chosen) == sorted((sites[name].id, 8) for name in PICKED)
    # The three are no longer offered; the rest still are.
    assert page.locator("[data-site-picker] .site-option").count() == len(PROVINCES) - 3
