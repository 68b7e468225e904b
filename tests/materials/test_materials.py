"""Uploading, listing and downloading materials: storage, safe headers, counts, and who may see what."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from eventapp.accounts.models import Role
from eventapp.audit import AuditEntry
from eventapp.events.models import AgendaItem, EventStatus
from eventapp.extensions import db
from eventapp.materials import storage
from eventapp.materials.models import Audience, EventLink, Material
from eventapp.registrations.models import RegistrationStatus
from eventapp.registrations.tickets import current_ticket
from tests.materials.conftest import HTML_AS_PDF, PDF, png_bytes


def _upload(client, event_id: int, data: bytes, filename: str, **fields):
    form = {"title": "Tài liệu tập huấn", "audience": "registrants", "agenda_item_id": "", **fields,
            "file": (io.BytesIO(data), filename)}
    return client.post(f"/console/materials/events/{event_id}/files", data=form,
                       content_type="multipart/form-data")


def test_an_organiser_uploads_a_file_kept_outside_the_database(app, client, login, organiser, make_event) -> None:
    event = make_event(title="Hội nghị tập huấn Quảng Ninh")
    item = AgendaItem(event_id=event.id, starts_at=event.starts_at, ends_at=event.ends_at, title="Phát ngôn")
    db.session.add(item)
    db.session.commit()
    login(organiser)
    response = _upload(client, event.id, PDF, "Kỹ năng phát ngôn.pdf", agenda_item_id=str(item.id))
    assert response.status_code == 302
    material = db.session.query(Material).one()
    assert (material.kind, material.content_type, material.audience) == ("pdf", "application/pdf",
                                                                         Audience.REGISTRANTS)
    assert material.filename == "Kỹ năng phát ngôn.pdf" and material.agenda_item_id == item.id
    assert storage.path_of(material.storage_key).read_bytes() == PDF
    assert str(storage.folder()).startswith(app.config["MATERIALS_FOLDER"])
    assert db.session.query(AuditEntry).filter_by(action="material.add").count() == 1
    page = client.get(f"/console/materials/events/{event.id}").get_data(as_text=True)
    assert "Kỹ năng phát ngôn" in page and "Tài liệu tập huấn" in page


@pytest.mark.parametrize(("data", "filename", "message"), [
    (HTML_AS_PDF, "bai-giang.pdf", "một trang web đổi tên thành .pdf sẽ bị từ chối"),
    (png_bytes(), "bai-giang.pdf", "Tên tệp không khớp với nội dung"),
])
def test_bad_files_get_a_clear_error_and_keep_the_form(client, login, organiser, make_event,
                                                      data, filename, message) -> None:
    event = make_event()
    login(organiser)
    response = _upload(client, event.id, data, filename, title="Tiêu đề đã nhập")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'value="Tiêu đề đã nhập"' in page
    assert db.session.query(Material).count() == 0


def test_an_oversized_file_is_refused_in_vietnamese_and_the_title_is_kept(app, client, login, organiser,
                                                                         make_event) -> None:
    app.config["MATERIALS_MAX_BYTES"] = 1000
    try:
        event = make_event()
        login(organiser)
        response = _upload(client, event.id, PDF + b"0" * 2000, "lon.pdf", title="Bản trình chiếu")
    finally:
        app.config["MATERIALS_MAX_BYTES"] = 20 * 1024 * 1024
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tệp lớn hơn 0.000953674 MB" in page
    assert 'value="Bản trình chiếu"' in page
    assert db.session.query(Material).count() == 0


def test_an_upload_above_the_app_wide_limit_but_within_the_materials_limit_is_taken(
        app, client, login, organiser, make_event) -> None:
    event = make_event()
    login(organiser)
    big = PDF + b"%" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    assert _upload(client, event.id, big, "day-du.pdf").status_code == 302
    assert db.session.query(Material).one().size_bytes == len(big)


def test_a_download_is_an_attachment_with_the_sniffed_type_and_is_counted(client, make_event,
                                                                          make_material) -> None:
    event = make_event()
    material = make_material(event, Audience.PUBLIC)
    response = client.get(f"/events/{event.id}/materials/{material.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''B%C3%A0i" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    client.get(f"/events/{event.id}/materials/{material.id}")
    db.session.expire_all()
    assert db.session.get(Material, material.id).download_count == 2


def test_anonymous_visitors_cannot_fetch_a_registrants_only_file_by_guessing(client, make_event,
                                                                             make_material) -> None:
    event = make_event()
    private = make_material(event, Audience.REGISTRANTS)
    sites_only = make_material(event, Audience.SITES)
    for material in (private, sites_only):
        assert client.get(f"/events/{event.id}/materials/{material.id}").status_code == 404
    draft = make_event(status=EventStatus.DRAFT)
    public_of_draft = make_material(draft, Audience.PUBLIC)
    assert client.get(f"/events/{draft.id}/materials/{public_of_draft.id}").status_code == 404
    # Another event's id in the URL does not open it either.
    other = make_event()
    public = make_material(event, Audience.PUBLIC)
    assert client.get(f"/events/{other.id}/materials/{public.id}").status_code == 404


def test_a_ticket_opens_its_own_events_registrants_files_only(client, make_event, make_material,
                                                              make_registration) -> None:
    event, other_event = make_event(), make_event(title="Họp báo khác")
    private = make_material(event, Audience.REGISTRANTS)
    sites_only = make_material(event, Audience.SITES)
    other_private = make_material(other_event, Audience.REGISTRANTS)
    mine = make_registration(event)
    theirs = make_registration(other_event)
    waiting = make_registration(event, status=RegistrationStatus.WAITLISTED)
    db.session.commit()
    token, other_token, waiting_token = current_ticket(mine), current_ticket(theirs), current_ticket(waiting)
    db.session.commit()
    assert client.get(f"/ticket/{token}/materials/{private.id}").status_code == 200
    assert client.get(f"/ticket/{token}/materials/{sites_only.id}").status_code == 404
    assert client.get(f"/ticket/{token}/materials/{other_private.id}").status_code == 404
    assert client.get(f"/ticket/{other_token}/materials/{private.id}").status_code == 404
    assert client.get(f"/ticket/{waiting_token}/materials/{private.id}").status_code == 404
    assert client.get(f"/ticket/not-a-ticket/materials/{private.id}").status_code == 404
    ticket_page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert f"/ticket/{token}/materials/{private.id}" in ticket_page
    assert f"materials/{sites_only.id}" not in ticket_page


def test_coordinators_see_sites_only_files_of_events_their_site_takes_part_in(
        app, make_user, make_site, make_event, add_site_to_event, make_material, login, client) -> None:
    event = make_event(kind=__import__("eventapp.events.models", fromlist=["EventKind"]).EventKind.TRAINING)
    taking_part, elsewhere = make_site(), make_site()
    add_site_to_event(event, taking_part)
    sites_only = make_material(event, Audience.SITES, title="Hướng dẫn kết nối điểm cầu")
    public = make_material(event, Audience.PUBLIC, title="Chương trình")
    outsider = make_user(Role.SITE_COORDINATOR, site=elsewhere)
    insider = make_user(Role.SITE_COORDINATOR, site=taking_part)
    login(outsider)
    assert client.get(f"/console/materials/files/{sites_only.id}").status_code == 404
    client.post("/logout")
    login(insider)
    assert client.get(f"/console/materials/files/{sites_only.id}").status_code == 200
    page = client.get(f"/console/site/{taking_part.id}/events/{event.id}").get_data(as_text=True)
    assert "Hướng dẫn kết nối điểm cầu" in page and "Chương trình" in page
    public_page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Chương trình" in public_page and "Hướng dẫn kết nối điểm cầu" not in public_page
    assert public.download_count == 0


def test_links_are_http_only_and_shown_to_their_audience(client, login, organiser, make_event,
                                                         make_registration) -> None:
    event = make_event(starts_in=timedelta(days=-2))
    login(organiser)
    bad = client.post(f"/console/materials/events/{event.id}/links", data={
        "kind": "recording", "title": "Ghi hình", "url": "javascript:alert(1)", "audience": "public"})
    assert bad.status_code == 422 and db.session.query(EventLink).count() == 0
    for kind, title, audience in (("recording", "Ghi hình buổi sáng", "registrants"),
                                  ("livestream", "Phát trực tiếp", "public")):
        assert client.post(f"/console/materials/events/{event.id}/links", data={
            "kind": kind, "title": title, "url": f"https://video.example.vn/{kind}",
            "audience": audience}).status_code == 302
    client.post("/logout")
    public_page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Phát trực tiếp" in public_page and "Ghi hình buổi sáng" not in public_page
    registration = make_registration(event)
    token = current_ticket(registration)
    db.session.commit()
    ticket_page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert "Ghi hình buổi sáng" in ticket_page and "https://video.example.vn/recording" in ticket_page


def test_the_console_shows_each_files_download_count(client, login, organiser, make_event, make_material) -> None:
    event = make_event()
    material = make_material(event)
    for _ in range(3):
        assert client.get(f"/events/{event.id}/materials/{material.id}").status_code == 200
    login(organiser)
    page = client.get(f"/console/materials/events/{event.id}").get_data(as_text=True)
    assert '<td class="text-end" data-download-count>3</td>' in page
    assert "1 tệp · 3 lượt tải" in client.get("/console/materials/").get_data(as_text=True)


def test_removing_a_file_removes_its_bytes(client, login, organiser, make_event, make_material) -> None:
    event = make_event()
    material = make_material(event)
    path = storage.path_of(material.storage_key)
    login(organiser)
    assert client.post(f"/console/materials/files/{material.id}/delete").status_code == 302
    assert db.session.query(Material).count() == 0 and not path.exists()


def test_an_upload_without_the_forms_token_is_refused(app, client, login, organiser, make_event) -> None:
    event = make_event()
    login(organiser)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = _upload(client, event.id, PDF, "tai-lieu.pdf")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert db.session.query(Material).count() == 0


def test_a_hostile_file_name_never_reaches_a_header_or_the_disk(client, make_event, make_material) -> None:
    event = make_event()
    material = make_material(event, filename='../../etc/x"\r\nSet-Cookie: a=b;.pdf')
    assert material.filename == "xSet-Cookie: a=b.pdf"  # its last part, without quotes, ";" or line breaks
    response = client.get(f"/events/{event.id}/materials/{material.id}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert storage.path_of(material.storage_key).parent == storage.folder()
