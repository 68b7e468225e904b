"""Issue #7: end-to-end journeys in a real Chromium, across roles, from the first click to the data.

(a) a journalist registers on a phone, gets the e-mail, opens the ticket, is checked in at the desk;
(b) an organiser sets up a hybrid training with all sites, a coordinator imports 20 people from
    Excel, marks the site connected and takes the roll-call, the organiser watches the board and
    downloads the report;
(c) a calendar subscriber sees a moved occurrence with a higher SEQUENCE and its RECURRENCE-ID.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from openpyxl import Workbook, load_workbook

from eventapp.accounts.models import Role
from eventapp.calendar import recurrence
from eventapp.directory.models import Organisation, OrganisationKind, Person
from eventapp.events.models import Event, EventMode, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.mail.sender import send_pending
from eventapp.models import utcnow
from eventapp.registrations.models import Registration, RegistrationStatus
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
TZ = "Asia/Ho_Chi_Minh"
PHONE = {"width": 375, "height": 740}
PEOPLE = [
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Minh Đức",
    "Huỳnh Thị Giang", "Phan Văn Hải", "Vũ Thị Hằng", "Võ Quốc Huy", "Đặng Thu Hương",
    "Bùi Văn Khánh", "Đỗ Thị Lan", "Hồ Văn Long", "Ngô Thị Mai", "Dương Văn Nam",
    "Lý Thị Oanh", "Trịnh Văn Phúc", "Đinh Thị Quỳnh", "Mai Văn Sơn", "Tạ Thị Tuyết",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Another module may have switched the shared limiter on: sign-ins must not get 429."""
    from eventapp.extensions import limiter

    with contextlib.suppress(Exception):
        limiter.reset()


@pytest.fixture
def contexts(browser):
    """More browser contexts (one per person), closed at the end."""
    opened = []

    def new(**options):
        options.setdefault("locale", "vi-VN")
        options.setdefault("timezone_id", TZ)
        context = browser.new_context(**options)
        opened.append(context)
        return context.new_page()

    yield new
    for context in opened:
        context.close()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/(site/)?$"))  # coordinators land on their site


def fresh() -> None:
    db.session.rollback()
    db.session.expire_all()


# --------------------------------------------------------------------------------------- (a)

