"""Builders for evaluation tests: a past training with talks, a questionnaire and attendees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventapp.accounts.models import Role
from eventapp.evaluations import services
from eventapp.evaluations.models import QuestionKind
from eventapp.events.models import AgendaItem, EventKind, EventMode
from eventapp.extensions import db
from eventapp.registrations.models import CheckinMethod
from eventapp.registrations.tickets import current_ticket


@pytest.fixture
def organiser(make_user):
    return make_user(Role.ORGANISER)


@pytest.fixture
def past_training(make_event):
    """A hybrid training that ended an hour ago, with two talks."""
    event = make_event(title="Hội nghị tập huấn kỹ năng truyền thông", kind=EventKind.TRAINING,
                       mode=EventMode.HYBRID, starts_in=-timedelta(hours=5), duration=timedelta(hours=4))
    for position, title in enumerate(("Kỹ năng phát ngôn", "An toàn thông tin")):
        db.session.add(AgendaItem(event_id=event.id, position=position, title=title, speaker="Ông Nguyễn Văn Bình",
                                  starts_at=event.starts_at + timedelta(hours=position),
                                  ends_at=event.starts_at + timedelta(hours=position + 1)))
    db.session.flush()
    return event


@pytest.fixture
def questionnaire(past_training, organiser):
    """A rating per talk, one single choice and one free text."""
    services.add_talk_ratings(past_training, lambda item: f"Đánh giá bài “{item.title}”", organiser)
    services.add_question(past_training, kind=QuestionKind.CHOICE, prompt="Hình thức phù hợp nhất?",
                          options="Trực tiếp\nTrực tuyến\nKết hợp", actor=organiser)
    services.add_question(past_training, kind=QuestionKind.TEXT, prompt="Góp ý của anh/chị", actor=organiser)
    db.session.commit()
    return services.questions(past_training)


@pytest.fixture
def attendee(make_registration, past_training):
    """(registration, ticket token) of someone checked in at the door."""
    def build(event=None, checked_in: bool = True, site=None, method=CheckinMethod.SCAN, **person):
        registration = make_registration(event or past_training, site=site,
                                         checked_in_at=datetime.now(UTC) - timedelta(hours=4) if checked_in else None,
                                         checkin_method=method if checked_in else None)
        token = current_ticket(registration)
        db.session.commit()
        return registration, token
    return build
