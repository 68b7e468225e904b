"""Site coordinators: own site only, one-by-one entry, file import with preview and all-or-nothing."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from eventapp.accounts.models import Role
from eventapp.directory.models import Person
from eventapp.events.models import EventMode, EventSite
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.registrations.models import (
    CancelledBy,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)
from eventapp.spreadsheets import csv_bytes

S = RegistrationStatus


@pytest.fixture
def setup(make_event, make_site, add_site_to_event, make_user, login):
    event = make_event(capacity=50)
    mine, other = make_site(), make_site()
    add_site_to_event(event, mine, quota=3)
    add_site_to_event(event, other, quota=3)
    coordinator = make_user(Role.SITE_COORDINATOR, site=mine)
    login(coordinator)
    return event, mine, other


def _person(data: dict) -> dict:
    return {"full_name": "", "email": "", "phone": "", "position": "", **data}


def test_index_shows_quota_used_left_and_deadline(client, setup, make_registration) -> None:
    event, mine, other = setup
    make_registration(event, site=mine, channel=RegistrationChannel.SITE)
    make_registration(event, site=other, channel=RegistrationChannel.SITE)
    db.session.commit()
    text = client.get("/console/site/").get_data(as_text=True)
    assert f'data-site="{mine.id}"' in text and f'data-site="{other.id}"' not in text
    assert re.search(r'data-used>1<.*data-left>2<', text, re.S)


def test_other_sites_are_not_found(client, setup, make_registration, make_person) -> None:
    event, mine, other = setup
    theirs = make_registration(event, make_person(full_name="Người tỉnh khác"), site=other,
                               channel=RegistrationChannel.SITE)
    db.session.commit()
    for url in (f"/console/site/{other.id}/events/{event.id}", f"/console/site/{other.id}/people.json?q=ng",
                f"/console/site/registrations/{theirs.id}/edit"):
        assert client.get(url).status_code == 404, url
    for url in (f"/console/site/{other.id}/events/{event.id}/add", f"/console/site/registrations/{theirs.id}/cancel",
                f"/console/site/{other.id}/events/{event.id}/import",
                f"/console/site/{other.id}/events/{event.id}/import/confirm"):
        assert client.post(url, data=_person({"full_name": "X"})).status_code == 404, url
    db.session.expire_all()
    assert theirs.status == S.APPROVED
    assert "Người tỉnh khác" not in client.get(f"/console/site/{mine.id}/events/{event.id}").get_data(as_text=True)


def test_coordinator_of_an_organisation_manages_its_sites_only(client, app, make_event, make_site, make_organisation,
                                                               add_site_to_event, make_user) -> None:
    org = make_organisation(name="Sở TT&TT Quảng Ninh")
    one, two, foreign = make_site(organisation=org), make_site(organisation=org), make_site()
    event = make_event()
    for site in (one, two, foreign):
        add_site_to_event(event, site)
    user = make_user(Role.SITE_COORDINATOR, site=one)
    user.site_id, user.organisation_id = None, org.id
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert client.get(f"/console/site/{two.id}/events/{event.id}").status_code == 200
    assert client.get(f"/console/site/{foreign.id}/events/{event.id}").status_code == 404


def test_add_one_until_the_quota_then_refuse(client, setup) -> None:
    event, mine, _other = setup
    url = f"/console/site/{mine.id}/events/{event.id}/add"
    for i in range(3):
        assert client.post(url, data=_person({"full_name": f"Cán bộ {i}", "phone": "0203 3835 123"})).status_code == 302
    refused = client.post(url, data=_person({"full_name": "Cán bộ 4"}))
    assert refused.status_code == 422 and "is-invalid" in refused.get_data(as_text=True)
    regs = db.session.scalars(sa.select(Registration)).all()
    assert len(regs) == 3 and {r.channel for r in regs} == {RegistrationChannel.SITE}
    assert {r.person.organisation_id for r in regs} == {mine.organisation_id}


def test_autocomplete_offers_only_the_sites_organisation(client, setup, make_person) -> None:
    _event, mine, other = setup
    make_person(full_name="Ngô Thị Mai", organisation_id=mine.organisation_id)
    make_person(full_name="Ngô Văn Nam", organisation_id=other.organisation_id)
    db.session.commit()
    found = client.get(f"/console/site/{mine.id}/people.json?q=Ngô").get_json()
    assert [p["full_name"] for p in found] == ["Ngô Thị Mai"]


def test_edit_and_cancel_until_the_deadline(client, setup, make_person, make_registration) -> None:
    event, mine, _other = setup
    registration = make_registration(event, make_person(organisation_id=mine.organisation_id), site=mine,
                                     channel=RegistrationChannel.SITE)
    db.session.commit()
    response = client.post(f"/console/site/registrations/{registration.id}/edit",
                           data=_person({"full_name": "Tên mới", "position": "Chuyên viên"}))
    assert response.status_code == 302
    # The row's button asks first: the page names the person and changes nothing.
    page = client.get(f"/console/site/registrations/{registration.id}/cancel")
    assert page.status_code == 200 and "Tên mới" in page.get_data(as_text=True)
    db.session.expire_all()
    assert registration.status == S.APPROVED
    assert client.post(f"/console/site/registrations/{registration.id}/cancel").status_code == 302
    db.session.expire_all()
    assert registration.person.full_name == "Tên mới"
    assert registration.status == S.CANCELLED and registration.cancelled_by == CancelledBy.COORDINATOR
    event.registration_closes_at = datetime.now(UTC) - timedelta(minutes=1)
    late = make_registration(event, make_person(), site=mine, channel=RegistrationChannel.SITE)
    db.session.commit()
    client.post(f"/console/site/registrations/{late.id}/cancel")
    db.session.expire_all()
    assert late.status == S.APPROVED
    assert "data-usage" in client.get(f"/console/site/{mine.id}/events/{event.id}").get_data(as_text=True)


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, event, site, data: bytes, name: str):
    return client.post(f"/console/site/{site.id}/events/{event.id}/import",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _results(html: str) -> dict[int, str]:
    return {int(n): r for n, r in re.findall(r'data-row="(\d+)" data-result="(\w+)"', html)}


def test_preview_reports_errors_duplicates_and_over_quota_then_imports(client, setup, make_registration,
                                                                       make_person) -> None:
    event, mine, _other = setup
    make_registration(event, make_person(email="da-co@so.gov.vn"), site=mine, channel=RegistrationChannel.SITE)
    db.session.commit()
    data = _xlsx([["Họ và tên", "E-mail", "Điện thoại", "Chức vụ"],
                  ["Lý Văn A", "a@so.gov.vn", "0912345678", "Chuyên viên"],
                  ["", "b@so.gov.vn", "", ""],                       # 3: no name
                  ["Mai C", "not-an-email", "", ""],                 # 4: bad e-mail
                  ["Trịnh D", "da-co@so.gov.vn", "", ""],            # 5: already registered
                  ["Lý Văn A", "A@so.gov.vn", "", ""],               # 6: twice in the file
                  ["@SUM(1+1)*cmd", "", "", ""],                     # 7: valid (text), within quota
                  ["Hà G", "g@so.gov.vn", "", ""]])                  # 8: beyond the quota (2 left)
    preview = _upload(client, event, mine, data, "danh-sach.xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert _results(html) == {2: "ok", 3: "error", 4: "error", 5: "duplicate", 6: "duplicate", 7: "ok",
                              8: "over_quota"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1  # nothing yet
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    done = client.post(f"/console/site/{mine.id}/events/{event.id}/import/confirm", data={"payload": payload})
    assert done.status_code == 302
    names = set(db.session.scalars(sa.select(Person.full_name).join(Registration)))
    assert {"Lý Văn A", "@SUM(1+1)*cmd"} <= names and len(names) == 3


def test_import_is_all_or_nothing_when_things_changed(client, setup, make_registration) -> None:
    event, mine, _other = setup
    data = csv_bytes(["full_name", "email"], [["Một", "1@so.vn"], ["Hai", "2@so.vn"], ["Ba", "3@so.vn"]])
    html = _upload(client, event, mine, data, "list.csv").get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    make_registration(event, site=mine, channel=RegistrationChannel.SITE)  # the quota shrinks meanwhile
    db.session.commit()
    response = client.post(f"/console/site/{mine.id}/events/{event.id}/import/confirm", data={"payload": payload})
    assert response.status_code == 409 and _results(response.get_data(as_text=True))[4] == "over_quota"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    tampered = client.post(f"/console/site/{mine.id}/events/{event.id}/import/confirm",
                           data={"payload": payload[:-3] + "abc"})
    assert tampered.status_code == 302


@pytest.mark.parametrize(("data", "name"), [
    (b"PK\x03\x04 not really a workbook", "x.xlsx"),
    ("Họ và tên\nAn".encode("utf-16"), "x.csv"),
    (b"", "x.csv"),
    (b"full_name\nAn", "x.pdf"),
    (b"email\na@b.vn", "x.csv"),
    (b"x" * (2 * 1024 * 1024 + 10), "big.csv"),
])
def test_bad_uploads_get_a_message_never_a_500(client, setup, data, name) -> None:
    event, mine, _other = setup
    response = _upload(client, event, mine, data, name)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "alert-danger" in page


def test_oversized_request_is_refused_with_the_413_page(client, app, setup) -> None:
    event, mine, _other = setup
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = _upload(client, event, mine, b"x" * 4096, "big.csv")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    assert response.status_code == 413


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_download(client, setup, fmt) -> None:
    response = client.get(f"/console/site/template.{fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        assert [c.value for c in next(load_workbook(io.BytesIO(response.data)).active.iter_rows())][0] == "Họ và tên"
    else:
        assert response.data.decode("utf-8-sig").startswith("Họ và tên")


def test_a_site_participant_is_told_their_site_room_and_link(client, setup) -> None:
    event, mine, _other = setup
    participation = db.session.scalar(sa.select(EventSite).where(EventSite.site_id == mine.id))
    participation.room, participation.join_url = "Phòng họp tầng 3", "https://meet.example.vn/so-tt-tt"
    event.mode, event.online_url = EventMode.HYBRID, "https://meet.example.vn/hoi-truong-chinh"
    db.session.commit()
    url = f"/console/site/{mine.id}/events/{event.id}/add"
    assert client.post(url, data=_person({"full_name": "Lê Thị Hoa", "email": "hoa@stttt.gov.vn"})).status_code == 302
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == "hoa@stttt.gov.vn"))
    assert mine.name in message.body_text and "Phòng họp tầng 3" in message.body_text
    assert "https://meet.example.vn/so-tt-tt" in message.body_text
    assert "hoi-truong-chinh" not in message.body_text and "lối vào" not in message.body_text
    invitation = message.ics.replace("\r\n ", "")
    assert f"LOCATION:{mine.name}\\, Phòng họp tầng 3" in invitation
    assert "CONFERENCE;" in invitation and "so-tt-tt" in invitation and "hoi-truong-chinh" not in invitation
    registration = db.session.scalar(sa.select(Registration))
    from eventapp.registrations.tickets import issue_ticket

    token = issue_ticket(registration)
    db.session.commit()
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert "data-site-place" in page and "Phòng họp tầng 3" in page and "so-tt-tt" in page


def test_the_site_event_page_shows_room_link_and_programme(client, setup) -> None:
    from eventapp.events.models import AgendaItem

    event, mine, _other = setup
    participation = db.session.scalar(sa.select(EventSite).where(EventSite.site_id == mine.id))
    participation.room, participation.join_url = "Phòng họp tầng 3", "https://meet.example.vn/so-tt-tt"
    db.session.add(AgendaItem(event_id=event.id, position=1, starts_at=event.starts_at,
                              ends_at=event.starts_at + timedelta(minutes=30), title="Kỹ năng phát ngôn",
                              speaker="Nguyễn Văn A", speaker_organisation_name="Cục Báo chí"))
    db.session.commit()
    page = client.get(f"/console/site/{mine.id}/events/{event.id}").get_data(as_text=True)
    assert "Phòng họp tầng 3" in page and "https://meet.example.vn/so-tt-tt" in page
    assert "Kỹ năng phát ngôn" in page and "Cục Báo chí" in page


def test_spreadsheet_phone_numbers_keep_their_leading_zero(client, setup) -> None:
    event, mine, _other = setup
    data = _xlsx([["Họ và tên", "E-mail", "Điện thoại"],
                  ["Lý Văn A", "a@so.gov.vn", 912000444],        # a number cell: the 0 was lost
                  ["Trần Thị B", "b@so.gov.vn", 84912000555]])   # +84 written as a number
    html = _upload(client, event, mine, data, "danh-sach.xlsx").get_data(as_text=True)
    assert _results(html) == {2: "ok", 3: "ok"}
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    client.post(f"/console/site/{mine.id}/events/{event.id}/import/confirm", data={"payload": payload})
    phones = dict(db.session.execute(sa.select(Person.full_name, Person.phone)).all())
    assert phones == {"Lý Văn A": "0912000444", "Trần Thị B": "+84912000555"}
    # Typed by hand without its 0, the number is refused with a message saying how to write it.
    refused = client.post(f"/console/site/{mine.id}/events/{event.id}/add",
                          data=_person({"full_name": "Cán bộ C", "phone": "912000666"}))
    assert refused.status_code == 422 and "0" in refused.get_data(as_text=True)


def test_a_site_without_seats_sees_why_instead_of_a_form(client, setup) -> None:
    event, mine, _other = setup
    db.session.scalar(sa.select(EventSite).where(EventSite.site_id == mine.id)).quota = 0
    db.session.commit()
    page = client.get(f"/console/site/{mine.id}/events/{event.id}").get_data(as_text=True)
    assert "data-no-quota" in page and 'name="full_name"' not in page


def test_a_site_whose_places_are_taken_is_told_before_typing(client, setup, make_registration, make_person) -> None:
    event, mine, _other = setup
    for _ in range(3):
        make_registration(event, make_person(organisation_id=mine.organisation_id), site=mine,
                          channel=RegistrationChannel.SITE)
    db.session.commit()
    page = client.get(f"/console/site/{mine.id}/events/{event.id}").get_data(as_text=True)
    assert "data-quota-full" in page  # said before anyone types a name that would be refused
