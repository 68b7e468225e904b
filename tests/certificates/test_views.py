"""Certificate screens over HTTP: the public page shows nothing private, the holder's download,
the organiser's template (422 on a bad placeholder) and revocation, a coordinator's own site only,
and the desk's badge sheet."""

from __future__ import annotations

import re

import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.attendance.services import undo_check_in
from eventapp.certificates import services
from eventapp.certificates.models import Certificate, CertificateTemplate
from eventapp.extensions import db
from eventapp.registrations import tickets
from tests.certificates.conftest import DEPARTMENT, NAME, UNIT
from tests.documents.reading import pages_text, qr_codes


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return " ".join(" ".join(pages_text(response.data)).split())  # lines joined: wrapping is layout


def test_the_holder_downloads_theirs_from_the_ticket_page(client, past_training) -> None:
    token = past_training.tokens[past_training.by_rollcall.id]
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert "data-certificate-card" in page and f"/ticket/{token}/certificate.pdf" in page
    response = client.get(f"/ticket/{token}/certificate.pdf")
    text = _pdf_text(response)
    assert NAME in text and DEPARTMENT in text
    certificate = db.session.scalar(sa.select(Certificate))
    [[url]] = qr_codes(response.data)
    assert url.endswith(f"/certificates/verify/{certificate.code}")


