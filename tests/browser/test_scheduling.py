"""Browser: an organiser sets up a monthly briefing series with the picker, sees the live preview,
publishes, and the public home page shows the next occurrence."""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.calendar import recurrence
from eventapp.events import services
from eventapp.events.models import EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from tests.conftest import PASSWORD
from tests.events.conftest import TZ, next_month_start


@pytest.mark.browser
def test_organiser_creates_monthly_series_and_public_sees_it(live_server, page, make_user) -> None:
    from eventapp.extensions import limiter

    with contextlib.suppress(AssertionError):  # another module may have switched the limiter on
        limiter.reset()
    user = make_user(Role.ORGANISER)
    base = live_server.url
    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/console/")

    page.set_viewport_size({"width": 375, "height": 800})  # an organiser on a phone
    page.goto(f"{base}/console/events/series/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.fill("#title", "Họp báo Chính phủ thường kỳ")
    page.fill("#start_date", f"{next_month_start():%Y-%m-%d}")
    page.fill("#time_of_day", "15:00")
    page.select_option("#preset", "monthly_nth_weekday")
    page.select_option("#nth", "1")
    page.select_option("#weekday", "3")
    assert page.is_hidden("#rrule")  # advanced field only for a custom rule
    page.fill("#venue", "18 Nguyễn Du, Hà Nội")
    preview = page.locator("#recurrence-preview [data-preview-list] li")
    preview.nth(9).wait_for()
    assert preview.count() == 10
    assert preview.first.inner_text().startswith("Thứ Năm")
    assert "Thứ Năm tuần đầu mỗi tháng" in page.inner_text("#recurrence-preview")  # in words
    assert "FREQ=" not in page.inner_text("#recurrence-preview")
    page.select_option("#preset", "custom")
    page.fill("#rrule", "FREQ=NEVER")
    page.locator("#recurrence-preview[data-state=error]").wait_for()
    page.select_option("#preset", "monthly_nth_weekday")
    page.locator("#recurrence-preview[data-state=ok]").wait_for()
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/console/events/series/*")

    page.click("[data-testid=publish-series]")
    page.locator("[data-confirm=publish]").wait_for()  # how many go public, before anything does
    assert int(page.locator("[data-confirm=publish]").get_attribute("data-count")) >= 12
    page.click("[data-confirm-publish]")
    page.locator(".alert-success").wait_for()
    db.session.expire_all()
    series = db.session.scalars(sa.select(EventSeries)).one()
    first = services.upcoming_occurrences(series, utcnow())[0]
    assert first.status == EventStatus.PUBLISHED
    local = recurrence.to_local(first.starts_at, TZ)
    assert (local.weekday(), local.day <= 7, local.hour) == (3, True, 15)

    page.goto(f"{base}/")
    item = page.locator(f"a[href='/events/{first.id}']")
    assert item.is_visible()
    assert local.strftime("%d") in item.inner_text() and "15:00" in item.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    item.click()
    assert "15:00" in page.inner_text("[data-testid=event-when]")
