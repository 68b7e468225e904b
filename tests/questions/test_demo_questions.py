"""The demo holds a briefing with questions in every state, and a unit respondent for them."""

from __future__ import annotations

import sqlalchemy as sa

from eventapp.accounts.models import Role, User
from eventapp.demo import load_demo
from eventapp.extensions import db
from eventapp.questions import services
from eventapp.questions.models import (
    AnswerStatus,
    AskedVia,
    Question,
    QuestionAnswer,
    QuestionAsker,
    QuestionStatus,
)


def test_the_demo_briefing_has_questions_in_every_state(app) -> None:
    load_demo()
    db.session.commit()
    questions = db.session.scalars(sa.select(Question)).all()
    assert len({q.event_id for q in questions}) == 1
    assert {q.status for q in questions} == set(QuestionStatus)
    assert set(db.session.scalars(sa.select(QuestionAnswer.status))) == set(AnswerStatus)
    assert any(q.is_overdue(services.local_today()) for q in questions)
    assert any(q.is_published for q in questions) and any(q.live_state for q in questions)
    assert set(db.session.scalars(sa.select(QuestionAsker.asked_via))) >= {AskedVia.REGISTRATION, AskedVia.TICKET,
                                                                          AskedVia.COORDINATOR}
    respondent = db.session.scalar(sa.select(User).where(User.role == Role.UNIT_RESPONDENT))
    assert respondent.unit.name == "Cục Báo chí"
    count = len(questions)
    load_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == count
