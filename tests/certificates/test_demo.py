"""The certificates demo works on whichever past training the demo holds, and is idempotent."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from eventapp.certificates import demo, services
from eventapp.certificates.models import Certificate, CertificateTemplate
from eventapp.events.models import EventKind
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationChannel
from tests.documents.reading import pages_text


def test_a_past_training_nobody_marked_present_gets_present_people_and_certificates(
        app, make_event, make_site, add_site_to_event, make_registration, make_person) -> None:
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    training = make_event(title="Hội nghị tập huấn kỹ năng phát ngôn 2025", kind=EventKind.TRAINING,
                          starts_in=-timedelta(days=30), duration=timedelta(hours=7))
    site = make_site(name="Sở TT&TT Đắk Lắk")
    add_site_to_event(training, site)
    for n in range(6):
        make_registration(training, make_person(full_name=f"Nguyễn Thị Hồng Nhung {n}"), site=site,
                          channel=RegistrationChannel.SITE)
    for n in range(6):
        make_registration(training, make_person(full_name=f"Trần Đức Lượng {n}"))
    db.session.commit()

    demo.load_demo(utcnow())
    db.session.commit()
    present = services.present_registrations(training.id)
    assert 6 <= len(present) < 12
    assert {r.checkin_method for r in present} == {CheckinMethod.ROLL_CALL, CheckinMethod.SCAN}
    assert all((r.checkin_method == CheckinMethod.ROLL_CALL) == (r.site_id is not None) for r in present)
    mine = sa.select(Certificate.code).join(Registration, Registration.id == Certificate.registration_id).where(
        Registration.event_id == training.id)
    codes = set(db.session.scalars(mine))
    assert len(codes) == len(present)
    data = services.render(training, [services.certificate_of(present[0])])
    assert "GIẤY CHỨNG NHẬN" in pages_text(data)[0] and "Phạm Thị Thu Hà" in pages_text(data)[0]

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    assert set(db.session.scalars(mine)) == codes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateTemplate)
                             .where(CertificateTemplate.event_id == training.id)) == 1
    assert len(services.present_registrations(training.id)) == len(present)


def test_present_people_already_recorded_are_kept_as_they_are(app, make_event, make_registration) -> None:
    training = make_event(kind=EventKind.TRAINING, starts_in=-timedelta(days=2))
    came = make_registration(training, checked_in_at=training.starts_at, checkin_method=CheckinMethod.SEARCH)
    stayed_away = make_registration(training)
    db.session.commit()
    demo.load_demo(utcnow())
    assert db.session.get(Registration, stayed_away.id).checked_in_at is None
    assert [r.id for r in services.present_registrations(training.id)] == [came.id]


def test_the_full_demos_past_training_has_certificates(app) -> None:
    """`flask demo` as shipped: the past training another feature's demo makes has present people,
    each with a certificate, under the Vietnamese template."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    trainings = demo.past_trainings(utcnow())
    if not trainings:
        return  # on a branch without that feature's demo: nothing to certify
    present = services.present_registrations(trainings[0].id)
    issued = services.certificates_by_registration([r.id for r in present])
    assert present and set(issued) == {r.id for r in present}
    assert db.session.scalar(sa.select(CertificateTemplate.signatory_name).where(
        CertificateTemplate.event_id == trainings[0].id)) == "Phạm Thị Thu Hà"
