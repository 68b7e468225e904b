"""Certificate fixtures: a training that took place, with people present and absent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from eventapp.directory.models import Site
from eventapp.events.models import Event, EventKind, EventMode
from eventapp.extensions import db
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationChannel
from eventapp.registrations.tickets import issue_ticket

NAME = "Nguyễn Thị Hồng Nhung"
UNIT = "Cục Chuyển đổi số quốc gia"
DEPARTMENT = "Sở Thông tin và Truyền thông tỉnh Đắk Lắk"


@dataclass
class PastTraining:
    """The event, two sites, and who was where (present at the door, by roll-call, or absent)."""

    event: Event
    site: Site
    other_site: Site
    at_door: Registration
    by_rollcall: Registration
    absent_at_site: Registration
    other_site_present: Registration
    absent: Registration
    tokens: dict[int, str]


@pytest.fixture
def past_training(make_event, make_site, make_organisation, make_person, make_registration, add_site_to_event):
    from eventapp.directory.models import OrganisationKind

    event = make_event(title=f"Hội nghị tập huấn công tác truyền thông của {UNIT}", kind=EventKind.TRAINING,
                       mode=EventMode.HYBRID, starts_in=-timedelta(days=3), duration=timedelta(hours=7))
    department = make_organisation(name=DEPARTMENT)
    site = make_site(name="Sở TT&TT Đắk Lắk", organisation=department)
    other_site = make_site(name="Sở TT&TT Quảng Ninh")
    for s in (site, other_site):
        add_site_to_event(event, s)
    unit = make_organisation(kind=OrganisationKind.MINISTRY_UNIT, name=UNIT)
    at = event.starts_at + timedelta(minutes=5)

    def registration(name, site=None, present_by=None, **person):
        reg = make_registration(event, make_person(full_name=name, **person), site=site,
                                channel=RegistrationChannel.SITE if site else RegistrationChannel.PUBLIC)
        if present_by is not None:
            reg.checked_in_at, reg.checkin_method = at, present_by
        return reg

    training = PastTraining(
        event=event, site=site, other_site=other_site,
        at_door=registration("Trần Đức Lượng", present_by=CheckinMethod.SCAN, organisation_id=unit.id,
                             phone="0912345678", position="Chuyên viên"),
        by_rollcall=registration(NAME, site, CheckinMethod.ROLL_CALL, organisation_id=department.id,
                                 phone="0987654321"),
        absent_at_site=registration("Lê Văn Tám", site),
        other_site_present=registration("Phạm Thị Quế", other_site, CheckinMethod.ROLL_CALL),
        absent=registration("Hoàng Minh Khôi"),
        tokens={},
    )
    for reg in (training.at_door, training.by_rollcall, training.absent_at_site, training.absent):
        training.tokens[reg.id] = issue_ticket(reg)
    db.session.commit()
    return training
