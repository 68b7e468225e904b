"""/api/v1 questions: organisers read every question with its states; a unit respondent only their
unit's (another's is a 404, others' drafts stay hidden); other roles 403; described in OpenAPI."""

from __future__ import annotations

from datetime import timedelta

from eventapp.accounts import api_tokens
from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.questions import answering, services
from eventapp.questions.models import Handling


def _bearer(user) -> dict[str, str]:
    secret = api_tokens.issue(user, "Thiết bị", actor=user)[1]
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_questions_api_is_scoped_like_the_console(client, make_event, ask, make_unit, make_user, organiser) -> None:
    event = make_event()
    mine, theirs = make_unit("Cục Báo chí"), make_unit("Cục An toàn thông tin")
    shared = ask(event, "Câu hỏi cho hai cục")
    services.assign(shared, unit_ids=[mine.id, theirs.id], handling=Handling.WRITTEN,
                    due_on=services.local_today() + timedelta(days=2), actor=organiser)
    answering.save(shared.assignments[1], text="Bản nháp của cục khác", upload=None, submit=False, actor=None)
    answering.save(shared.assignments[0], text="Bản nháp của tôi", upload=None, submit=False, actor=None)
    other = ask(event, "Chỉ cho Cục An toàn thông tin")
    services.assign(other, unit_ids=[theirs.id], handling=Handling.STAGE, due_on=None, actor=organiser)
    ask(event, "Chưa phân công")
    db.session.commit()

    everything = client.get(f"/api/v1/events/{event.id}/questions", headers=_bearer(organiser)).get_json()
    assert [q["text"] for q in everything["items"]] == ["Câu hỏi cho hai cục", "Chỉ cho Cục An toàn thông tin",
                                                          "Chưa phân công"]
    assert everything["items"][0]["assignments"][1]["answer"] == "Bản nháp của cục khác"
    filtered = client.get(f"/api/v1/events/{event.id}/questions?status=new", headers=_bearer(organiser))
    assert [q["status"] for q in filtered.get_json()["items"]] == ["new"]
    assert client.get(f"/api/v1/events/{event.id}/questions?status=x", headers=_bearer(organiser)).status_code == 400

    unit_headers = _bearer(make_user(Role.UNIT_RESPONDENT, unit=mine))
    scoped = client.get(f"/api/v1/events/{event.id}/questions", headers=unit_headers).get_json()["items"]
    assert [q["id"] for q in scoped] == [shared.id]
    answers = {a["unit"]: a["answer"] for a in scoped[0]["assignments"]}
    assert answers == {"Cục Báo chí": "Bản nháp của tôi", "Cục An toàn thông tin": None}
    assert client.get(f"/api/v1/questions/{other.id}", headers=unit_headers).status_code == 404
    assert client.get(f"/api/v1/questions/{shared.id}", headers=unit_headers).get_json()["id"] == shared.id
    checkin = _bearer(make_user(Role.CHECKIN_STAFF))
    assert client.get(f"/api/v1/questions/{shared.id}", headers=checkin).status_code == 403
    assert client.get(f"/api/v1/questions/{shared.id}").status_code == 401
    assert client.get("/api/v1/events/999999/questions", headers=_bearer(organiser)).status_code == 404


def test_the_openapi_document_describes_the_questions(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/events/{event_id}/questions", "/questions/{question_id}"):
        (operation,) = document["paths"][path].values()
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"200", "401", "403", "404"} <= set(operation["responses"])
    assert "Question" in document["components"]["schemas"]