def test_journalist_registers_on_a_phone_gets_the_mail_and_is_checked_in(
        app, live_server, page, contexts, smtp_server, make_event, make_user) -> None:
    app.config["PUBLIC_BASE_URL"] = live_server.url
    event = make_event(title="Họp báo Chính phủ thường kỳ tháng 6", starts_in=timedelta(minutes=30), capacity=80)
    db.session.add(Organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Thanh Niên"))
    staff = make_user(Role.CHECKIN_STAFF, email="cua-vao@example.vn")
    db.session.commit()
    try:
        phone = contexts(viewport=PHONE, is_mobile=True, has_touch=True)
        phone.goto(f"{live_server.url}/events/{event.id}/register")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        form = phone.locator("form[data-form=registration]")
        form.locator("input[name=full_name]").fill("Nguyễn Thị Thu Trang")
        form.locator("input[name=email]").fill("thutrang@thanhnien.vn")
        form.locator("input[name=phone]").fill("0912 345 678")
        form.locator("input[name=position]").fill("Phóng viên")
        form.locator("select[name=outlet_id]").select_option(label="Báo Thanh Niên")
        form.locator("input[name=consent]").check()
        form.locator("button[type=submit]").tap()
        phone.wait_for_url(f"**/events/{event.id}/register/sent?to=*")
        assert phone.locator("[data-page=registration-sent]").is_visible()

        # The outbox worker delivers the e-mail to a real SMTP server.
        fresh()
        report = send_pending()
        assert report.sent == 1
        [(recipients, message)] = smtp_server.messages
        assert recipients == ["thutrang@thanhnien.vn"]
        text = message.get_body(("plain",)).get_content()
        link = re.search(r"https?://\S+/ticket/[A-Za-z0-9_-]+", text).group(0)
        assert link.startswith(live_server.url)
        token = link.rsplit("/", 1)[1]

        phone.goto(link)
        assert phone.locator(".ticket").get_attribute("data-status") == "approved"
        assert phone.locator("[data-qr] svg").is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # At the door: a USB scanner types the ticket code into the desk's scan field, then Enter.
        desk = page
        sign_in(desk, live_server.url, staff.email)
        desk.goto(f"{live_server.url}/console/attendance/events/{event.id}/desk")
        desk.locator("#scan-input").click()
        desk.keyboard.type(token + "\n", delay=5)
        desk.wait_for_selector('#scan-result[data-code="checked_in"]', timeout=5000)
        assert "Nguyễn Thị Thu Trang" in desk.locator("#scan-result").inner_text()
        assert desk.locator('[data-counter="checked_in"]').inner_text() == "1"
        fresh()
        registration = db.session.scalars(sa.select(Registration)).one()
        assert registration.checked_in_at is not None and registration.checked_in_by_id == staff.id
    finally:
        app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"


# --------------------------------------------------------------------------------------- (b)

def _workbook(names: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Họ và tên", "E-mail", "Điện thoại", "Chức vụ"])
    for i, name in enumerate(names, start=1):
        sheet.append([name, f"canbo{i}@stttt.quangninh.gov.vn", f"0203 3835 {i:03d}", "Chuyên viên"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _download(page, selector: str) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    return Path(info.value.path())


def test_hybrid_training_from_setup_to_report(app, live_server, page, contexts, make_user, make_site) -> None:
    app.config["ATTENDANCE_POLL_SECONDS"] = 1
    sites = [make_site(name=name) for name in ("Sở TT&TT Quảng Ninh", "Sở TT&TT Hà Nội", "Sở TT&TT Đà Nẵng")]
    organiser = make_user(Role.ORGANISER, email="tochuc@example.vn")
    coordinator = make_user(Role.SITE_COORDINATOR, email="quangninh@example.vn", site=sites[0])
    db.session.commit()
    base = live_server.url
    tomorrow = recurrence.to_local(utcnow(), TZ).date() + timedelta(days=1)
    try:
        # The organiser creates the training (a draft), adds every site, publishes.
        sign_in(page, base, organiser.email)
        page.goto(f"{base}/console/events/new")
        page.fill("#title", "Hội nghị tập huấn kỹ năng phát ngôn")
        page.select_option("#kind", "training")
        page.select_option("#mode", "hybrid")
        page.fill("#starts_at", f"{tomorrow:%Y-%m-%d}T08:30")
        page.fill("#ends_at", f"{tomorrow:%Y-%m-%d}T11:30")
        page.fill("#capacity", "200")
        page.fill("#venue", "Trung tâm Hội nghị Quảng Ninh")
        page.fill("#online_url", "https://meet.example.vn/tap-huan")
        page.click("form:has(#title) button[type=submit]")
        page.wait_for_url(re.compile(r".*/console/events/\d+$"))
        event_id = int(page.url.rsplit("/", 1)[1])
        page.goto(f"{base}/console/events/{event_id}/sites")
        page.check("input[name=scope][value=all]")
        page.fill("#default_quota", "25")
        page.click(f"form[action$='/console/events/{event_id}/sites/add'] button[type=submit]")
        page.locator(".alert-success").first.wait_for()
        page.goto(f"{base}/console/events/{event_id}")
        page.click(f"form[action$='/console/events/{event_id}/publish'] button[type=submit]")
        page.locator(".alert-success").first.wait_for()
        fresh()
        event = db.session.get(Event, event_id)
        assert event.status == EventStatus.PUBLISHED and event.mode == EventMode.HYBRID
        assert {s.site_id for s in event.sites} == {s.id for s in sites}

        # The coordinator uploads 20 people from Excel: preview, then import.
        site_page = contexts()
        sign_in(site_page, base, coordinator.email)
        site_page.goto(f"{base}/console/site/{sites[0].id}/events/{event_id}")
        site_page.set_input_files("input[type=file][name=file]", files=[{
            "name": "danh-sach-quang-ninh.xlsx", "buffer": _workbook(PEOPLE),
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
        site_page.click("form[enctype='multipart/form-data'] button[type=submit]")
        site_page.wait_for_selector("[data-report]")
        assert site_page.locator("[data-result=ok]").count() == 20
        assert "Đặng Thu Hương" in site_page.inner_text("main")
        site_page.click("form[action$='/import/confirm'] button[type=submit]")
        site_page.wait_for_selector("[data-registrations]")
        assert site_page.locator("[data-registration]").count() == 20
        fresh()
        names = set(db.session.scalars(sa.select(Person.full_name).join(Registration).where(
            Registration.site_id == sites[0].id, Registration.status == RegistrationStatus.APPROVED)))
        assert names == set(PEOPLE)

        # The day comes: the training starts now (the console refuses past dates, so the DB moves it).
        now = datetime.now(UTC).replace(microsecond=0)
        db.session.execute(sa.update(Event).where(Event.id == event_id).values(
            starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=3)))
        db.session.commit()

        page.goto(f"{base}/console/attendance/events/{event_id}/board")
        tile = page.locator(f'.site-tile[data-site-id="{sites[0].id}"]')
        assert tile.get_attribute("data-status") == "invited"

        rollcall = f"{base}/console/rollcall/events/{event_id}/sites/{sites[0].id}"
        site_page.goto(rollcall)
        site_page.click("#connection-test-button")
        site_page.wait_for_selector("#connection-test-result.text-success", timeout=5000)
        site_page.check("#tested")
        site_page.click("#mark-connected")
        site_page.wait_for_selector('[data-rollcall-status="connected"]', timeout=5000)
        page.wait_for_selector(f'.site-tile[data-site-id="{sites[0].id}"][data-status="connected"]',
                               timeout=5000)

        boxes = site_page.locator("input[type=checkbox][name=present]")
        assert boxes.count() == 20
        for i in range(17):
            boxes.nth(i).check()
        site_page.click(f"form[action$='/sites/{sites[0].id}/present'] button[type=submit]")
        site_page.locator(".alert-success").first.wait_for()
        from playwright.sync_api import expect

        expect(tile.locator("[data-field=present]")).to_have_text("17", timeout=5000)
        assert tile.locator("[data-field=registered]").inner_text().strip() == "20"
        fresh()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.event_id == event_id, Registration.checked_in_at.is_not(None))) == 17
        assert db.session.scalar(sa.select(EventSite.status).where(
            EventSite.event_id == event_id, EventSite.site_id == sites[0].id)).value == "connected"

        # The organiser downloads the report from the page, as CSV and as Excel.
        page.goto(f"{base}/console/attendance/events/{event_id}/report")
        csv_file = _download(page, "a[href$='format=csv']")
        text = csv_file.read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        for name in PEOPLE:
            assert name in text, name
        assert "Sở TT&TT Quảng Ninh" in text and len(rows) > 20
        xlsx_file = _download(page, "a[href$='format=xlsx']")
        cells = {str(c) for row in load_workbook(io.BytesIO(xlsx_file.read_bytes())).active.iter_rows(values_only=True)
                 for c in row if c is not None}
        assert set(PEOPLE) <= cells
    finally:
        app.config.pop("ATTENDANCE_POLL_SECONDS", None)


# --------------------------------------------------------------------------------------- (c)

def _vevents(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_subscriber_sees_a_moved_occurrence(live_server, page, make_user) -> None:
    from eventapp.events import services

    today = recurrence.to_local(utcnow(), TZ).date()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    series = services.create_series(services.SeriesSpec(
        title="Họp báo thường kỳ Bộ TT&TT", rrule="FREQ=MONTHLY;BYDAY=1TH", tz=TZ,
        dtstart_local=datetime.combine(first, time(15, 0)), duration_minutes=90, mode=EventMode.IN_PERSON,
        venue="18 Nguyễn Du, Hà Nội", capacity=60, registration_opens_days_before=14,
        registration_closes_hours_before=2), publish=True)
    organiser = make_user(Role.ORGANISER, email="tochuc@example.vn")
    db.session.commit()
    occurrence = services.upcoming_occurrences(series, utcnow())[1]
    original_start = occurrence.starts_at
    base = live_server.url

    subscriber = page.request
    before = subscriber.get(f"{base}/calendar.ics")
    assert before.ok and before.headers["content-type"].startswith("text/calendar")
    [master] = [v for v in _vevents(before.body()) if "RRULE" in v]
    assert "RECURRENCE-ID" not in master
    uid, sequence_before = str(master["UID"]), int(master.get("SEQUENCE", 0))
    assert not [v for v in _vevents(before.body()) if "RECURRENCE-ID" in v]

    # The organiser moves the second occurrence by two hours and a day, in the console.
    sign_in(page, base, organiser.email)
    page.goto(f"{base}/console/events/series/{series.id}")
    page.click(f"a[href='/console/events/{occurrence.id}']")
    page.wait_for_url(f"**/console/events/{occurrence.id}")
    local = recurrence.to_local(original_start, TZ) + timedelta(days=1, hours=2)
    page.fill("#starts_at", f"{local:%Y-%m-%dT%H:%M}")
    page.fill("#ends_at", f"{local + timedelta(minutes=90):%Y-%m-%dT%H:%M}")
    page.click("form:has(#starts_at) button[type=submit]")
    page.locator(".alert-success").first.wait_for()
    fresh()
    moved = db.session.get(Event, occurrence.id)
    assert moved.starts_at == recurrence.to_utc(local.replace(tzinfo=None), TZ)
    assert moved.original_start == original_start

    after = subscriber.get(f"{base}/calendar.ics")
    assert after.ok and after.headers.get("etag") != before.headers.get("etag")
    same_uid = [v for v in _vevents(after.body()) if str(v["UID"]) == uid]
    [exception] = [v for v in same_uid if "RECURRENCE-ID" in v]
    assert exception["RECURRENCE-ID"].dt.astimezone(UTC) == original_start
    assert exception["DTSTART"].dt.astimezone(UTC) == moved.starts_at
    assert int(exception["SEQUENCE"]) > sequence_before
    assert exception["DTSTART"].dt.astimezone(recurrence.zone(TZ)).hour == 17
    # A conditional GET with the new ETag is answered 304 (clients poll cheaply).
    again = subscriber.get(f"{base}/calendar.ics", headers={"If-None-Match": after.headers["etag"]})
    assert again.status == 304
