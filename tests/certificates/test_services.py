"""Certificate services on both databases: who gets one, codes, wording, revocation, pages."""

from __future__ import annotations

import pytest

from eventapp.accounts.models import Role
from eventapp.audit import AuditEntry
from eventapp.certificates import services, wording
from eventapp.certificates.models import Certificate
from eventapp.extensions import db
from tests.certificates.conftest import DEPARTMENT, NAME, UNIT
from tests.documents.reading import pages_text, qr_codes


def test_only_people_recorded_as_present_are_listed_and_issued(past_training) -> None:
    t = past_training
    present = services.present_registrations(t.event.id)
    assert {r.id for r in present} == {t.at_door.id, t.by_rollcall.id, t.other_site_present.id}
    assert [r.id for r in services.present_registrations(t.event.id, t.site.id)] == [t.by_rollcall.id]
    issued = services.issue([t.at_door, t.absent, t.absent_at_site, t.by_rollcall])
    assert set(issued) == {t.at_door.id, t.by_rollcall.id}
    with pytest.raises(services.CertificateError) as error:
        services.certificate_of(t.absent)
    assert error.value.code == "not_present"
    assert db.session.query(Certificate).filter_by(registration_id=t.absent.id).count() == 0


def test_a_present_person_whose_registration_was_cancelled_gets_none(past_training) -> None:
    from eventapp.registrations.models import RegistrationStatus

    past_training.at_door.status = RegistrationStatus.CANCELLED
    with pytest.raises(services.CertificateError):
        services.certificate_of(past_training.at_door)


def test_codes_are_unguessable_stored_once_and_found_however_typed(past_training) -> None:
    first = services.certificate_of(past_training.at_door)
    again = services.certificate_of(past_training.at_door)
    assert first.id == again.id and len(first.code) == 16
    assert set(first.code) <= set(services.CODE_ALPHABET)
    other = services.certificate_of(past_training.by_rollcall)
    assert other.code != first.code
    assert services.find_by_code(first.display_code.lower()) == first
    assert services.find_by_code(f" {first.code} ") == first
    for bad in ("", "x" * 200, "ILOU" * 4, first.code[:-1], None, 42):
        assert services.find_by_code(bad) is None


def test_placeholders_are_checked(past_training) -> None:
    wording.check("Ông/Bà {name} ({organisation}) đã tham dự {event} ngày {date} tại {site}; {{ngoặc}}")
    for bad, placeholder in (("{ten}", "{ten}"), ("{name.__class__}", "{name.__class__}"),
                             ("{0}", "{0}"), ("{name!r}", "{name!r}"), ("{date:>30}", "{date:>30}"), ("{}", "{}")):
        with pytest.raises(wording.WordingError) as error:
            wording.check(bad)
        assert error.value.placeholder == placeholder
    with pytest.raises(wording.WordingError) as error:
        wording.check("Ông/Bà {name")
    assert error.value.placeholder is None
    values = dict(services.default_wording(), body="Xin chào {hoten}", issued_on=None)
    with pytest.raises(wording.WordingError) as error:
        services.save_template(past_training.event, values, None)
    assert error.value.field == "body"


def test_the_pdf_says_what_the_template_says_with_diacritics_and_a_working_qr(app, past_training, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    values = {"issuer": "BỘ THÔNG TIN VÀ TRUYỀN THÔNG\nTRUNG TÂM THÔNG TIN", "title": "GIẤY CHỨNG NHẬN",
              "body": "Đơn vị: {organisation}\nĐã tham dự {event}\nngày {date} tại {site}",
              "signatory_title": "GIÁM ĐỐC", "signatory_name": "Phạm Văn Thắng", "place": "Hà Nội",
              "issued_on": None}
    services.save_template(past_training.event, values, organiser)
    assert db.session.query(AuditEntry).filter_by(action="certificates.template").count() == 1
    certificate = services.certificate_of(past_training.by_rollcall)
    data = services.render(past_training.event, [certificate])
    [text] = pages_text(data)
    for expected in (NAME, DEPARTMENT, UNIT, "Sở TT&TT Đắk Lắk", "GIẤY CHỨNG NHẬN", "Phạm Văn Thắng",
                     certificate.display_code, services.event_dates(past_training.event)):
        assert expected in text, expected
    assert qr_codes(data) == [[services.verify_url(certificate)]]
    assert services.verify_url(certificate).endswith(f"/certificates/verify/{certificate.code}")


def test_the_default_wording_works_without_a_template(past_training) -> None:
    certificate = services.certificate_of(past_training.at_door)
    [text] = pages_text(services.render(past_training.event, [certificate]))
    assert "Trần Đức Lượng" in text and UNIT in text and "18 Nguyễn Du, Hà Nội" in text


def test_revoking_marks_the_certificate_and_leaves_it_out_of_bundles(past_training, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    certificate = services.certificate_of(past_training.at_door)
    services.revoke(certificate, organiser, "Nhầm người")
    assert services.verification(certificate).revoked
    with pytest.raises(services.CertificateError) as error:
        services.certificate_of(past_training.at_door)
    assert error.value.code == "revoked"
    with pytest.raises(services.CertificateError):
        services.revoke(certificate, organiser, "")
    data, count = services.bundle(past_training.event, services.present_registrations(past_training.event.id),
                                  actor=organiser)
    assert count == 2 and "Trần Đức Lượng" not in "".join(pages_text(data))
    services.reinstate(certificate, organiser)
    assert not services.verification(certificate).revoked
    actions = [a for (a,) in db.session.query(AuditEntry.action).order_by(AuditEntry.id)]
    assert actions == ["certificates.issue", "certificates.revoke", "certificates.issue", "certificates.reinstate"]


def test_the_verification_holds_name_event_and_date_only(past_training) -> None:
    result = services.verification(services.certificate_of(past_training.by_rollcall))
    assert set(vars(result)) == {"name", "event", "date", "revoked", "withdrawn"}
    assert result.name == NAME and result.event == past_training.event.title


def test_a_site_bundle_holds_only_that_sites_present_people(past_training) -> None:
    t = past_training
    data, count = services.bundle(t.event, services.present_registrations(t.event.id, t.site.id))
    text = "".join(pages_text(data))
    assert count == 1 and NAME in text
    assert "Phạm Thị Quế" not in text and "Lê Văn Tám" not in text and "Trần Đức Lượng" not in text


def test_a_second_insert_for_the_same_registration_keeps_the_first_certificate(past_training) -> None:
    """Two downloads at once: the loser's insert hits the unique registration and takes the winner's."""
    from eventapp.models import utcnow

    first = services._issue_one(past_training.at_door, utcnow())
    db.session.flush()
    second = services._issue_one(past_training.at_door, utcnow())
    assert second.id == first.id and second.code == first.code
    assert db.session.query(Certificate).count() == 1


def test_issuing_is_audited_once_per_batch_with_who_asked(past_training, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    services.issue(services.present_registrations(past_training.event.id), actor=organiser)
    services.issue(services.present_registrations(past_training.event.id), actor=organiser)
    [entry] = db.session.query(AuditEntry).filter_by(action="certificates.issue").all()
    assert entry.actor_id == organiser.id and entry.object_id == past_training.event.id
    assert NAME in entry.summary and len(entry.diff["codes"]) == 3
