"""Real Chromium, after the talk: an organiser uploads a registrants-only file that a registrant
downloads from their ticket while an anonymous visitor cannot; an attendee answers the evaluation
from their ticket link and the organiser sees the answers in the charts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eventapp.accounts.models import Role
from eventapp.evaluations import services as evaluations
from eventapp.evaluations.models import EvaluationResponse, QuestionKind
from eventapp.events.models import AgendaItem, EventKind, EventMode
from eventapp.extensions import db
from eventapp.materials.models import Material
from eventapp.registrations.tickets import current_ticket
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/.*"))


def test_a_registrants_only_file_reaches_the_registrant_and_not_a_visitor(
        app, live_server, browser, make_event, make_user, make_registration, tmp_path) -> None:
    event = make_event(title="Hội nghị tập huấn kỹ năng phát ngôn", kind=EventKind.TRAINING)
    organiser = make_user(Role.ORGANISER)
    registration = make_registration(event)
    token = current_ticket(registration)
    db.session.commit()
    upload = tmp_path / "Bài giảng kỹ năng phát ngôn.pdf"
    upload.write_bytes(PDF)

    console = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        _sign_in(console, live_server.url, organiser.email)
        console.goto(f"{live_server.url}/console/materials/events/{event.id}")
        form = console.locator("[data-material-form]")
        form.locator("input[name=title]").fill("Bài giảng: kỹ năng phát ngôn")
        form.locator("input[name=file]").set_input_files(str(upload))
        form.locator("select[name=audience]").select_option("registrants")
        form.locator("button[type=submit]").click()
        console.wait_for_load_state()
        row = console.locator("[data-material-table] tr[data-material]")
        assert row.count() == 1 and "Bài giảng: kỹ năng phát ngôn" in row.inner_text()
        assert "Chỉ người đăng ký" in row.inner_text()
    finally:
        console.close()
    db.session.rollback()
    material = db.session.query(Material).one()

    phone = browser.new_page(viewport={"width": 360, "height": 780}, accept_downloads=True)
    try:
        phone.goto(f"{live_server.url}/ticket/{token}")
        link = phone.locator(f"[data-materials] [data-material='{material.id}'] a")
        assert link.is_visible()
        with phone.expect_download() as started:
            link.click()
        download = started.value
        assert download.suggested_filename == "Bài giảng kỹ năng phát ngôn.pdf"
        assert Path(download.path()).read_bytes() == PDF
    finally:
        phone.close()

    visitor = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        visitor.goto(f"{live_server.url}/events/{event.id}")
        assert visitor.locator("[data-materials]").count() == 0
        guessed = visitor.request.get(f"{live_server.url}/events/{event.id}/materials/{material.id}")
        assert guessed.status == 404 and guessed.body() != PDF
    finally:
        visitor.close()
    db.session.rollback()
    assert db.session.get(Material, material.id).download_count == 1


def test_an_attendee_answers_from_their_ticket_and_the_answers_show_in_the_charts(
        app, live_server, browser, make_event, make_user, make_registration) -> None:
    event = make_event(title="Hội nghị tập huấn truyền thông chính sách", kind=EventKind.TRAINING,
                       mode=EventMode.HYBRID, starts_in=-timedelta(hours=6), duration=timedelta(hours=4))
    talk = AgendaItem(event_id=event.id, position=0, title="Kỹ năng phát ngôn", starts_at=event.starts_at,
                      ends_at=event.ends_at)
    db.session.add(talk)
    organiser = make_user(Role.ORGANISER)
    db.session.flush()
    evaluations.add_talk_ratings(event, lambda item: f"Bài “{item.title}” hữu ích ở mức nào?", organiser)
    evaluations.add_question(event, kind=QuestionKind.CHOICE, prompt="Hình thức phù hợp?",
                             options="Trực tiếp\nTrực tuyến", actor=organiser)
    evaluations.add_question(event, kind=QuestionKind.TEXT, prompt="Góp ý", actor=organiser)
    registration = make_registration(event, checked_in_at=datetime.now(UTC) - timedelta(hours=5))
    token = current_ticket(registration)
    db.session.commit()

    phone = browser.new_page(viewport={"width": 360, "height": 780})
    try:
        phone.goto(f"{live_server.url}/ticket/{token}")
        phone.click("[data-evaluation-link]")
        phone.wait_for_url(re.compile(r".*/evaluation$"))
        phone.click("label[for$='-4']")  # 4 of 5 for the talk
        phone.check("input[value='Trực tuyến']")
        phone.fill("textarea", "Rất thiết thực, đề nghị có thêm tình huống")
        phone.click("[data-evaluation-submit]")
        phone.wait_for_url(re.compile(r".*/ticket/[^/]+$"))
        assert phone.locator("[data-evaluation-answered]").is_visible()
        phone.goto(f"{live_server.url}/ticket/{token}/evaluation")
        assert phone.locator("[data-evaluation-done]").is_visible()
        assert phone.locator("[data-evaluation-submit]").count() == 0
    finally:
        phone.close()
    db.session.rollback()
    assert db.session.query(EvaluationResponse).count() == 1

    console = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        _sign_in(console, live_server.url, organiser.email)
        console.goto(f"{live_server.url}/console/evaluations/events/{event.id}/results")
        assert console.locator("[data-response-count='1']").is_visible()
        talk_chart = console.locator("[data-talk-chart] svg")
        assert "Kỹ năng phát ngôn" in talk_chart.inner_html() and "4.0/5 (1)" in talk_chart.inner_html()
        charts = console.locator("[data-question-chart] svg")
        assert charts.count() == 2 and "1 (100%)" in charts.nth(1).inner_html()
        assert "Rất thiết thực, đề nghị có thêm tình huống" in console.locator("[data-free-text]").inner_text()
    finally:
        console.close()
