"""Every form screen answers an invalid POST with 422, the field at fault marked and the rest kept."""

from __future__ import annotations

import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.events.models import EventSeries
from eventapp.extensions import db
from eventapp.questions import services
from eventapp.questions.models import AskedVia, QuestionStatus
from eventapp.registrations.models import Accreditation, RegistrationChannel
from tests.events.test_console_series import series_form


def test_site_coordinator_edit(client, login, make_user, make_site, make_person, make_event,
                               make_registration, add_site_to_event) -> None:
    site = make_site()
    event = make_event()
    add_site_to_event(event, site)
    person = make_person(full_name="Lê Văn Giữ", organisation_id=site.organisation_id)
    registration = make_registration(event, person, site=site, channel=RegistrationChannel.SITE)
    db.session.commit()
    login(make_user(Role.SITE_COORDINATOR, site=site))
    response = client.post(f"/console/site/registrations/{registration.id}/edit",
                           data={"full_name": "", "phone": "09 kept 12", "position": "Chuyên viên giữ lại"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "is-invalid" in html and "Chuyên viên giữ lại" in html
    db.session.refresh(person)
    assert person.full_name == "Lê Văn Giữ"


def test_announcement_accreditation_and_question(client, login, make_user, make_person, make_event,
                                                 make_registration) -> None:
    event = make_event()
    journalist = make_person(full_name="Nhà báo Kiểm")
    registration = make_registration(event, journalist)
    question = services.ask(event, text="Về luật báo chí?", via=AskedVia.TICKET, person=journalist,
                            registration=registration)
    db.session.commit()
    login(make_user())
    announce = client.post(f"/console/registrations/events/{event.id}/announce",
                           data={"coordinators": "y", "note": "ghi chú " * 400})
    assert announce.status_code == 422 and "is-invalid" in announce.get_data(as_text=True)
    accredit = client.post(f"/console/registrations/people/{journalist.id}/accredit",
                           data={"series_id": "", "valid_until": "không phải ngày", "note": "Ghi chú giữ lại"})
    html = accredit.get_data(as_text=True)
    assert accredit.status_code == 422 and "is-invalid" in html and "Ghi chú giữ lại" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Accreditation)) == 0
    other = Organisation(kind=OrganisationKind.PRESS_OUTLET, name="Không phải đơn vị của Bộ")
    db.session.add(other)
    db.session.commit()
    assigned = client.post(f"/console/questions/{question.id}/assign",
                           data={"assign-handling": "written", "assign-unit_ids": str(other.id)})
    assert assigned.status_code == 422 and "invalid-feedback" in assigned.get_data(as_text=True)
    db.session.refresh(question)
    assert question.assignments == [] and question.status == QuestionStatus.NEW


def test_series_edit(client, login, make_user) -> None:
    login(make_user())
    assert client.post("/console/events/series/new", data=series_form()).status_code == 302
    series_id = db.session.scalar(sa.select(EventSeries.id))
    response = client.post(f"/console/events/series/{series_id}/edit",
                           data=series_form(title="", venue="Địa điểm giữ lại"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "is-invalid" in html and "Địa điểm giữ lại" in html