def test_a_registrant_not_present_gets_no_certificate(client, past_training) -> None:
    token = past_training.tokens[past_training.absent.id]
    assert "data-certificate-card" not in client.get(f"/ticket/{token}").get_data(as_text=True)
    response = client.get(f"/ticket/{token}/certificate.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ticket/{token}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
    assert client.get("/ticket/not-a-real-token-at-all-xxxxxxxx/certificate.pdf").status_code == 404


def test_the_verification_page_shows_name_event_and_date_only(client, past_training, make_user) -> None:
    certificate = services.certificate_of(past_training.by_rollcall)
    db.session.commit()
    response = client.get(f"/certificates/verify/{certificate.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-verification="valid"' in page
    assert NAME in page and past_training.event.title.replace("&", "&amp;") in page
    assert services.event_dates(past_training.event) in page
    person = past_training.by_rollcall.person
    for private in (person.email, person.phone, DEPARTMENT, "Sở TT&amp;TT Đắk Lắk", "Chuyên viên"):
        assert private not in page, private
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    services.revoke(certificate, make_user(Role.ORGANISER), "Cấp nhầm")
    db.session.commit()
    page = client.get(f"/certificates/verify/{certificate.display_code}").get_data(as_text=True)
    assert 'data-verification="revoked"' in page and "Cấp nhầm" not in page


def test_a_certificate_stops_verifying_when_its_attendance_is_undone(client, past_training, make_user) -> None:
    certificate = services.certificate_of(past_training.at_door)
    db.session.commit()
    assert 'data-verification="valid"' in client.get(f"/certificates/verify/{certificate.code}").get_data(as_text=True)
    # The desk undoes a mistaken check-in: the printed certificate's code no longer says valid.
    undo_check_in(past_training.event, past_training.at_door.id, make_user(Role.CHECKIN_STAFF))
    db.session.commit()
    page = client.get(f"/certificates/verify/{certificate.code}").get_data(as_text=True)
    assert 'data-verification="withdrawn"' in page and 'data-verification="valid"' not in page


def test_unknown_and_typed_codes(client, past_training) -> None:
    assert client.get("/certificates/verify/AAAABBBBCCCCDDDD").status_code == 404
    assert client.get("/certificates/verify/<script>").status_code == 404
    assert client.get("/certificates/verify").status_code == 200
    assert client.get("/certificates/verify?code=nonsense").status_code == 422
    certificate = services.certificate_of(past_training.at_door)
    db.session.commit()
    response = client.get(f"/certificates/verify?code={certificate.display_code.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(certificate.code)


def test_the_organiser_edits_the_template_and_a_bad_placeholder_is_refused(client, login, make_user,
                                                                          past_training) -> None:
    login(make_user(Role.ORGANISER))
    url = f"/console/certificates/events/{past_training.event.id}"
    page = client.get(url).get_data(as_text=True)
    assert NAME in page and "Lê Văn Tám" not in page and "Hoàng Minh Khôi" not in page
    form = {"issuer": "TRUNG TÂM THÔNG TIN", "title": "GIẤY CHỨNG NHẬN", "signatory_title": "GIÁM ĐỐC",
            "signatory_name": "Phạm Văn Thắng", "place": "Hà Nội", "issued_on": "2026-12-01",
            "body": "Ông/Bà {ho_ten} đã tham dự {event}"}
    response = client.post(url, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Phạm Văn Thắng" in page and "{ho_ten}" in page  # what was typed is kept
    assert re.search(r'id="body-error"[^>]*>[^<]*\{ho_ten\}', page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateTemplate)) == 0
    form["body"] = "Đã tham dự {event} tại {site}"
    assert client.post(url, data=form).status_code == 302
    response = client.get(f"/console/certificates/registrations/{past_training.by_rollcall.id}.pdf")
    text = _pdf_text(response)
    assert "Phạm Văn Thắng" in text and "tại Sở TT&TT Đắk Lắk" in text and "Hà Nội, ngày 01 tháng 12 năm 2026" in text


def test_the_organiser_downloads_all_and_revokes_one(client, login, make_user, past_training) -> None:
    login(make_user(Role.ORGANISER))
    event_id = past_training.event.id
    text = _pdf_text(client.get(f"/console/certificates/events/{event_id}/certificates.pdf"))
    assert NAME in text and "Trần Đức Lượng" in text and "Phạm Thị Quế" in text and "Lê Văn Tám" not in text
    absent = client.get(f"/console/certificates/registrations/{past_training.absent.id}.pdf")
    assert absent.status_code == 302
    registration_id = past_training.at_door.id
    response = client.post(f"/console/certificates/registrations/{registration_id}/revoke", data={"reason": "Nhầm"})
    assert response.status_code == 302
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.registration_id == registration_id))
    assert certificate.is_revoked and certificate.revocation_reason == "Nhầm"
    assert client.get(f"/console/certificates/registrations/{registration_id}.pdf").status_code == 302
    token = past_training.tokens[registration_id]
    assert "data-certificate-revoked" in client.get(f"/ticket/{token}").get_data(as_text=True)
    assert client.post(f"/console/certificates/registrations/{registration_id}/reinstate").status_code == 302
    db.session.refresh(certificate)
    assert not certificate.is_revoked


def test_a_coordinator_gets_their_own_sites_certificates_only(client, login, make_user, past_training) -> None:
    t = past_training
    login(make_user(Role.SITE_COORDINATOR, site=t.site))
    index = client.get("/console/certificates/").get_data(as_text=True)
    assert f"/console/certificates/sites/{t.site.id}/events/{t.event.id}/certificates.pdf" in index
    assert f"/sites/{t.other_site.id}/" not in index
    text = _pdf_text(client.get(f"/console/certificates/sites/{t.site.id}/events/{t.event.id}/certificates.pdf"))
    assert NAME in text and "Phạm Thị Quế" not in text and "Trần Đức Lượng" not in text
    assert client.get(f"/console/certificates/sites/{t.other_site.id}/events/{t.event.id}/certificates.pdf"
                      ).status_code == 404
    site_page = client.get(f"/console/site/{t.site.id}/events/{t.event.id}").get_data(as_text=True)
    assert "data-site-certificates" in site_page
    for organiser_only in (f"/console/certificates/events/{t.event.id}",
                           f"/console/certificates/registrations/{t.other_site_present.id}.pdf"):
        assert client.get(organiser_only).status_code == 403


def test_a_site_that_did_not_take_part_gets_nothing(client, login, make_user, make_site, past_training) -> None:
    outsider = make_site()
    login(make_user(Role.SITE_COORDINATOR, site=outsider))
    url = f"/console/certificates/sites/{outsider.id}/events/{past_training.event.id}/certificates.pdf"
    assert client.get(url).status_code == 404


def test_the_desk_prints_badges_of_the_people_expected_in_person(client, login, make_user, make_person,
                                                                 make_registration, past_training) -> None:
    make_registration(past_training.event, make_person(full_name="Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc"))
    db.session.commit()
    login(make_user(Role.CHECKIN_STAFF))
    desk = client.get(f"/console/attendance/events/{past_training.event.id}/desk").get_data(as_text=True)
    assert f"/console/certificates/events/{past_training.event.id}/badges.pdf" in desk
    response = client.get(f"/console/certificates/events/{past_training.event.id}/badges.pdf")
    text = _pdf_text(response)
    for name in ("Trần Đức Lượng", "Hoàng Minh Khôi", "Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc", UNIT):
        assert name in text
    assert NAME not in text and "Phạm Thị Quế" not in text  # they take part from their sites
    codes = {code for page in qr_codes(response.data) for code in page}
    # Each badge carries its holder's check-in-only code, never the ticket link's token.
    assert tickets.badge_code(past_training.at_door) in codes and len(codes) == 3
    assert past_training.tokens[past_training.at_door.id] not in codes


def test_revoking_without_the_csrf_token_changes_nothing(app, client, login, make_user, past_training) -> None:
    certificate = services.certificate_of(past_training.at_door)
    db.session.commit()
    login(make_user(Role.ORGANISER))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/console/certificates/registrations/{past_training.at_door.id}/revoke",
                               data={"reason": "x"})
        assert response.status_code in (302, 400)
        assert client.post(f"/console/certificates/events/{past_training.event.id}",
                           data={"title": "Giả mạo", "issuer": "x", "body": "x"}).status_code in (400, 422)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.refresh(certificate)
    assert not certificate.is_revoked
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateTemplate)) == 0


def test_a_body_too_long_for_one_page_is_refused_and_kept(client, login, make_user, past_training) -> None:
    login(make_user(Role.ORGANISER))
    body = "\n".join(f"Dòng {n}: {{name}}" for n in range(12))
    response = client.post(f"/console/certificates/events/{past_training.event.id}",
                           data={"issuer": "TRUNG TÂM THÔNG TIN", "title": "GIẤY CHỨNG NHẬN", "body": body})
    assert response.status_code == 422 and "Dòng 11" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateTemplate)) == 0
