"""Asking: with the registration (handed over by a signal), from the ticket page until the deadline,
live during the event, and by a site's coordinator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.audit import AuditEntry
from eventapp.extensions import db
from eventapp.questions import services
from eventapp.questions.models import (
    AskedVia,
    Handling,
    LiveState,
    Question,
    QuestionAsker,
    QuestionStatus,
)
from eventapp.registrations import tickets
from eventapp.registrations.models import Registration
from eventapp.registrations.tickets import issue_ticket
from tests.registrations.conftest import form_data


def test_the_registration_forms_question_becomes_a_question_with_its_asker(client, outlet, make_event) -> None:
    event = make_event()
    db.session.commit()
    response = client.post(f"/events/{event.id}/register",
                           data=form_data(outlet.id, questions="Khi nào sửa Luật Báo chí?"))
    assert response.status_code == 302
    question = db.session.scalar(sa.select(Question))
    assert question.text == question.original_text == "Khi nào sửa Luật Báo chí?"
    assert question.status == QuestionStatus.NEW and question.event_id == event.id
    [asker] = question.askers
    assert asker.asked_via == AskedVia.REGISTRATION and asker.person.email == "binh@baochi.vn"
    assert asker.outlet_id == outlet.id and asker.registration_id is not None
    # a duplicate submission changes nothing, so it files nothing either
    client.post(f"/events/{event.id}/register", data=form_data(outlet.id, questions="Lần hai?"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 1


def _ticket(make_registration, make_person, event):
    registration = make_registration(event, make_person())
    token = issue_ticket(registration)
    db.session.commit()
    return registration, token


def test_ticket_page_asks_until_the_deadline(client, make_event, make_registration, make_person) -> None:
    event = make_event()
    registration, token = _ticket(make_registration, make_person, event)
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert 'data-asking="advance"' in page
    response = client.post(f"/ticket/{token}/questions", data={"text": "  Về an toàn thông tin? ", "topic": "ATTT"})
    assert response.status_code == 302
    [question] = services.asked_by_registration(registration)
    assert question.text == "Về an toàn thông tin?" and question.topic == "ATTT"
    assert question.askers[0].asked_via == AskedVia.TICKET and not question.asked_live
    assert "Về an toàn thông tin?" in client.get(f"/ticket/{token}").get_data(as_text=True)
    # the organiser's deadline has passed: refused, what was typed is kept
    services.set_deadline(event, datetime.now(UTC) - timedelta(minutes=1), actor=None)
    db.session.commit()
    refused = client.post(f"/ticket/{token}/questions", data={"text": "Câu hỏi muộn"})
    assert refused.status_code == 422 and "Câu hỏi muộn" in refused.get_data(as_text=True)
    assert len(services.asked_by_registration(registration)) == 1
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "question.deadline")) is not None


def test_empty_or_huge_questions_are_refused_with_the_text_kept(client, make_event, make_registration,
                                                                 make_person) -> None:
    event = make_event()
    _registration, token = _ticket(make_registration, make_person, event)
    assert client.post(f"/ticket/{token}/questions", data={"text": "   "}).status_code == 422
    huge = client.post(f"/ticket/{token}/questions", data={"text": "ồ" * 2001})
    assert huge.status_code == 422 and "is-invalid" in huge.get_data(as_text=True)
    assert client.post("/ticket/not-a-token/questions", data={"text": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_during_the_event_a_question_goes_to_the_stage_queue(client, make_event, make_registration,
                                                             make_person) -> None:
    event = make_event(starts_in=timedelta(minutes=-30))
    registration, token = _ticket(make_registration, make_person, event)
    assert 'data-asking="live"' in client.get(f"/ticket/{token}").get_data(as_text=True)
    client.post(f"/ticket/{token}/questions", data={"text": "Câu hỏi tại hội trường"})
    [question] = services.asked_by_registration(registration)
    assert question.asked_live and question.handling == Handling.STAGE
    assert question.live_state == LiveState.QUEUED and question.askers[0].asked_via == AskedVia.LIVE


def test_after_the_event_and_for_cancelled_registrations_asking_is_closed(make_event, make_registration,
                                                                           make_person) -> None:
    over = make_event(starts_in=timedelta(days=-2))
    registration = make_registration(over, make_person())
    assert services.asking_state(over, datetime.now(UTC)) == "closed"
    try:
        services.ask_from_ticket(registration, text="x")
    except services.QuestionError as error:
        assert error.code == "closed"
    else:
        raise AssertionError("asked after the event")
    upcoming = make_event()
    cancelled = make_registration(upcoming, make_person(), status="cancelled")
    try:
        services.ask_from_ticket(cancelled, text="x")
    except services.QuestionError as error:
        assert error.code == "not_registered"
    else:
        raise AssertionError("a cancelled registration asked")


def test_a_coordinator_asks_for_their_own_site_only(client, login, make_user, make_site, make_event,
                                                    add_site_to_event) -> None:
    event = make_event(title="Hội nghị tập huấn")
    mine, other = make_site(name="Sở TT&TT Quảng Ninh"), make_site()
    add_site_to_event(event, mine)
    add_site_to_event(event, other)
    coordinator = make_user(Role.SITE_COORDINATOR, site=mine)
    login(coordinator)
    page = client.get(f"/console/site/{mine.id}/events/{event.id}").get_data(as_text=True)
    assert f"/console/questions/site/{mine.id}/events/{event.id}/ask" in page
    response = client.post(f"/console/questions/site/{mine.id}/events/{event.id}/ask",
                           data={"text": "Quảng Ninh hỏi về hạ tầng số?"})
    assert response.status_code == 302
    asker = db.session.scalar(sa.select(QuestionAsker))
    assert asker.site_id == mine.id and asker.person_id is None and asker.asked_by_user_id == coordinator.id
    assert asker.asked_via == AskedVia.COORDINATOR
    assert client.post(f"/console/questions/site/{other.id}/events/{event.id}/ask",
                       data={"text": "x"}).status_code == 404
    not_taking_part = make_event()
    db.session.commit()
    assert client.get(f"/console/questions/site/{mine.id}/events/{not_taking_part.id}/ask").status_code == 404


def test_an_asker_sees_why_their_question_was_declined(client, make_event, ask, make_user) -> None:
    question = ask(make_event(), "Câu hỏi ngoài phạm vi buổi họp báo?")
    services.decline(question, reason="Thuộc thẩm quyền của Bộ Tài chính.", actor=make_user(Role.ORGANISER))
    registration = db.session.get(Registration, question.askers[0].registration_id)
    token = tickets.current_ticket(registration)
    db.session.commit()
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert "data-decline-reason" in page and "Thuộc thẩm quyền của Bộ Tài chính." in page
