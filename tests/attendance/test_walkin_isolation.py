"""A site's walk-in at roll-call only creates or ticks that site's own registration: a person
registered at another site or at the venue is refused neutrally and their registration untouched."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from eventapp.accounts.models import Role
from eventapp.attendance import walkins
from eventapp.attendance.services import ScanCode
from eventapp.events.models import EventMode, SiteParticipationStatus
from eventapp.extensions import db
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationChannel

NEUTRAL = "This person cannot be registered by your site; please ask the organisers."


@pytest.fixture
def roll(make_event, make_organisation, make_site, add_site_to_event, make_person, make_registration,
         make_user):
    """One organisation with sites A and B in a hybrid event under way; its people registered at B,
    at the venue and at A; A's coordinator."""
    event = make_event(mode=EventMode.HYBRID, starts_in=timedelta(minutes=-5), capacity=20)
    org = make_organisation(name="Sở TT&TT Lào Cai")
    site_a, site_b = make_site(organisation=org), make_site(organisation=org)
    for site in (site_a, site_b):
        add_site_to_event(event, site, quota=5).status = SiteParticipationStatus.CONNECTED

    def staff(name: str, phone: str):
        person = make_person(full_name=name, organisation_id=org.id, phone=phone, position="Chuyên viên")
        person.set_email(None)
        return person

    regs = {"b": make_registration(event, staff("Vũ Quang Huy", "0211 3822 000"), site=site_b,
                                   channel=RegistrationChannel.SITE),
            "venue": make_registration(event, staff("Lê Văn Tám", "0211 3822 111")),
            "a": make_registration(event, staff("Đào Thị Hoa", "0211 3822 222"), site=site_a,
                                   channel=RegistrationChannel.SITE)}
    coordinator = make_user(Role.SITE_COORDINATOR, site=site_a)
    db.session.commit()
    return event, site_a, regs, coordinator


def _state(regs: dict) -> dict:
    db.session.expire_all()
    return {k: (r.site_id, r.status, r.checked_in_at, r.person.full_name, r.person.phone) for k, r in regs.items()}


def _count(event_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id))


@pytest.mark.parametrize(("name", "phone"), [("Vũ Quang Huy", ""), ("Vũ Quang Huy", "0211 3822 000"),
                                             ("Lê Văn Tám", ""), ("Lê Văn Tám", "0211 3822 111")])
def test_someone_registered_elsewhere_is_neither_ticked_nor_named(client, login, roll, name, phone) -> None:
    event, site_a, regs, coordinator = roll
    before = _state(regs)
    login(coordinator)
    response = client.post(f"/console/rollcall/events/{event.id}/sites/{site_a.id}/walk-in",
                           data={"full_name": name, "phone": phone}, follow_redirects=True)
    html = response.get_data(as_text=True)
    with force_locale("vi"):
        assert gettext(NEUTRAL) in html
    assert _state(regs) == before and _count(event.id) == 3
    assert name not in html  # the site's list does not gain them


def test_own_sites_registration_is_ticked_and_a_new_person_added(client, login, roll) -> None:
    event, site_a, regs, coordinator = roll
    login(coordinator)
    path = f"/console/rollcall/events/{event.id}/sites/{site_a.id}/walk-in"
    client.post(path, data={"full_name": "Đào Thị Hoa", "phone": "0211 3822 222"})
    client.post(path, data={"full_name": "Người Mới Đến", "phone": "0912 000 111"})
    state = _state(regs)
    assert state["a"][2] is not None and state["b"][2] is None and state["venue"][2] is None
    new = db.session.scalars(sa.select(Registration).where(Registration.channel == RegistrationChannel.WALK_IN)).all()
    assert len(new) == 1 and new[0].site_id == site_a.id and new[0].checkin_method == CheckinMethod.ROLL_CALL


def test_service_refuses_another_organisations_person_by_email(roll, make_person, make_registration,
                                                               make_site) -> None:
    event, site_a, regs, coordinator = roll
    other = make_site()
    stranger = make_person(full_name="Người Tỉnh Khác", email="khac@tinh.vn", organisation_id=other.organisation_id)
    theirs = make_registration(event, stranger)
    db.session.commit()
    applicant = walkins.applicant("Ai Đó", email="khac@tinh.vn", organisation_id=site_a.organisation_id)
    result = walkins.walk_in(event, applicant, coordinator, site_id=site_a.id, method=CheckinMethod.ROLL_CALL)
    assert result.code == ScanCode.NOT_REGISTERED and result.name is None and result.registration_id is None
    db.session.rollback()
    db.session.expire_all()
    assert theirs.checked_in_at is None and theirs.site_id is None
    assert stranger.organisation_id == other.organisation_id and stranger.full_name == "Người Tỉnh Khác"
