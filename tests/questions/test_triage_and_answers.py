"""Triage (edit, merge, assign, decline), units' answers with documents, approval, e-mail to askers,
reminders, publication, every change in the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.audit import AuditEntry
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.questions import answering, delivery, documents, live, services
from eventapp.questions.models import AnswerStatus, Handling, QuestionStatus
from tests.materials.conftest import ooxml_bytes, png_bytes

PDF = b"%PDF-1.4\n%test\n"


def _audit(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_edit_keeps_the_askers_words_and_merge_keeps_every_asker(make_event, ask, make_person, organiser) -> None:
    event = make_event()
    kept = ask(event, "Bộ có kế hoạch gì về chuyển đổi số?", make_person("Nguyễn Văn An"))
    duplicate = ask(event, "chuyển đổi số thế nào ạ", make_person("Trần Thị Bình"))
    services.edit(kept, text="Kế hoạch chuyển đổi số năm 2027 của Bộ?", topic="Chuyển đổi số",
                  agenda_item_id=None, actor=organiser)
    assert kept.original_text == "Bộ có kế hoạch gì về chuyển đổi số?" and kept.was_edited
    services.merge(duplicate, kept, actor=organiser)
    assert duplicate.status == QuestionStatus.MERGED and duplicate.merged_into_id == kept.id
    assert [a.person.full_name for a in kept.askers] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert [a.text for a in kept.askers] == ["Bộ có kế hoạch gì về chuyển đổi số?", "chuyển đổi số thế nào ạ"]
    with pytest.raises(services.QuestionError):
        services.merge(kept, kept, actor=organiser)
    other_event_question = ask(make_event(title="Khác"))
    with pytest.raises(services.QuestionError):
        services.merge(other_event_question, kept, actor=organiser)
    assert _audit("question.edit") == 1 and _audit("question.merge") == 1


def test_merging_keeps_the_duplicates_units_and_says_so_on_the_kept_question(make_event, ask, make_unit,
                                                                             organiser) -> None:
    event = make_event()
    kept, duplicate = ask(event, "Chuyển đổi số năm 2027?"), ask(event, "Chuyển đổi số năm tới ra sao?")
    digital, press = make_unit("Cục Chuyển đổi số quốc gia"), make_unit("Cục Báo chí")
    due = date(2027, 1, 20)
    services.assign(duplicate, unit_ids=[digital.id, press.id], handling=Handling.WRITTEN, due_on=due,
                    actor=organiser)
    services.merge(duplicate, kept, actor=organiser)
    # Nothing the organiser decided is dropped: both units now hold the kept question, same due date.
    assert sorted((a.unit.name, a.due_on) for a in kept.assignments) == [
        ("Cục Báo chí", due), ("Cục Chuyển đổi số quốc gia", due)]
    assert kept.status == QuestionStatus.ASSIGNED and kept.handling == Handling.WRITTEN
    assert duplicate.assignments == []
    assert _audit("question.merged_in") == 1
    # A unit the kept question already has is not given it twice.
    third = ask(event, "Lại chuyển đổi số?")
    services.assign(third, unit_ids=[press.id], handling=Handling.WRITTEN, due_on=due, actor=organiser)
    services.merge(third, kept, actor=organiser)
    assert len(kept.assignments) == 2


def test_assign_needs_units_and_a_due_date_for_writing_and_decline_needs_a_reason(make_event, ask, make_unit,
                                                                                  organiser) -> None:
    question = ask(make_event())
    press, security = make_unit("Cục Báo chí"), make_unit("Cục An toàn thông tin")
    with pytest.raises(services.QuestionError) as error:
        services.assign(question, unit_ids=[], handling=Handling.WRITTEN, due_on=None, actor=organiser)
    assert error.value.code == "unit_required"
    with pytest.raises(services.QuestionError) as error:
        services.assign(question, unit_ids=[press.id], handling=Handling.WRITTEN, due_on=None, actor=organiser)
    assert error.value.code == "due_required"
    due = datetime.now(UTC).date() + timedelta(days=3)
    services.assign(question, unit_ids=[press.id, security.id], handling=Handling.WRITTEN, due_on=due, actor=organiser)
    assert question.status == QuestionStatus.ASSIGNED and {a.unit.name for a in question.assignments} == {
        "Cục Báo chí", "Cục An toàn thông tin"}
    services.assign(question, unit_ids=[press.id], handling=Handling.STAGE, due_on=None, actor=organiser)
    assert [a.unit_id for a in question.assignments] == [press.id] and question.handling == Handling.STAGE
    other = ask(make_event(title="Khác"))
    with pytest.raises(services.QuestionError):
        services.decline(other, reason="  ", actor=organiser)
    services.decline(other, reason="Ngoài phạm vi", actor=organiser)
    assert other.status == QuestionStatus.DECLINED and _audit("question.decline") == 1
    with pytest.raises(services.QuestionError):
        services.assign(other, unit_ids=[press.id], handling=Handling.STAGE, due_on=None, actor=organiser)


def test_a_unit_drafts_submits_is_returned_then_approved_and_both_askers_get_the_answer(
        make_event, ask, make_person, make_unit, make_user, organiser, documents_folder) -> None:
    event = make_event(starts_in=timedelta(days=-1))  # over: the answer goes out at approval
    first = ask(event, "Về Luật Báo chí sửa đổi?", make_person("Nguyễn Văn An", email="an@baochi.vn"))
    second = ask(event, "Luật Báo chí khi nào?", make_person("Trần Thị Bình", email="binh@baochi.vn"))
    services.merge(second, first, actor=organiser)
    unit = make_unit("Cục Báo chí")
    respondent = make_user(Role.UNIT_RESPONDENT, unit=unit)
    services.assign(first, unit_ids=[unit.id], handling=Handling.WRITTEN, due_on=datetime.now(UTC).date(),
                    actor=organiser)
    assignment = first.assignments[0]
    with pytest.raises(services.QuestionError) as error:
        answering.save(assignment, text="x", upload=documents.Upload("virus.exe", b"MZ\x90"), submit=False,
                       actor=respondent)
    assert error.value.code == "document_type"
    with pytest.raises(services.QuestionError) as error:
        answering.save(assignment, text="x", upload=documents.Upload("giả.pdf", b"not a pdf"), submit=False,
                       actor=respondent)
    assert error.value.code == "document_type"
    answer = answering.save(assignment, text="Dự thảo", upload=documents.Upload("Trả lời.pdf", PDF), submit=False,
                            actor=respondent)
    assert answer.status == AnswerStatus.DRAFT and answer.document_name == "Trả lời.pdf"
    assert (documents_folder / answer.document_key).read_bytes() == PDF
    with pytest.raises(services.QuestionError):
        answering.save(assignment, text="  ", upload=None, submit=True, actor=respondent)
    answering.save(assignment, text="Dự thảo Luật Báo chí (sửa đổi) trình Quốc hội năm 2027.", upload=None,
                   submit=True, actor=respondent)
    answering.return_answer(answer, comment="Bổ sung thời điểm cụ thể.", actor=organiser)
    assert answer.status == AnswerStatus.RETURNED and first.status == QuestionStatus.ASSIGNED
    answering.save(assignment, text="Trình Quốc hội tại kỳ họp tháng 5/2027.", upload=None, submit=True,
                   actor=respondent)
    answering.approve(answer, actor=organiser)
    db.session.flush()
    assert first.status == QuestionStatus.ANSWERED and first.answers_sent_at is not None
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == delivery.ANSWER)).all()
    assert sorted(m.to_address for m in mails) == ["an@baochi.vn", "binh@baochi.vn"]
    assert all("Trình Quốc hội tại kỳ họp tháng 5/2027." in m.body_text and "Cục Báo chí" in m.body_text
               for m in mails)
    assert delivery.send_answers(first) == 0  # once
    for action in ("answer.draft", "answer.submit", "answer.return", "answer.approve", "question.answered"):
        assert _audit(action) >= 1, action


@pytest.mark.parametrize(("name", "data"), [
    ("tra-loi.docx", ooxml_bytes("word/document.xml", "word/vbaProject.bin")),  # macros
    ("../../tra-loi.docx", ooxml_bytes("content.xml")),                           # a zip, no Word document
    ("bang.pdf", b"<html><script>alert(1)</script></html>"),                     # a web page renamed .pdf
    ("anh.pdf", png_bytes()),                                                     # a picture named .pdf
])
def test_answer_documents_are_read_from_their_bytes_as_materials_are(app, name: str, data: bytes) -> None:
    with pytest.raises(documents.DocumentError) as refused:
        documents.checked(documents.Upload(name, data))
    assert refused.value.code == "type"
    assert documents.checked(documents.Upload("../../Báo cáo.docx", ooxml_bytes("word/document.xml"))) == (
        "Báo cáo.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_answers_approved_before_the_event_wait_for_its_end(make_event, ask, make_unit, organiser) -> None:
    event = make_event()
    question = ask(event)
    unit = make_unit()
    services.assign(question, unit_ids=[unit.id], handling=Handling.WRITTEN, due_on=datetime.now(UTC).date(),
                    actor=organiser)
    answer = answering.save(question.assignments[0], text="Đã trả lời", upload=None, submit=True, actor=None)
    answering.approve(answer, actor=organiser)
    assert question.answers_sent_at is None
    assert delivery.send_due_answers() == 0
    assert delivery.send_due_answers(event.ends_at + timedelta(minutes=1)) == 1
    assert delivery.send_due_answers(event.ends_at + timedelta(hours=2)) == 0


def test_reminders_go_the_day_before_and_on_the_due_date_once_each(app, make_event, ask, make_unit, make_user,
                                                                    organiser) -> None:
    unit = make_unit("Cục Chuyển đổi số quốc gia")
    make_user(Role.UNIT_RESPONDENT, unit=unit, email="cds@mic.gov.vn")
    make_user(Role.UNIT_RESPONDENT, email="other-unit@mic.gov.vn")
    question = ask(make_event())
    due = datetime(2027, 3, 10).date()
    services.assign(question, unit_ids=[unit.id], handling=Handling.WRITTEN, due_on=due, actor=organiser)
    db.session.commit()
    runner = app.test_cli_runner()
    early = runner.invoke(args=["questions", "reminders", "--now", "2027-03-08T09:00+07:00"])
    assert "queued 0 reminders" in early.output
    assert "queued 1 reminders" in runner.invoke(args=["questions", "reminders", "--now", "2027-03-09T08:00+07:00"]).output
    assert "queued 0 reminders" in runner.invoke(args=["questions", "reminders", "--now", "2027-03-09T17:00+07:00"]).output
    assert "queued 1 reminders" in runner.invoke(args=["questions", "reminders", "--now", "2027-03-10T07:00+07:00"]).output
    assert "queued 0 reminders" in runner.invoke(args=["questions", "reminders", "--now", "2027-03-10T16:00+07:00"]).output
    mails = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.kind, m.to_address) for m in mails] == [(delivery.REMINDER_BEFORE, "cds@mic.gov.vn"),
                                                       (delivery.REMINDER_DUE, "cds@mic.gov.vn")]
    assert mails[1].subject.startswith("Đến hạn hôm nay")
    # a unit without a respondent account is reminded at its own address
    lone = make_unit("Cục Tin học hóa")
    lone.email = "cth@mic.gov.vn"
    other = ask(make_event(title="Khác"))
    services.assign(other, unit_ids=[lone.id], handling=Handling.WRITTEN, due_on=due, actor=organiser)
    db.session.commit()
    assert "queued 1 reminders" in runner.invoke(args=["questions", "reminders", "--now", "2027-03-10T08:00+07:00"]).output
    assert db.session.scalars(sa.select(OutboxMessage.to_address).order_by(OutboxMessage.id.desc())).first() == \
        "cth@mic.gov.vn"


def test_overdue_is_past_the_due_date_without_a_submitted_answer(make_event, ask, make_unit, organiser) -> None:
    question = ask(make_event())
    unit = make_unit()
    yesterday = services.local_today() - timedelta(days=1)
    services.assign(question, unit_ids=[unit.id], handling=Handling.WRITTEN, due_on=yesterday, actor=organiser)
    assert question.is_overdue(services.local_today())
    answering.save(question.assignments[0], text="Đã gửi", upload=None, submit=True, actor=None)
    assert not question.is_overdue(services.local_today())


def test_live_queue_start_and_answer_on_stage(make_event, ask, organiser) -> None:
    event = make_event(starts_in=timedelta(minutes=-10))
    first, second = ask(event, "Câu một?", via=services.AskedVia.LIVE), ask(event, "Câu hai?", via=services.AskedVia.LIVE)
    assert [q.id for q in live.queue(event.id)] == [first.id, second.id]
    live.move(second, up=True, actor=organiser)
    assert [q.id for q in live.queue(event.id)] == [second.id, first.id]
    live.start(first, actor=organiser)
    live.start(second, actor=organiser)
    assert live.current(event.id) == second and first.live_state.value == "queued"
    live.answered(second, note="Thứ trưởng Nguyễn Văn C", actor=organiser)
    assert second.status == QuestionStatus.ANSWERED_ON_STAGE and live.current(event.id) is None
    assert second.answered_by_note == "Thứ trưởng Nguyễn Văn C"
    services.set_published(second, True, actor=organiser)
    with pytest.raises(services.QuestionError):
        services.set_published(first, True, actor=organiser)
    assert _audit("question.live_start") == 2 and _audit("question.answered_on_stage") == 1
