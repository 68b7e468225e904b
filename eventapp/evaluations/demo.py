"""Demo data: the past training's questionnaire and the answers of most of its attendees and of two sites.

Idempotent (nothing is added once the questionnaire exists). Called by one line of `eventapp/demo.py`,
after the materials' demo has made the past training.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa

from eventapp.directory.models import Site
from eventapp.evaluations.models import (
    DayAfterEmail,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    QuestionKind,
    Respondent,
)
from eventapp.extensions import db
from eventapp.materials.demo import past_training
from eventapp.registrations.models import Registration

FORMATS = ("Trực tiếp tại hội trường", "Trực tuyến qua điểm cầu", "Kết hợp cả hai")
COMMENTS = (
    "Bài tham luận về kỹ năng phát ngôn rất thiết thực, mong có thêm tình huống thực tế.",
    "Đề nghị gửi tài liệu trước một tuần để điểm cầu chuẩn bị.",
    "Đường truyền tới điểm cầu ổn định, âm thanh rõ.",
    "Nên dành thêm thời gian cho phần hỏi đáp với các Sở.",
    "Phần an toàn thông tin rất bổ ích, đề nghị tổ chức chuyên đề riêng về lừa đảo trực tuyến.",
)


def _stable(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


def _questions(event_id: int, talks: list) -> list[EvaluationQuestion]:
    questions = [EvaluationQuestion(event_id=event_id, position=i + 1, kind=QuestionKind.RATING,
                                    agenda_item_id=item.id,
                                    prompt=f"Bài tham luận “{item.title}” hữu ích với anh/chị ở mức nào?")
                 for i, item in enumerate(talks)]
    questions.append(EvaluationQuestion(event_id=event_id, position=len(talks) + 1, kind=QuestionKind.CHOICE,
                                        prompt="Hình thức tổ chức phù hợp nhất cho lần sau?",
                                        options_text="\n".join(FORMATS)))
    questions.append(EvaluationQuestion(event_id=event_id, position=len(talks) + 2, kind=QuestionKind.TEXT,
                                        prompt="Góp ý để hội nghị lần sau tốt hơn"))
    db.session.add_all(questions)
    db.session.flush()
    return questions


def _answers(questions: list[EvaluationQuestion], seed: object) -> list[EvaluationAnswer]:
    answers = []
    for question in questions:
        n = _stable(seed, question.id)
        if question.kind == QuestionKind.RATING:
            # Mostly 4s and 5s, a talk or two less liked: the charts have something to say.
            rating = 5 - (n % 7 == 0) - (n % 3 == 0) - (question.position % 4 == 0 and n % 2 == 0)
            answers.append(EvaluationAnswer(question_id=question.id, rating=max(rating, 1)))
        elif question.kind == QuestionKind.CHOICE:
            answers.append(EvaluationAnswer(question_id=question.id, choice=FORMATS[n % len(FORMATS)]))
        elif n % 3 == 0:
            answers.append(EvaluationAnswer(question_id=question.id, text=COMMENTS[n % len(COMMENTS)]))
    return answers


def load(now: datetime) -> None:
    event = past_training()
    if event is None or db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationQuestion)
                                          .where(EvaluationQuestion.event_id == event.id)):
        return
    questions = _questions(event.id, list(event.agenda_items[2:8]))
    attendees = db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.checked_in_at.is_not(None)).order_by(Registration.id)).all()
    answered_at = event.ends_at + timedelta(hours=20)
    for registration in attendees:
        # The day-after e-mail went to every attendee; about three in four answered.
        db.session.add(DayAfterEmail(registration_id=registration.id, queued_at=event.ends_at + timedelta(hours=16)))
        if _stable("answers", registration.id) % 4 == 0:
            continue
        db.session.add(EvaluationResponse(
            event_id=event.id, respondent=Respondent.ATTENDEE, respondent_key=f"r{registration.id}",
            registration_id=registration.id, site_id=registration.site_id,
            submitted_at=answered_at + timedelta(minutes=_stable("t", registration.id) % 600),
            answers=_answers(questions, registration.id)))
    for code in ("P22", "P48"):
        site = db.session.scalar(sa.select(Site).where(Site.code == code))
        if site is not None:
            db.session.add(EvaluationResponse(
                event_id=event.id, respondent=Respondent.SITE, respondent_key=f"s{site.id}", site_id=site.id,
                submitted_at=answered_at + timedelta(hours=2), answers=_answers(questions, code)))
    db.session.flush()
