"""Organiser screens: list, filters, counts, bulk decisions, hand entry, exports,
announcements, accreditation, and a constant number of queries whatever the data size."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from eventapp.accounts.models import Role
from eventapp.audit import AuditEntry
from eventapp.directory.models import Organisation, OrganisationKind, Person
from eventapp.extensions import db
from eventapp.registrations import emails
from eventapp.registrations.models import (
    Accreditation,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)
from tests.registrations.conftest import messages

S = RegistrationStatus


@pytest.fixture
def organiser(make_user, login):
    user = make_user(Role.ORGANISER)
    login(user)
    return user


def test_list_filters_counts_and_escapes(client, organiser, make_event, make_person, make_registration,
                                         make_site, add_site_to_event) -> None:
    event = make_event(capacity=10)
    site = make_site()
    add_site_to_event(event, site)
    make_registration(event, make_person(full_name="<script>alert(1)</script>"))
    make_registration(event, make_person(full_name="Hoàng Lan"), status=S.PENDING)
    make_registration(event, make_person(full_name="Vũ Hải"), site=site, channel=RegistrationChannel.SITE)
    db.session.commit()
    page = client.get(f"/console/registrations/events/{event.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'data-count="approved" href' in text and "Hoàng Lan" in text
    pending = client.get(f"/console/registrations/events/{event.id}?status=pending").get_data(as_text=True)
    assert "Hoàng Lan" in pending and "Vũ Hải" not in pending
    by_site = client.get(f"/console/registrations/events/{event.id}?site={site.id}").get_data(as_text=True)
    assert "Vũ Hải" in by_site and "Hoàng Lan" not in by_site
    searched = client.get(f"/console/registrations/events/{event.id}?q=lan&channel=public").get_data(as_text=True)
    assert "Hoàng Lan" in searched and "Vũ Hải" not in searched
    assert client.get(f"/console/registrations/events/{event.id}?status=bogus").status_code == 200
    assert client.get(f"/console/registrations/events/{event.id}?page=x").status_code == 400  # issue #14


def test_bulk_decisions_email_reasons_and_are_audited(client, organiser, make_event, make_registration) -> None:
    event = make_event(capacity=1)
    regs = [make_registration(event, status=S.PENDING) for _ in range(3)]
    db.session.commit()
    response = client.post(f"/console/registrations/events/{event.id}/bulk", data={
        "ids": [str(r.id) for r in regs], "action": "approved", "reason": "Chào mừng <b>"})
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(r.status.value for r in regs) == ["approved", "waitlisted", "waitlisted"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 3
    approved_mail = messages(kind=emails.APPROVED)[0]
    assert "Chào mừng &lt;b&gt;" in approved_mail.body_html and "Chào mừng <b>" in approved_mail.body_text
    client.post(f"/console/registrations/events/{event.id}/bulk", data={
        "ids": [str(r.id) for r in regs if r.status == S.APPROVED], "action": "rejected", "confirmed": "1"})
    db.session.expire_all()
    assert sorted(r.status.value for r in regs) == ["approved", "rejected", "waitlisted"]  # promoted
    other = make_registration(make_event())
    db.session.commit()
    client.post(f"/console/registrations/events/{event.id}/bulk", data={"ids": [str(other.id)], "action": "cancelled",
                                                                       "confirmed": "1"})
    db.session.expire_all()
    assert other.status == S.APPROVED  # only this event's registrations can be touched


def test_bulk_cancel_asks_first_with_the_count(client, organiser, make_event, make_registration,
                                               make_person) -> None:
    event = make_event()
    regs = [make_registration(event, person=make_person(f"Người số {i}")) for i in range(3)]
    db.session.commit()
    data = {"ids": [str(r.id) for r in regs[:2]], "action": "cancelled", "reason": "Trùng lịch",
            "back": f"/console/registrations/events/{event.id}"}
    asked = client.post(f"/console/registrations/events/{event.id}/bulk", data=data)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Hủy 2 đăng ký?" in page and "Người số 0" in page and "Người số 2" not in page
    db.session.expire_all()
    assert all(r.status == S.APPROVED for r in regs)  # nothing changed yet, nobody e-mailed
    assert not messages(kind=emails.CANCELLED)
    done = client.post(f"/console/registrations/events/{event.id}/bulk", data={**data, "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert [r.status for r in regs] == [S.CANCELLED, S.CANCELLED, S.APPROVED]
    table = client.get(f"/console/registrations/events/{event.id}").get_data(as_text=True)
    assert 'data-select-all="ids"' in table  # one box ticks the whole page


def test_add_by_hand_and_duplicate_is_a_field_error(client, organiser, make_event) -> None:
    event = make_event()
    db.session.commit()
    data = {"full_name": "Đỗ Quang", "email": "quang@ubnd.vn", "phone": "", "position": "", "organisation_id": "",
            "site_id": ""}
    assert client.post(f"/console/registrations/events/{event.id}/add", data=data).status_code == 302
    again = client.post(f"/console/registrations/events/{event.id}/add", data=data)
    assert again.status_code == 422 and "is-invalid" in again.get_data(as_text=True)
    [registration] = db.session.scalars(sa.select(Registration)).all()
    assert registration.channel == RegistrationChannel.CONSOLE and registration.status == S.APPROVED


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas_and_keep_vietnamese(client, organiser, make_event, make_person,
                                                         make_registration, fmt) -> None:
    event = make_event()
    make_registration(event, make_person(full_name="=HYPERLINK(\"http://x\")", position="+84 Phó <b>giám đốc</b>"))
    make_registration(event, make_person(full_name="Nguyễn Thị Hằng"))
    db.session.commit()
    response = client.get(f"/console/registrations/events/{event.id}/export.{fmt}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        body = response.data
        assert body.startswith(b"\xef\xbb\xbf")
        text = body.decode("utf-8-sig")
        assert "'=HYPERLINK" in text and "'+84 Phó" in text and "Nguyễn Thị Hằng" in text
    else:
        sheet = load_workbook(io.BytesIO(response.data)).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        assert "'=HYPERLINK(\"http://x\")" in values and "Nguyễn Thị Hằng" in values
        assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def _count_queries(app, fn) -> int:
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def _fill(event, count: int, site, outlets) -> None:
    people = [Person(full_name=f"Người {i}", email=f"n{event.id}-{i}@b.vn", email_normalised=f"n{event.id}-{i}@b.vn",
                     organisation_id=outlets[i % len(outlets)].id) for i in range(count)]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all([Registration(event_id=event.id, person_id=p.id, channel=RegistrationChannel.PUBLIC,
                                     status=list(S)[i % 5], site_id=site.id if i % 3 == 0 else None)
                        for i, p in enumerate(people)])
    db.session.commit()


def test_registrations_page_query_count_does_not_grow(app, client, organiser, make_event, make_site,
                                                      add_site_to_event) -> None:
    outlets = [Organisation(kind=OrganisationKind.PRESS_OUTLET, name=f"Báo {i}") for i in range(5)]
    db.session.add_all(outlets)
    small, large = make_event(), make_event()
    site = make_site()
    add_site_to_event(small, site)
    add_site_to_event(large, site)
    _fill(small, 10, site, outlets)
    _fill(large, 2000, site, outlets)
    counts = {}
    for event in (small, large):
        url = f"/console/registrations/events/{event.id}"
        client.get(url)  # warm caches (user loading etc.) the same way for both
        counts[event.id] = _count_queries(app, lambda url=url: client.get(url))
    assert counts[small.id] == counts[large.id] > 3, counts
    for query in ("?status=approved", f"?site={site.id}&q=1", "?page=3"):
        url = f"/console/registrations/events/{large.id}{query}"
        assert _count_queries(app, lambda url=url: client.get(url)) == counts[large.id]


def test_announce_reaches_coordinators_units_and_accredited_journalists_once(
        client, organiser, make_event, make_user, make_site, make_person) -> None:
    make_user(Role.SITE_COORDINATOR, email="coord@so.gov.vn", site=make_site())
    db.session.add(Organisation(kind=OrganisationKind.MINISTRY_UNIT, name="Cục A", email="coord@so.gov.vn"))
    db.session.add(Organisation(kind=OrganisationKind.MINISTRY_UNIT, name="Cục B", email="cucb@mic.gov.vn"))
    journalist = make_person(email="pv@baochi.vn")
    db.session.add(Accreditation(person_id=journalist.id, status="approved"))
    make_person(email="not-accredited@baochi.vn")
    event = make_event()
    db.session.commit()
    assert client.get(f"/console/registrations/events/{event.id}/announce").status_code == 200
    data = {"coordinators": "y", "units": "y", "journalists": "y", "note": "Xin mời đăng ký sớm."}
    check = client.post(f"/console/registrations/events/{event.id}/announce", data=data)
    page = check.get_data(as_text=True)
    # First the count and a preview: nothing is queued before the organiser confirms.
    assert 'data-announce-count="3"' in page and "Xin mời đăng ký sớm." in page and "data-announce-sample" in page
    assert messages(kind=emails.ANNOUNCEMENT) == []
    client.post(f"/console/registrations/events/{event.id}/announce", data={**data, "confirmed": "yes"})
    sent = sorted(m.to_address for m in messages(kind=emails.ANNOUNCEMENT))
    assert sent == ["coord@so.gov.vn", "cucb@mic.gov.vn", "pv@baochi.vn"]
    assert f"/events/{event.id}/register" in messages(kind=emails.ANNOUNCEMENT)[0].body_text


def test_coordinators_are_sent_to_their_site_page_with_their_quota(
        client, organiser, make_event, make_user, make_site, add_site_to_event) -> None:
    taking_part, other = make_site(), make_site()
    make_user(Role.SITE_COORDINATOR, email="coord@so.gov.vn", site=taking_part)
    make_user(Role.SITE_COORDINATOR, email="elsewhere@so.gov.vn", site=other)
    event = make_event()
    add_site_to_event(event, taking_part, quota=7)
    db.session.commit()
    client.post(f"/console/registrations/events/{event.id}/announce",
                data={"coordinators": "y", "confirmed": "yes", "note": ""})
    [message] = messages(kind=emails.ANNOUNCEMENT)
    assert message.to_address == "coord@so.gov.vn"  # only coordinators of sites taking part
    assert f"/console/site/{taking_part.id}/events/{event.id}" in message.body_text
    assert "7" in message.body_text and taking_part.name in message.body_text
    assert f"/events/{event.id}/register" not in message.body_text


def test_person_history_accreditation_and_outlet_confirmation(client, organiser, make_event, make_person,
                                                              make_registration) -> None:
    person = make_person()
    make_registration(make_event(title="Họp báo tháng 11"), person)
    outlet = Organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Mới", is_confirmed=False)
    db.session.add(outlet)
    db.session.commit()
    page = client.get(f"/console/registrations/people/{person.id}").get_data(as_text=True)
    assert "Họp báo tháng 11" in page
    assert client.post(f"/console/registrations/people/{person.id}/accredit",
                       data={"series_id": "", "valid_until": "2030-12-31", "note": ""}).status_code == 302
    assert db.session.scalar(sa.select(Accreditation.status)) == "approved"
    assert "Báo Mới" in client.get("/console/registrations/outlets").get_data(as_text=True)
    client.post(f"/console/registrations/outlets/{outlet.id}/confirm")
    db.session.expire_all()
    assert outlet.is_confirmed
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"accreditation.approve", "outlet.confirm"} <= actions


def test_a_re_posted_confirmation_does_not_announce_twice(client, organiser, make_event, make_person) -> None:
    journalist = make_person(email="pv@baochi.vn")
    db.session.add(Accreditation(person_id=journalist.id, status="approved"))
    event = make_event()
    db.session.commit()
    url = f"/console/registrations/events/{event.id}/announce"
    data = {"journalists": "y", "note": ""}
    preview = client.post(url, data=data).get_data(as_text=True)
    key = preview.split('name="confirmed" type="hidden" value="')[1].split('"')[0]
    assert len(key) >= 12
    client.post(url, data={**data, "confirmed": key})
    again = client.post(url, data={**data, "confirmed": key}, follow_redirects=True)
    assert "không gửi lại lần nữa" in again.get_data(as_text=True)
    assert [m.to_address for m in messages(kind=emails.ANNOUNCEMENT)] == ["pv@baochi.vn"]
    # A new preview is a new announcement: the organiser may send it again on purpose.
    second = client.post(url, data=data).get_data(as_text=True)
    client.post(url, data={**data, "confirmed": second.split('name="confirmed" type="hidden" value="')[1]
                           .split('"')[0]})
    assert len(messages(kind=emails.ANNOUNCEMENT)) == 2
