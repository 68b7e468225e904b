"""Demo data: certificates for the people present at the demo's past training(s).

Works on whichever past training the demo holds (another feature's demo creates it); if nobody
there is recorded as present yet, about three in four of its approved registrants are marked
present (site people by their roll-call, the others at the door), then their certificates are
issued under a Vietnamese template. Idempotent: a second run finds everything in place.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from eventapp.certificates import services
from eventapp.certificates.models import CertificateTemplate
from eventapp.events.models import Event, EventKind, EventStatus
from eventapp.extensions import db
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationStatus

TEMPLATE = {
    "issuer": "BỘ THÔNG TIN VÀ TRUYỀN THÔNG\nTRUNG TÂM THÔNG TIN",
    "title": "GIẤY CHỨNG NHẬN",
    "body": "Đơn vị: {organisation}\nĐã tham dự {event}\nngày {date} tại {site}.",
    "signatory_title": "GIÁM ĐỐC",
    "signatory_name": "Phạm Thị Thu Hà",
    "place": "Hà Nội",
    "issued_on": None,
}


def past_trainings(now: datetime) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(
        Event.kind == EventKind.TRAINING, Event.status == EventStatus.PUBLISHED, Event.ends_at < now)
        .order_by(Event.starts_at)))


def _mark_some_present(event: Event) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.event_id == event.id, services.present_condition())):
        return
    approved = db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.APPROVED)
        .order_by(Registration.id)).all()
    for n, registration in enumerate(approved):
        if n % 4 == 3:
            continue  # did not come
        registration.checked_in_at = event.starts_at + timedelta(minutes=n % 25)
        registration.checkin_method = CheckinMethod.ROLL_CALL if registration.site_id else CheckinMethod.SCAN


def load_demo(now: datetime) -> None:
    """Present people and issued certificates for every past training of the demo."""
    for event in past_trainings(now):
        _mark_some_present(event)
        if db.session.scalar(sa.select(CertificateTemplate.id).where(CertificateTemplate.event_id == event.id)) is None:
            services.save_template(event, TEMPLATE, None)
        services.issue(services.present_registrations(event.id), now)
    db.session.flush()
