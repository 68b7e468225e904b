"""Demo questions: the next press briefing holds questions in every state of the cycle, and the
Press Department (Cục Báo chí) has a unit respondent. Idempotent: an event that has questions is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from eventapp.accounts import services as accounts
from eventapp.accounts.models import Role, User
from eventapp.demo_content import SAMPLE_QUESTIONS
from eventapp.directory.models import Organisation, OrganisationKind, Site
from eventapp.events.models import Event, EventKind, EventStatus
from eventapp.extensions import db
from eventapp.questions import answering, live, services
from eventapp.questions.models import AskedVia, Handling, Question
from eventapp.registrations.models import Registration, RegistrationStatus

RESPONDENT_EMAIL = "cucbaochi@demo.eventapp.vn"
RESPONDENT_UNIT = "Cục Báo chí"


def _unit(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.MINISTRY_UNIT, Organisation.name == name))


def _respondent(password: str) -> User | None:
    unit = _unit(RESPONDENT_UNIT)
    if unit is None:
        return None
    found = accounts.find_user_by_email(RESPONDENT_EMAIL)
    return found or accounts.create_user(email=RESPONDENT_EMAIL, password=password, role=Role.UNIT_RESPONDENT,
                                         full_name="Phòng Thông tin (Cục Báo chí)", unit_id=unit.id)


def load_questions(now: datetime, password: str) -> None:
    """Questions new, merged, assigned (a draft, overdue, submitted, returned), answered in writing
    and published, declined, waiting for the stage, answered on stage; one from a site."""
    respondent = _respondent(password)
    organiser = db.session.scalar(sa.select(User).where(User.role == Role.ORGANISER).order_by(User.id).limit(1))
    event = db.session.scalar(sa.select(Event).where(
        Event.kind == EventKind.PRESS_BRIEFING, Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
        .order_by(Event.starts_at).limit(1))
    if respondent is None or event is None or db.session.scalar(
            sa.select(sa.exists().where(Question.event_id == event.id))):
        return
    registrations = list(db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.APPROVED)
        .order_by(Registration.id).limit(10)))
    if len(registrations) < 10:
        return
    press, security, digital, telecom = (_unit("Cục Báo chí"), _unit("Cục An toàn thông tin"),
                                         _unit("Cục Chuyển đổi số quốc gia"), _unit("Cục Viễn thông"))
    if press is None or security is None or digital is None or telecom is None:
        return
    today = services.local_today(now)

    def ask(n: int, via: AskedVia = AskedVia.REGISTRATION, text: str | None = None) -> Question:
        registration = registrations[n]
        return services.ask(event, text=text or SAMPLE_QUESTIONS[n % len(SAMPLE_QUESTIONS)], via=via,
                            person=registration.person, registration=registration, now=now - timedelta(days=3 - n % 3))

    def written(question: Question, unit: Organisation, due_in: int) -> None:
        services.assign(question, unit_ids=[unit.id], handling=Handling.WRITTEN, due_on=today + timedelta(days=due_in),
                        actor=organiser, now=now - timedelta(days=2))

    ask(0)  # new
    kept = ask(5)  # the press network's planning, asked twice in other words
    duplicate = ask(1, AskedVia.TICKET, "Đến nay bao nhiêu cơ quan báo chí đã sắp xếp xong theo quy hoạch?")
    services.merge(duplicate, kept, actor=organiser)
    written(kept, press, 5)
    answering.save(kept.assignments[0], text="Dự thảo: Cục Báo chí đang tổng hợp số liệu.", upload=None,
                   submit=False, actor=respondent)
    written(ask(2, AskedVia.TICKET), security, -1)  # overdue, nothing drafted
    submitted = ask(3)
    written(submitted, telecom, 3)
    answering.save(submitted.assignments[0], text="Các nhà mạng đã chuẩn hóa thông tin thuê bao; thuê bao chưa "
                   "cập nhật bị tạm dừng chiều gọi đi sau khi được nhắc ba lần.", upload=None, submit=True, actor=None)
    returned = ask(4, AskedVia.TICKET)
    written(returned, telecom, 2)
    answer = answering.save(returned.assignments[0], text="Sóng 2G sẽ tắt theo từng đợt; Bộ hỗ trợ máy 4G cho hộ "
                            "nghèo.", upload=None, submit=True, actor=None)
    answering.return_answer(answer, comment="Xin nêu rõ mốc thời gian của từng đợt.", actor=organiser)
    approved = ask(6)
    written(approved, telecom, 1)
    answer = answering.save(approved.assignments[0], text="Bộ đã phối hợp với các nhà mạng chặn hơn 20 triệu cuộc "
                            "gọi rác và xử lý các thuê bao vi phạm.", upload=None, submit=True, actor=None)
    answering.approve(answer, actor=organiser, now=now)
    services.set_published(approved, True, actor=organiser)
    services.decline(ask(7), reason="Câu hỏi thuộc phạm vi của cơ quan khác; đã hướng dẫn phóng viên.", actor=organiser)
    services.assign(ask(8), unit_ids=[digital.id], handling=Handling.STAGE, due_on=None, actor=organiser)
    on_stage = ask(9)
    services.assign(on_stage, unit_ids=[security.id], handling=Handling.STAGE, due_on=None, actor=organiser)
    live.answered(on_stage, note="Cục trưởng Cục An toàn thông tin", actor=organiser, now=now)
    services.set_published(on_stage, True, actor=organiser)
    site = db.session.scalar(sa.select(Site).where(Site.code == "P01"))
    if site is not None:
        services.ask(event, text="Sở TT&TT Hà Nội đề nghị Bộ hướng dẫn cách đo mức độ hài lòng với dịch vụ công "
                     "trực tuyến.", via=AskedVia.COORDINATOR, site=site, now=now)
