"""Attendees answer through their ticket link, once; coordinators answer for their site, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from eventapp.accounts.models import Role
from eventapp.evaluations.models import EvaluationAnswer, EvaluationResponse, Respondent
from eventapp.extensions import db
from eventapp.registrations.models import CheckinMethod


def _form(questions, rating="5", choice="Kết hợp", text="Rất bổ ích, cảm ơn Ban tổ chức!") -> dict:
    talks = [q for q in questions if q.kind.value == "rating"]
    data = {f"q{q.id}": rating for q in talks}
    data.update({f"q{q.id}": choice for q in questions if q.kind.value == "choice"})
    data.update({f"q{q.id}": text for q in questions if q.kind.value == "text"})
    return data


def test_an_attendee_answers_once_through_their_ticket(client, questionnaire, attendee) -> None:
    registration, token = attendee()
    ticket = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert f"/ticket/{token}/evaluation" in ticket
    page = client.get(f"/ticket/{token}/evaluation")
    assert page.status_code == 200 and "Kỹ năng phát ngôn" in page.get_data(as_text=True)
    assert client.post(f"/ticket/{token}/evaluation", data=_form(questionnaire)).status_code == 302
    response = db.session.query(EvaluationResponse).one()
    assert (response.respondent, response.registration_id) == (Respondent.ATTENDEE, registration.id)
    texts = {a.text for a in db.session.query(EvaluationAnswer) if a.text}
    assert texts == {"Rất bổ ích, cảm ơn Ban tổ chức!"}
    again = client.post(f"/ticket/{token}/evaluation", data=_form(questionnaire, rating="1"))
    assert again.status_code == 409
    assert "chỉ được trả lời một lần" in again.get_data(as_text=True)
    assert db.session.query(EvaluationResponse).count() == 1
    assert {a.rating for a in db.session.query(EvaluationAnswer) if a.rating} == {5}


def test_someone_marked_present_by_their_sites_roll_call_may_answer(client, questionnaire, attendee,
                                                                    make_site) -> None:
    site = make_site()
    _registration, token = attendee(site=site, method=CheckinMethod.ROLL_CALL)
    assert client.post(f"/ticket/{token}/evaluation", data=_form(questionnaire)).status_code == 302
    assert db.session.query(EvaluationResponse).one().site_id == site.id


def test_absentees_and_early_answers_are_refused(client, questionnaire, attendee, make_event,
                                                 past_training, organiser) -> None:
    _registration, absent_token = attendee(checked_in=False)
    page = client.post(f"/ticket/{absent_token}/evaluation", data=_form(questionnaire))
    assert page.status_code == 422 and "dành cho người đã tham dự" in page.get_data(as_text=True)
    past_training.ends_at = past_training.starts_at + timedelta(hours=8)  # not over yet
    db.session.commit()
    _registration, token = attendee()
    early = client.post(f"/ticket/{token}/evaluation", data=_form(questionnaire))
    assert early.status_code == 422
    assert db.session.query(EvaluationResponse).count() == 0
    assert client.get("/ticket/khong-co-that/evaluation").status_code == 404


def test_an_invalid_rating_is_refused_and_what_was_typed_is_kept(client, questionnaire, attendee) -> None:
    _registration, token = attendee()
    page = client.post(f"/ticket/{token}/evaluation", data=_form(questionnaire, rating="7",
                                                                  text="Nội dung đã gõ <b>đậm</b>"))
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Hãy chọn mức đánh giá từ 1 đến 5" in html
    assert "Nội dung đã gõ &lt;b&gt;đậm&lt;/b&gt;" in html
    assert db.session.query(EvaluationResponse).count() == 0
    empty = client.post(f"/ticket/{token}/evaluation", data={})
    assert empty.status_code == 422


def test_a_coordinator_answers_once_for_their_site_and_never_for_another(
        client, login, questionnaire, past_training, make_site, make_user, add_site_to_event) -> None:
    site, other = make_site(), make_site()
    add_site_to_event(past_training, site)
    db.session.commit()
    outsider = make_user(Role.SITE_COORDINATOR, site=other)
    login(outsider)
    url = f"/console/evaluations/sites/{site.id}/events/{past_training.id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data=_form(questionnaire)).status_code == 404
    own_url = f"/console/evaluations/sites/{other.id}/events/{past_training.id}"
    assert client.get(own_url).status_code == 404  # their site does not take part
    client.post("/logout")
    login(make_user(Role.SITE_COORDINATOR, site=site))
    site_page = client.get(f"/console/site/{site.id}/events/{past_training.id}").get_data(as_text=True)
    assert url in site_page
    assert client.post(url, data=_form(questionnaire)).status_code == 302
    assert client.post(url, data=_form(questionnaire)).status_code == 409
    response = db.session.query(EvaluationResponse).one()
    assert (response.respondent, response.site_id) == (Respondent.SITE, site.id)


def test_the_database_refuses_a_second_response_of_one_respondent(questionnaire, attendee, past_training) -> None:
    """The backstop under the service's check: two concurrent submissions cannot both land."""
    registration, _token = attendee()
    for _ in range(2):
        db.session.add(EvaluationResponse(event_id=past_training.id, respondent=Respondent.ATTENDEE,
                                          respondent_key=f"r{registration.id}", registration_id=registration.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
