"""Issue 15 in a real Chromium: (1) a question through the whole cycle, asked on a phone by one
journalist and by another, merged, assigned, drafted by the unit, returned, approved, e-mailed to
both askers (real SMTP), published on the event page and exported to DOCX; (2) the live path on a
phone: asked during the event, on the projector, marked answered on stage."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from docx import Document
from playwright.sync_api import expect

from eventapp.accounts.models import Role
from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.mail.sender import send_pending
from eventapp.models import utcnow
from eventapp.questions.models import AnswerStatus, Question, QuestionAnswer, QuestionStatus
from eventapp.registrations.tickets import issue_ticket
from tests.browser.test_journeys import _fresh_rate_limits, contexts  # noqa: F401 - fixtures
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
QUESTION = "Bộ có lộ trình nào để tắt sóng 2G mà không để người dân vùng sâu bị gián đoạn liên lạc?"
ANSWER = "Bộ hỗ trợ máy điện thoại 4G cho hộ nghèo, cận nghèo; sóng 2G tắt theo từng đợt đến tháng 9/2024."


def sign_in(page, base_url: str, email: str, lands: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(lands))


def fresh() -> None:
    db.session.rollback()
    db.session.expire_all()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_one_question_through_the_whole_cycle(app, live_server, page, contexts,  # noqa: F811
                                              smtp_server, tmp_path, make_event, make_person, make_registration, make_user) -> None:
    app.config["PUBLIC_BASE_URL"] = live_server.url
    app.config["QUESTION_DOCUMENTS_FOLDER"] = str(tmp_path / "documents")
    event = make_event(title="Họp báo thường kỳ Bộ TT&TT tháng 12", starts_in=timedelta(days=2))
    unit = Organisation(kind=OrganisationKind.MINISTRY_UNIT, name="Cục Viễn thông")
    db.session.add(unit)
    db.session.flush()
    make_user(Role.ORGANISER, email="tochuc@mic.gov.vn")
    make_user(Role.UNIT_RESPONDENT, email="cucvienthong@mic.gov.vn", unit=unit)
    first = make_registration(event, make_person("Nguyễn Thị Thu Trang", email="thutrang@thanhnien.vn"))
    second = make_registration(event, make_person("Lê Hoàng Cường", email="cuong@vnexpress.net"))
    first_token, second_token = issue_ticket(first), issue_ticket(second)
    db.session.commit()

    # 1. Asked on a phone from the ticket page, and by a second journalist in other words.
    phone = contexts(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{live_server.url}/ticket/{first_token}")
    card = phone.locator("[data-question-card]")
    assert card.get_attribute("data-asking") == "advance"
    card.locator("textarea[name=text]").fill(QUESTION)
    card.locator("input[name=topic]").fill("Viễn thông")
    card.locator("button[type=submit]").tap()
    phone.wait_for_selector("[data-my-question]")
    no_sideways_scroll(phone)
    desk = contexts()
    desk.goto(f"{live_server.url}/ticket/{second_token}")
    desk.locator("[data-question-card] textarea[name=text]").fill("Khi nào tắt sóng 2G?")
    desk.locator("[data-question-card] button[type=submit]").click()
    desk.wait_for_selector("[data-my-question]")
    fresh()
    kept, duplicate = db.session.scalars(sa.select(Question).order_by(Question.id)).all()

    # 2. The organiser merges the duplicate (both askers kept) and assigns the question.
    sign_in(page, live_server.url, "tochuc@mic.gov.vn", r".*/console/$")
    page.goto(f"{live_server.url}/console/questions/events/{event.id}")
    page.locator(f'[data-question="{duplicate.id}"]').click()
    page.select_option("select[name=merge-into_id]", str(kept.id))
    page.click("[data-merge]")
    page.wait_for_url(f"**/console/questions/{kept.id}")
    assert page.locator("[data-asker]").count() == 2
    page.check("input[name=assign-handling][value=written]")
    page.check(f"input[name=assign-unit_ids][value='{unit.id}']")
    page.fill("input[name=assign-due_on]", (utcnow() + timedelta(days=5)).date().isoformat())
    page.click("[data-assign]")
    page.wait_for_selector('[data-status-badge]:has-text("Đã phân công")')

    # 3. The unit respondent drafts with a document, submits; only their unit's screens exist for them.
    unit_page = contexts()
    sign_in(unit_page, live_server.url, "cucvienthong@mic.gov.vn", r".*/console/questions/unit/$")
    links = unit_page.eval_on_selector_all("nav.console-sidebar a", "links => links.map(a => a.pathname)")
    assert links == ["/console/questions/unit/", "/console/api-tokens/"]  # nothing else of the console
    unit_page.locator("[data-assignment]").click()
    unit_page.fill("textarea[name=text]", "Bản nháp: đang tổng hợp.")
    document = tmp_path / "Trả lời Cục Viễn thông.pdf"
    document.write_bytes(b"%PDF-1.4\n%test\n")
    unit_page.set_input_files("input[name=document]", str(document))
    unit_page.click("[data-save-draft]")
    unit_page.wait_for_selector("text=Trả lời Cục Viễn thông.pdf")
    unit_page.fill("textarea[name=text]", "Bộ hỗ trợ máy 4G.")
    unit_page.click("[data-submit-answer]")
    unit_page.wait_for_url("**/console/questions/unit/")

    # 4. Returned with a comment, corrected, approved.
    page.reload()
    page.fill("textarea[name=return-comment]", "Xin nêu rõ lộ trình tắt sóng.")
    page.click("[data-return]")
    page.wait_for_selector('[data-answer-status="returned"]')
    unit_page.locator("[data-assignment]").click()
    assert "Xin nêu rõ lộ trình tắt sóng." in unit_page.locator("[data-return-comment]").inner_text()
    unit_page.fill("textarea[name=text]", ANSWER)
    unit_page.click("[data-submit-answer]")
    unit_page.wait_for_url("**/console/questions/unit/")
    page.reload()
    page.click("[data-approve]")
    page.wait_for_selector('[data-status-badge]:has-text("Đã trả lời bằng văn bản")')

    # 5. After the briefing, the answer goes to both askers through the outbox and real SMTP.
    fresh()
    past = db.session.get(Event, event.id)
    past.starts_at, past.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    db.session.commit()
    page.goto(f"{live_server.url}/console/questions/events/{event.id}")
    page.click("[data-send-answers]")
    page.wait_for_selector(".alert-success")
    fresh()
    assert send_pending().sent == 2
    received = {recipients[0]: message for recipients, message in smtp_server.messages}
    assert set(received) == {"thutrang@thanhnien.vn", "cuong@vnexpress.net"}
    for message in received.values():
        body = message.get_body(("plain",)).get_content()
        assert ANSWER in body and "Cục Viễn thông" in body and QUESTION in body
        assert "Trả lời câu hỏi của bạn" in message["Subject"]

    # 6. Published on the public event page, and the record exported to DOCX.
    page.goto(f"{live_server.url}/console/questions/{kept.id}")
    page.click("[data-publish]")
    page.wait_for_selector("[data-published]")
    public = contexts()
    public.goto(f"{live_server.url}/events/{event.id}")
    record = public.locator("[data-question-record]")
    assert QUESTION in record.inner_text() and ANSWER in record.inner_text()
    assert "Cục Viễn thông" in record.inner_text()
    with page.expect_download() as download:
        page.goto(f"{live_server.url}/console/questions/events/{event.id}")
        page.click("[data-export-docx]")
    text = "\n".join(p.text for p in Document(io.BytesIO(download.value.path().read_bytes())).paragraphs)
    assert QUESTION in text and ANSWER in text and "Cục Viễn thông" in text
    fresh()
    answer = db.session.scalar(sa.select(QuestionAnswer))
    assert answer.status == AnswerStatus.APPROVED and answer.document_name == "Trả lời Cục Viễn thông.pdf"


def test_the_live_path_on_a_phone(app, live_server, contexts,  # noqa: F811
                                  make_event, make_person, make_registration,
                                  make_user) -> None:
    app.config["ATTENDANCE_POLL_SECONDS"] = 1
    event = make_event(title="Hội nghị tập huấn kỹ năng phát ngôn", starts_in=timedelta(minutes=-20),
                       duration=timedelta(hours=3))
    make_user(Role.ORGANISER, email="dieuhanh@mic.gov.vn")
    registration = make_registration(event, make_person("Phạm Thu Dung", email="dung@baochinhphu.vn"))
    token = issue_ticket(registration)
    db.session.commit()

    moderator = contexts(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(moderator, live_server.url, "dieuhanh@mic.gov.vn", r".*/console/$")
    moderator.goto(f"{live_server.url}/console/questions/events/{event.id}/live")
    assert moderator.locator("[data-live-question]").count() == 0
    projector = moderator.context.new_page()
    projector.set_viewport_size({"width": 1366, "height": 768})
    projector.goto(f"{live_server.url}/console/questions/events/{event.id}/projector")
    assert projector.locator("[data-projector-waiting]").is_visible()

    # Asked from the ticket page on a phone while the event is on.
    journalist = contexts(viewport=PHONE, is_mobile=True, has_touch=True)
    journalist.goto(f"{live_server.url}/ticket/{token}")
    card = journalist.locator("[data-question-card]")
    assert card.get_attribute("data-asking") == "live"
    card.locator("textarea[name=text]").fill("Người phát ngôn cần trả lời trong bao lâu khi có khủng hoảng truyền thông?")
    card.locator("button[type=submit]").tap()
    journalist.wait_for_selector("[data-my-question]")

    # It appears on the moderator's phone without a reload.
    row = moderator.locator("[data-live-question]").first
    row.wait_for(timeout=15000)
    assert "khủng hoảng truyền thông" in row.inner_text()
    assert moderator.evaluate("performance.getEntriesByType('navigation').length") == 1
    no_sideways_scroll(moderator)
    row.locator("[data-live-start]").tap()
    moderator.wait_for_selector('[data-live-question][data-state="being_answered"]')

    # The projector shows it in large type, then "waiting" once answered on stage.
    shown = projector.locator("[data-projector-text]")
    # A locator wait, not wait_for_function: polling a string predicate needs eval, which the CSP forbids.
    expect(shown).to_contain_text("khủng hoảng", timeout=15000)
    assert float(shown.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 40
    row = moderator.locator('[data-live-question][data-state="being_answered"]')
    row.locator("input[name=note]").fill("Cục trưởng Cục Báo chí")
    row.locator("[data-live-answered]").tap()
    moderator.wait_for_selector('[data-live-question][data-state="done"]')
    projector.wait_for_selector("[data-projector-waiting]:visible", timeout=15000)
    fresh()
    question = db.session.scalar(sa.select(Question))
    assert question.status == QuestionStatus.ANSWERED_ON_STAGE and question.asked_live
    assert question.answered_by_note == "Cục trưởng Cục Báo chí"
