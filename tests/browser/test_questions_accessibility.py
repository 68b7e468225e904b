"""axe-core on the question cycle's screens used under pressure: the ticket's question card during
the event, the moderator's phone, the projector, and the organiser's question page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from eventapp.extensions import db
from eventapp.questions import live, services
from eventapp.questions.models import AskedVia
from eventapp.registrations.models import Registration
from tests.browser.test_accessibility import SIZES, assert_no_violations, audit, scene  # noqa: F401 - fixtures
from tests.browser.test_attendance import _fresh_rate_limits  # noqa: F401 - an autouse fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def asked(scene):  # noqa: F811 - the imported fixture, extended
    registration = db.session.scalar(sa.select(Registration).where(Registration.event_id == scene["event"].id)
                                     .order_by(Registration.id.desc()).limit(1))
    question = services.ask(scene["event"], text="Người phát ngôn cần trả lời trong bao lâu?", via=AskedVia.LIVE,
                            person=registration.person, registration=registration)
    services.ask(scene["event"], text="Câu hỏi thứ hai từ hội trường", via=AskedVia.LIVE, person=registration.person,
                 registration=registration)
    live.start(question, actor=None)
    db.session.commit()
    return scene


@pytest.mark.parametrize("viewport", SIZES, ids=["phone", "laptop"])
def test_question_screens(audit, asked, viewport) -> None:  # noqa: F811
    event, organiser = asked["event"], asked["users"]["organiser"].email
    assert_no_violations(audit(f"/ticket/{asked['token']}", viewport, ready="[data-question-card]"),
                         "ticket with the question card")
    assert_no_violations(audit(f"/console/questions/events/{event.id}/live", viewport, organiser,
                               ready="[data-live-question]"), "moderator")
    assert_no_violations(audit(f"/console/questions/events/{event.id}/projector", viewport, organiser),
                         "projector")
    assert_no_violations(audit(f"/console/questions/events/{event.id}", viewport, organiser), "queue")
