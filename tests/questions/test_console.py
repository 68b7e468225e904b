"""The console screens: the organiser's queue and question page, the unit respondent's world (their
unit's questions and nothing else), documents, the event page's record, DOCX and reports."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from docx import Document

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.questions import answering, services
from eventapp.questions.models import AnswerStatus, Handling, QuestionStatus


def _assigned(ask, event, unit, organiser, text="Về an toàn thông tin mạng?", **values):
    question = ask(event, text, **values)
    services.assign(question, unit_ids=[unit.id], handling=Handling.WRITTEN,
                    due_on=datetime.now(UTC).date() + timedelta(days=2), actor=organiser)
    db.session.commit()
    return question


def test_organiser_triages_through_the_screens(client, login, organiser, make_event, ask, make_unit) -> None:
    login(organiser)
    event = make_event()
    question = ask(event, "Về <b>báo chí</b>?")
    unit = make_unit("Cục Báo chí")
    db.session.commit()
    queue = client.get(f"/console/questions/events/{event.id}").get_data(as_text=True)
    assert f'data-question="{question.id}"' in queue and "&lt;b&gt;báo chí" in queue
    # Before the event ends there is no "send now" button that would send nothing: the page says when.
    assert "data-answers-wait" in queue and "data-send-answers" not in queue
    page = client.get(f"/console/questions/{question.id}")
    assert page.status_code == 200 and "Cục Báo chí" in page.get_data(as_text=True)
    # invalid: a written answer without a due date: 422, the choices kept
    refused = client.post(f"/console/questions/{question.id}/assign",
                          data={"assign-handling": "written", "assign-unit_ids": str(unit.id)})
    assert refused.status_code == 422 and "is-invalid" in refused.get_data(as_text=True) or \
        "invalid-feedback" in refused.get_data(as_text=True)
    due = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    response = client.post(f"/console/questions/{question.id}/assign",
                           data={"assign-handling": "written", "assign-unit_ids": str(unit.id), "assign-due_on": due})
    assert response.status_code == 302
    db.session.expire_all()
    assert question.status == QuestionStatus.ASSIGNED and question.assignments[0].unit_id == unit.id
    edited = client.post(f"/console/questions/{question.id}/edit",
                         data={"edit-text": "Về Luật Báo chí?", "edit-topic": ""})
    assert edited.status_code == 302
    declined = client.post(f"/console/questions/{question.id}/decline", data={"decline-reason": ""})
    assert declined.status_code == 422
    db.session.expire_all()
    assert question.text == "Về Luật Báo chí?" and question.original_text == "Về <b>báo chí</b>?"
    assert question.status == QuestionStatus.ASSIGNED
    assert client.get("/console/questions/999999").status_code == 404


def test_a_unit_respondent_sees_only_their_units_questions_and_nothing_else(
        client, login, organiser, make_event, ask, make_unit, make_user, documents_folder, app) -> None:
    event = make_event()
    mine, theirs = make_unit("Cục Báo chí"), make_unit("Cục An toàn thông tin")
    own = _assigned(ask, event, mine, organiser, "Câu hỏi cho Cục Báo chí")
    other = _assigned(ask, event, theirs, organiser, "Câu hỏi cho Cục An toàn thông tin")
    unassigned = ask(event, "Câu hỏi chưa phân công")
    db.session.commit()
    respondent = make_user(Role.UNIT_RESPONDENT, unit=mine)
    login(respondent)
    assert client.get("/console/").headers["Location"].endswith("/console/questions/unit/")
    listing = client.get("/console/questions/unit/").get_data(as_text=True)
    assert "Câu hỏi cho Cục Báo chí" in listing
    assert "Cục An toàn thông tin" not in listing and "chưa phân công" not in listing
    assert client.get(f"/console/questions/unit/assignments/{other.assignments[0].id}").status_code == 404
    for url in (f"/console/questions/events/{event.id}", f"/console/questions/{unassigned.id}",
                f"/console/questions/{own.id}", "/console/questions/", "/console/events/",
                "/console/registrations/", "/console/attendance/", "/console/directory/people",
                f"/console/questions/events/{event.id}/live.json"):
        assert client.get(url).status_code == 403, url
    nav = client.get("/console/questions/unit/").get_data(as_text=True)
    assert "/console/events/" not in nav and "/console/registrations/" not in nav
    # drafting with a document, then submitting
    assignment = own.assignments[0]
    response = client.post(f"/console/questions/unit/assignments/{assignment.id}", data={
        "text": "Bản nháp", "action": "draft", "document": (io.BytesIO(b"%PDF-1.4 x"), "Văn bản trả lời.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    bad = client.post(f"/console/questions/unit/assignments/{assignment.id}", data={
        "text": "Giữ lại nội dung này", "action": "draft", "document": (io.BytesIO(b"MZ"), "x.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "Giữ lại nội dung này" in bad.get_data(as_text=True)
    app.config["QUESTION_DOCUMENT_MAX_BYTES"] = 20
    big = client.post(f"/console/questions/unit/assignments/{assignment.id}", data={
        "text": "x", "action": "draft", "document": (io.BytesIO(b"%PDF-" + b"0" * 100), "lớn.pdf")},
        content_type="multipart/form-data")
    app.config.pop("QUESTION_DOCUMENT_MAX_BYTES")
    assert big.status_code == 422
    db.session.expire_all()
    answer = assignment.answer
    assert answer.document_name == "Văn bản trả lời.pdf"
    document = client.get(f"/console/questions/answers/{answer.id}/document")
    assert document.status_code == 200 and document.data == b"%PDF-1.4 x"
    assert client.post(f"/console/questions/unit/assignments/{assignment.id}",
                       data={"text": "Trả lời chính thức", "action": "submit"}).status_code == 302
    db.session.expire_all()
    assert assignment.answer.status == AnswerStatus.SUBMITTED
    other_answer = answering.save(other.assignments[0], text="Khác", upload=None, submit=False, actor=None)
    db.session.commit()
    assert client.get(f"/console/questions/answers/{other_answer.id}/document").status_code == 404


def test_published_record_on_the_event_page_and_docx_keep_vietnamese(client, login, organiser, make_event, ask,
                                                                     make_unit) -> None:
    event = make_event(title="Họp báo thường kỳ tháng Mười Hai")
    unit = make_unit("Cục Chuyển đổi số quốc gia")
    question = _assigned(ask, event, unit, organiser, "Tỷ lệ dịch vụ công trực tuyến toàn trình đạt bao nhiêu?")
    answer = answering.save(question.assignments[0], text="Đạt 54,1% — tăng mạnh so với năm trước.", upload=None,
                            submit=True, actor=None)
    answering.approve(answer, actor=organiser)
    hidden = ask(event, "Câu chưa công bố")
    db.session.commit()
    assert "data-question-record" not in client.get(f"/events/{event.id}").get_data(as_text=True)
    login(organiser)
    assert client.post(f"/console/questions/{question.id}/publish", data={"published": "1"}).status_code == 302
    assert client.post(f"/console/questions/{hidden.id}/publish", data={"published": "1"}).status_code == 303
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Tỷ lệ dịch vụ công trực tuyến toàn trình đạt bao nhiêu?" in page
    assert "Đạt 54,1% — tăng mạnh so với năm trước." in page and "Cục Chuyển đổi số quốc gia" in page
    assert "Câu chưa công bố" not in page
    response = client.get(f"/console/questions/events/{event.id}/export.docx")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith('.docx"')
    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "Họp báo thường kỳ tháng Mười Hai" in text
    assert "Tỷ lệ dịch vụ công trực tuyến toàn trình đạt bao nhiêu?" in text
    assert "Cục Chuyển đổi số quốc gia" in text and "Đạt 54,1% — tăng mạnh so với năm trước." in text
    assert "Câu chưa công bố" not in text  # the record holds answered questions only
    csv_text = client.get(f"/console/questions/events/{event.id}/export.csv").data.decode("utf-8-sig")
    assert "Câu chưa công bố" in csv_text and "Tỷ lệ dịch vụ công" in csv_text


def test_report_counts_per_state_unit_outlet_and_site(client, login, organiser, make_event, ask, make_unit,
                                                      make_person, make_organisation, make_site) -> None:
    from eventapp.directory.models import OrganisationKind

    event = make_event()
    outlet = make_organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Tuổi Trẻ")
    unit = make_unit("Cục Báo chí")
    late = ask(event, "Quá hạn?", make_person(organisation_id=outlet.id))
    services.assign(late, unit_ids=[unit.id], handling=Handling.WRITTEN,
                    due_on=services.local_today() - timedelta(days=2), actor=organiser)
    done = _assigned(ask, event, unit, organiser, "Đã trả lời?")
    answering.approve(answering.save(done.assignments[0], text="Có", upload=None, submit=True, actor=None),
                      actor=organiser)
    site = make_site(name="Sở TT&TT Hà Nội")
    services.ask(event, text="Từ điểm cầu", via=services.AskedVia.COORDINATOR, site=site)
    db.session.commit()
    login(organiser)
    page = client.get(f"/console/questions/reports?event_id={event.id}").get_data(as_text=True)
    assert 'data-figure="received"' in page and "<svg" in page
    from eventapp.questions import reports

    figures = reports.build(event_id=event.id, today=services.local_today())
    assert (figures.received, figures.in_writing, figures.overdue, figures.open) == (3, 1, 1, 2)
    assert figures.units[0].name == "Cục Báo chí" and figures.units[0].assigned == 2
    assert figures.units[0].answered == 1 and figures.units[0].median_days is not None
    assert figures.outlets == [("Báo Tuổi Trẻ", 1)] and figures.sites == [("Sở TT&TT Hà Nội", 1)]
    assert client.get("/console/questions/reports?start=2027-02-01&end=2027-01-01").status_code == 422
    assert client.get("/console/questions/reports?event_id=abc").status_code in (200, 422)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(type(late))) == 3


def test_absurd_dates_are_refused_not_a_500(client, login, organiser, make_event, ask, make_unit) -> None:
    event = make_event()
    question = ask(event)
    unit = make_unit()
    db.session.commit()
    login(organiser)
    for query in ("start=0001-01-01", "end=9999-12-31", "start=2027-13-45"):
        assert client.get(f"/console/questions/reports?{query}").status_code == 422, query
    deadline = client.post(f"/console/questions/events/{event.id}/deadline", data={"closes_at": "9999-12-31T23:59"})
    assert deadline.status_code == 422 and "9999-12-31T23:59" in deadline.get_data(as_text=True)
    assigned = client.post(f"/console/questions/{question.id}/assign", data={
        "assign-handling": "written", "assign-unit_ids": str(unit.id), "assign-due_on": "0001-01-01"})
    assert assigned.status_code == 422
    assert services.settings(event) is None and question.assignments == []


def test_an_admin_creates_a_unit_respondent_bound_to_a_ministry_unit(client, login, make_user, make_unit,
                                                                    make_organisation) -> None:
    from eventapp.accounts.models import User

    unit = make_unit("Cục Báo chí")
    outlet = make_organisation(name="Không phải đơn vị của Bộ")
    login(make_user(Role.ADMIN))
    form = {"email": "phongvien@cbc.gov.vn", "full_name": "Cán bộ Cục Báo chí", "role": "unit_respondent",
            "site_id": "", "organisation_id": "", "password": ""}
    unbound = client.post("/console/users/new", data={**form, "unit_id": ""})
    assert unbound.status_code == 422 and "Cán bộ Cục Báo chí" in unbound.get_data(as_text=True)
    wrong = client.post("/console/users/new", data={**form, "unit_id": str(outlet.id)})
    assert wrong.status_code == 422
    assert client.post("/console/users/new", data={**form, "unit_id": str(unit.id)}).status_code == 200
    user = db.session.scalar(sa.select(User).where(User.email == "phongvien@cbc.gov.vn"))
    assert user.role == Role.UNIT_RESPONDENT and user.unit_id == unit.id and user.site_id is None
