"""A coordinator typing someone else's e-mail (another organisation's person, or anyone registered
through another site or the venue) gets one neutral refusal and learns nothing about them."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from openpyxl import Workbook

from eventapp.accounts.models import Role
from eventapp.directory.models import Person
from eventapp.extensions import db
from eventapp.registrations.models import Registration, RegistrationChannel, RegistrationStatus
from eventapp.spreadsheets import csv_bytes


def vi(text: str) -> str:
    """The page's wording (Vietnamese when translated), so the test holds before and after translation."""
    with force_locale("vi"):
        return gettext(text)


NEUTRAL = "This person cannot be registered by your site; please ask the organisers."
ALREADY = "This person is already registered for this event."
ALREADY_ROW = "Already registered for this event."
SECRETS = ("Lê Bí Mật", "0987654321", "Giám đốc", "Trương Hữu Ích", "0977111222", "Phùng Văn Xa")


@pytest.fixture
def world(make_event, make_site, add_site_to_event, make_person, make_registration, make_user, login):
    event = make_event(capacity=50)
    mine, other = make_site(), make_site()
    add_site_to_event(event, mine, quota=5)
    add_site_to_event(event, other, quota=5)
    people = {
        "secret": make_person(full_name="Lê Bí Mật", email="secret@other.vn", phone="0987654321",
                              position="Giám đốc", organisation_id=other.organisation_id),
        "theirs": make_person(full_name="Trương Hữu Ích", email="theirs@other.vn", phone="0977111222",
                              organisation_id=other.organisation_id),
        "public": make_person(full_name="Phùng Văn Xa", email="pv@baochi.vn"),
        "colleague": make_person(full_name="Đinh Công Tác", email="ct@mine.vn",
                                 organisation_id=mine.organisation_id),
        "own": make_person(full_name="Hồ Đã Có", email="da-co@mine.vn", organisation_id=mine.organisation_id),
    }
    registrations = {
        "theirs": make_registration(event, people["theirs"], site=other, channel=RegistrationChannel.SITE),
        "public": make_registration(event, people["public"]),
        "colleague": make_registration(event, people["colleague"]),  # the venue, not the site
        "own": make_registration(event, people["own"], site=mine, channel=RegistrationChannel.SITE),
    }
    login(make_user(Role.SITE_COORDINATOR, site=mine))
    db.session.commit()
    return event, mine, other, people, registrations


def _feedback(html: str) -> list[str]:
    return [" ".join(t.split()) for t in re.findall(r'invalid-feedback[^>]*>([^<]*)', html) if t.strip()]


def _unchanged(people: dict, registrations: dict, other) -> None:
    db.session.expire_all()
    assert people["secret"].phone == "0987654321" and people["secret"].organisation_id == other.organisation_id
    assert people["public"].organisation_id is None
    assert {r.site_id for r in registrations.values()} == {other.id, None, registrations["own"].site_id}
    assert all(r.status == RegistrationStatus.APPROVED for r in registrations.values())
    assert not db.session.scalar(sa.select(sa.exists().where(
        Registration.person_id == people["secret"].id)))


@pytest.mark.parametrize("key", ["secret", "theirs", "public", "colleague"])
def test_someone_elses_person_gets_one_neutral_answer(client, world, key) -> None:
    event, mine, other, people, registrations = world
    response = client.post(f"/console/site/{mine.id}/events/{event.id}/add",
                           data={"full_name": "Tên gõ vào", "email": people[key].email.upper(), "phone": "",
                                 "position": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and _feedback(html) == [vi(NEUTRAL)]
    page = html + client.get(f"/console/site/{mine.id}/events/{event.id}").get_data(as_text=True)
    assert not [s for s in SECRETS if s in page] and vi(ALREADY) not in page
    _unchanged(people, registrations, other)


def test_own_sites_registration_is_named_a_duplicate_and_new_people_register(client, world) -> None:
    event, mine, _other, _people, _registrations = world
    url = f"/console/site/{mine.id}/events/{event.id}/add"
    duplicate = client.post(url, data={"full_name": "Hồ Đã Có", "email": "da-co@mine.vn"})
    assert duplicate.status_code == 422 and _feedback(duplicate.get_data(as_text=True)) == [vi(ALREADY)]
    assert client.post(url, data={"full_name": "Người Mới", "email": "moi@mine.vn"}).status_code == 302
    added = db.session.scalar(sa.select(Person).where(Person.email_normalised == "moi@mine.vn"))
    assert added.organisation_id == mine.organisation_id and added.registrations[0].site_id == mine.id


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ROWS = [["Một", "secret@other.vn"], ["Hai", "theirs@other.vn"], ["Ba", "pv@baochi.vn"],
        ["Bốn", "ct@mine.vn"], ["Năm", "da-co@mine.vn"], ["Sáu", "sau@mine.vn"], ["Bảy", "later@mine.vn"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_preview_names_only_the_sites_own_registrations(client, world, make_person, fmt) -> None:
    event, mine, other, people, registrations = world
    data = csv_bytes(["Họ và tên", "E-mail"], ROWS) if fmt == "csv" else _xlsx([["Họ và tên", "E-mail"], *ROWS])
    base = f"/console/site/{mine.id}/events/{event.id}/import"
    preview = client.post(base, data={"file": (io.BytesIO(data), f"ds.{fmt}")}, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    results = {int(n): r for n, r in re.findall(r'data-row="(\d+)" data-result="(\w+)"', html)}
    assert results == {2: "error", 3: "error", 4: "error", 5: "error", 6: "duplicate", 7: "ok", 8: "ok"}
    assert html.count(vi(NEUTRAL)) == 4 and html.count(vi(ALREADY_ROW)) == 1
    assert not [s for s in SECRETS if s in html]

    # someone else's person appears between preview and import: nothing is imported or touched
    stranger = make_person(full_name="Người Lạ", email="later@mine.vn", phone="0911000000",
                           organisation_id=other.organisation_id)
    db.session.commit()
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    done = client.post(base + "/confirm", data={"payload": payload})
    assert done.status_code == 409 and "Người Lạ" not in done.get_data(as_text=True)
    db.session.expire_all()
    assert stranger.organisation_id == other.organisation_id and stranger.full_name == "Người Lạ"
    assert not db.session.scalar(sa.select(Person.id).where(Person.email_normalised == "sau@mine.vn"))
    _unchanged(people, registrations, other)


def test_import_rows_without_email_match_only_the_organisations_free_people(client, world, make_person,
                                                                           make_registration) -> None:
    event, mine, _other, _people, _registrations = world
    at_venue = make_person(full_name="Ngô Văn Nội", organisation_id=mine.organisation_id, phone="0203 111 222")
    at_venue.set_email(None)
    make_registration(event, at_venue)
    db.session.commit()
    data = csv_bytes(["Họ và tên", "Điện thoại"], [["Ngô Văn Nội", ""], ["Ngô Văn Nội", "0999 999 999"]])
    preview = client.post(f"/console/site/{mine.id}/events/{event.id}/import",
                          data={"file": (io.BytesIO(data), "ds.csv")}, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    results = {int(n): r for n, r in re.findall(r'data-row="(\d+)" data-result="(\w+)"', html)}
    assert results == {2: "error", 3: "ok"} and "0203 111 222" not in html
