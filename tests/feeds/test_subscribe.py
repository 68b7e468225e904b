"""Subscribe UI on public pages and the console screen that issues and revokes feed links."""

from __future__ import annotations

import re

from eventapp.accounts.models import Role
from eventapp.feeds.models import CalendarToken


def test_home_and_event_pages_offer_subscription(client, world):
    home = client.get("/").get_data(as_text=True)
    assert 'href="webcal://localhost/calendar.ics"' in home
    assert 'value="http://localhost/calendar.ics" readonly' in home
    assert "data-copy-target=" in home and "/static/js/copy.js" in home
    assert "Google Calendar" in home and "Outlook" in home and "Apple Calendar" in home
    detail = client.get(f"/events/{world.one_off.id}").get_data(as_text=True)
    assert f"/events/{world.one_off.id}.ics" in detail
    assert "webcal://localhost/calendar/trainings.ics" in detail


def test_console_requires_staff(client, world, make_user, login):
    assert client.get("/console/calendars/").status_code == 302  # to the login page
    login(make_user(role=Role.CHECKIN_STAFF))
    assert client.get("/console/calendars/").status_code == 403


def test_organiser_issues_and_revokes_a_site_link(client, world, make_user, login, make_site):
    site = make_site(name="Sở TT&TT Quảng Ninh")
    login(make_user(role=Role.ORGANISER))
    page = client.get("/console/calendars/").get_data(as_text=True)
    assert "webcal://localhost/calendar/press-briefings.ics" in page
    issued = client.post("/console/calendars/site", data={"site_id": site.id, "action": "issue"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    url = re.search(r'value="http://localhost(/calendar/s/[^"]+\.ics)"', issued.get_data(as_text=True)).group(1)
    assert client.get(url).status_code == 200
    asked = client.post("/console/calendars/site", data={"site_id": site.id, "action": "revoke"})
    assert "Thu hồi đường dẫn lịch của Sở TT&amp;TT Quảng Ninh?" in asked.get_data(as_text=True)
    assert client.get(url).status_code == 200  # asked first: still working
    client.post("/console/calendars/site", data={"site_id": site.id, "action": "revoke", "confirmed": "1"})
    assert client.get(url).status_code == 404


def test_coordinator_only_for_own_site(client, world, make_user, login, make_site):
    mine, other = make_site(), make_site()
    login(make_user(role=Role.SITE_COORDINATOR, site=mine))
    assert client.post("/console/calendars/site", data={"site_id": other.id}).status_code == 404
    assert client.post("/console/calendars/site", data={"site_id": mine.id}).status_code == 200
    assert client.post("/console/calendars/person", data={"email": "x@example.vn"}).status_code == 403


def test_organiser_issues_a_personal_link(client, world, make_user, login, make_person, make_registration):
    person = make_person(email="phong.vien@baochi.vn")
    make_registration(world.one_off, person=person)
    login(make_user(role=Role.ORGANISER))
    assert client.post("/console/calendars/person", data={"email": "nobody@example.vn"}).status_code == 422
    issued = client.post("/console/calendars/person", data={"email": "Phong.Vien@baochi.vn", "action": "issue"})
    url = re.search(r'value="http://localhost(/calendar/u/[^"]+\.ics)"', issued.get_data(as_text=True)).group(1)
    assert world.one_off.title.encode() in client.get(url).data
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    from eventapp.extensions import db
    assert db.session.scalar(db.select(CalendarToken)).token_hash != token


def test_a_link_issued_in_the_console_takes_the_place_of_the_invitations(client, world, make_user, login,
                                                                          make_person, make_registration):
    from eventapp.directory.models import CalendarMode
    from eventapp.extensions import db
    from eventapp.mail.models import OutboxMessage

    person = make_person(email="phong.vien@baochi.vn")
    make_registration(world.one_off, person=person)  # invited when registered
    db.session.commit()
    login(make_user(role=Role.ORGANISER))
    client.post("/console/calendars/person", data={"email": "phong.vien@baochi.vn", "action": "issue"})
    db.session.refresh(person)
    assert person.calendar_mode == CalendarMode.SUBSCRIPTION  # never both paths
    withdrawn = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.ics_method == "CANCEL"))
    assert withdrawn is not None and withdrawn.to_address == "phong.vien@baochi.vn"
    client.post("/console/calendars/person", data={"email": "phong.vien@baochi.vn", "action": "revoke",
                                                   "confirmed": "1"})
    db.session.refresh(person)
    assert person.calendar_mode == CalendarMode.INVITATIONS  # and never neither
    assert db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.ics_method == "REQUEST")) is not None
