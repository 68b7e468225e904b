"""Builders for the question cycle: ministry units, a unit respondent, a question asked by a registrant."""

from __future__ import annotations

import pytest

from eventapp.accounts.models import Role
from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.extensions import db
from eventapp.questions import services
from eventapp.questions.models import AskedVia, Question


@pytest.fixture
def make_unit(app, seq):
    def build(name: str | None = None) -> Organisation:
        unit = Organisation(kind=OrganisationKind.MINISTRY_UNIT, name=name or f"Cục thử nghiệm {seq()}")
        db.session.add(unit)
        db.session.flush()
        return unit
    return build


@pytest.fixture
def ask(make_registration, make_person):
    """A question asked from a registrant's ticket page (or with `via`)."""
    def build(event, text: str = "Bộ có kế hoạch gì về chuyển đổi số?", person=None,
              via: AskedVia = AskedVia.TICKET, **values) -> Question:
        registration = make_registration(event, person or make_person())
        return services.ask(event, text=text, via=via, person=registration.person, registration=registration,
                            **values)
    return build


@pytest.fixture
def documents_folder(app, tmp_path):
    """Uploaded documents go to a throwaway folder, not the checkout's instance/."""
    previous = app.config.get("QUESTION_DOCUMENTS_FOLDER")
    app.config["QUESTION_DOCUMENTS_FOLDER"] = str(tmp_path / "documents")
    yield tmp_path / "documents"
    app.config["QUESTION_DOCUMENTS_FOLDER"] = previous


@pytest.fixture
def organiser(make_user):
    return make_user(Role.ORGANISER)


@pytest.fixture
def outlet(app) -> Organisation:
    org = Organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Nhân Dân")
    db.session.add(org)
    db.session.commit()
    return org
