"""The question cycle's console: the organiser's triage, units' answers, the moderator and projector,
coordinators asking for their site, records and reports. One blueprint; the modules beside this
one add their screens to it (loaded by questions.setup)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint

from eventapp.accounts.models import Role
from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.extensions import db

bp = Blueprint("questions_console", __name__)

ORGANISERS = (Role.ADMIN, Role.ORGANISER)
UNIT_RESPONDENTS = (Role.UNIT_RESPONDENT,)
DOCUMENT_READERS = (Role.ADMIN, Role.ORGANISER, Role.UNIT_RESPONDENT)
SITE_ROLES = (Role.ADMIN, Role.ORGANISER, Role.SITE_COORDINATOR)


def ministry_units() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.MINISTRY_UNIT, Organisation.is_active.is_(True))
        .order_by(Organisation.name)))
