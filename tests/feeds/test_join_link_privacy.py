"""The online join link is private: no anonymous response anywhere carries it (every GET route of
the app is asked); invitations, the ticket, the personal feed and a taking-part site's feed do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import url_for
from icalendar import Calendar

from eventapp.calendar import recurrence
from eventapp.directory.models import Site
from eventapp.events.models import AgendaItem, Event, EventKind, EventMode, EventSite
from eventapp.extensions import db
from eventapp.feeds import tokens
from eventapp.feeds.models import CalendarScope
from eventapp.feeds.services import KIND_SLUGS
from eventapp.mail.models import OutboxMessage
from eventapp.registrations import public, services
from eventapp.registrations.models import Registration, RegistrationChannel, RegistrationStatus
from eventapp.registrations.tickets import issue_ticket
from tests.feeds.conftest import build_series

EVENT_LINK = "https://meet.example.vn/hop-EVENTSECRET41"
SERIES_LINK = "https://meet.example.vn/chuoi-SERIESSECRET52"
SITE_LINK = "https://meet.example.vn/diem-cau-SITESECRET63"
# Distinctive parts of each link: they survive URL-encoding and HTML escaping unchanged.
SECRETS = ("EVENTSECRET41", "SERIESSECRET52", "SITESECRET63")
UNKNOWN_TOKEN = "x" * 43


@dataclass
class Hybrid:
    """A published hybrid event and series with links, two taking-part sites and one that is not."""

    event: Event
    occurrence: Event
    agenda_item: AgendaItem
    own_link_site: Site
    plain_site: Site
    other_site: Site
    registration: Registration  # a journalist's own, confirmed
    site_registration: Registration  # confirmed, through the site with its own link
    pending: Registration


@pytest.fixture
def hybrid(app, make_event, make_site, make_person, make_registration) -> Hybrid:
    now = datetime.now(UTC).replace(microsecond=0)
    event = make_event(title="Tập huấn kết hợp", kind=EventKind.TRAINING, mode=EventMode.HYBRID,
                       online_url=EVENT_LINK, starts_in=timedelta(days=9), capacity=50)
    item = AgendaItem(event=event, position=1, starts_at=event.starts_at,
                      ends_at=event.starts_at + timedelta(minutes=30), title="Khai mạc")
    db.session.add(item)
    series = build_series(
        title="Họp báo kết hợp hằng tuần", rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart_local=recurrence.first_on_or_after(
            "FREQ=WEEKLY;BYDAY=TU", (now - timedelta(days=3)).date(),
            datetime.min.time().replace(hour=9), "Asia/Ho_Chi_Minh"),
        duration_minutes=60, mode=EventMode.HYBRID, venue="Hội trường tầng 3", online_url=SERIES_LINK,
        until=now + timedelta(days=60))
    occurrence = min((e for e in series.occurrences if e.starts_at > now), key=lambda e: e.starts_at)
    own, plain, other = make_site(name="Sở TT&TT Quảng Ninh"), make_site(), make_site()
    for target in (event, occurrence):
        db.session.add(EventSite(event_id=target.id, site_id=own.id, quota=5, join_url=SITE_LINK,
                                 room="Phòng họp trực tuyến"))
        db.session.add(EventSite(event_id=target.id, site_id=plain.id, quota=5))
    registration = make_registration(event, make_person(full_name="Lê Thị Hoa", email="hoa@baochi.vn"))
    site_registration = make_registration(event, make_person(full_name="Vũ Văn Nam", email="nam@qn.gov.vn"),
                                          site=own, channel=RegistrationChannel.SITE)
    pending = make_registration(event, make_person(email="cho@baochi.vn"), status=RegistrationStatus.PENDING)
    db.session.commit()
    return Hybrid(event=event, occurrence=occurrence, agenda_item=item, own_link_site=own, plain_site=plain,
                  other_site=other, registration=registration, site_registration=site_registration,
                  pending=pending)


def _leaks(response) -> list[str]:
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    text = response.get_data(as_text=False).decode("utf-8", "replace") + "\n" + headers
    return [secret for secret in SECRETS if secret.lower() in text.lower()]


def _values(world: Hybrid) -> dict[str, list[object]]:
    """Real ids for each URL argument an anonymous visitor could name (and a guessed token)."""
    return {
        "event_id": [world.event.id, world.occurrence.id],
        "series_id": [world.occurrence.series_id],
        "kind": list(KIND_SLUGS),
        "token": [UNKNOWN_TOKEN],
        "site_id": [world.own_link_site.id, world.plain_site.id],
        "item_id": [world.agenda_item.id],
        "registration_id": [world.registration.id],
        "person_id": [world.registration.person_id],
        "user_id": [1],
        "message_id": [1],
        "fmt": ["csv", "xlsx"],
        # Later packages' ids: any id is fine here (anonymous: refused or 404), what matters is that
        # no response, whatever it says, carries the join link.
        **{name: [1] for name in ("question_id", "assignment_id", "answer_id", "material_id", "link_id",
                                  "evaluation_question_id")},
        "action": ["start"],
        "signature": ["0" * 40],
        "code": ["ABCD-EFGH-JKLM-NPQR"],
    }


def _public_urls(app, world: Hybrid) -> list[str]:
    values = _values(world)
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        names = sorted(rule.arguments)
        missing = [name for name in names if name not in values]
        assert not missing, f"{rule.rule}: add real values for {missing} to this test"
        for combination in product(*(values[name] for name in names)):
            with app.test_request_context():
                urls.append(url_for(rule.endpoint, **dict(zip(names, combination, strict=True))))
    return urls


def test_no_anonymous_response_anywhere_carries_a_join_link(app, client, hybrid) -> None:
    urls = _public_urls(app, hybrid)
    urls += [f"/api/v1/events?kind={EventKind.TRAINING.value}", "/api/v1/events?limit=500"]
    assert {"/calendar.ics", "/api/v1/events", f"/events/{hybrid.event.id}.ics",
            f"/api/v1/events/{hybrid.event.id}", f"/events/{hybrid.event.id}"} <= set(urls)
    leaked, shown = {}, set()
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            shown.add(url)
        if found := _leaks(response):
            leaked[url] = found
    assert leaked == {}
    # The routes really showed the events (not a 404 that trivially leaks nothing).
    for url in ("/calendar.ics", "/calendar/trainings.ics", "/calendar/press-briefings.ics",
                f"/events/{hybrid.event.id}.ics", f"/events/{hybrid.occurrence.id}.ics",
                f"/api/v1/events/{hybrid.event.id}", f"/events/{hybrid.event.id}",
                f"/series/{hybrid.occurrence.series_id}", "/api/v1/events", "/"):
        assert url in shown, url
    assert hybrid.event.title in client.get("/calendar.ics").get_data(as_text=True)


def test_public_page_says_how_to_get_the_link_and_google_link_has_none(client, hybrid) -> None:
    page = client.get(f"/events/{hybrid.event.id}").get_data(as_text=True)
    assert "Đường dẫn tham gia sẽ được gửi tới những người đã đăng ký." in page
    google = page[page.index("https://calendar.google.com/calendar/render?"):].split('"')[0]
    assert "EVENTSECRET41" not in google and "meet.example.vn" not in google
    assert quote(f"/events/{hybrid.event.id}", safe="") in google  # it points back to the page


def test_public_api_and_its_schema_have_no_join_link(client, hybrid) -> None:
    body = client.get(f"/api/v1/events/{hybrid.event.id}").get_json()
    assert body["mode"] == "hybrid" and "online_url" not in body
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Event"]
    assert "online_url" not in schema["properties"] and schema["additionalProperties"] is False


def _vevent(body: bytes, uid: str) -> dict:
    [found] = [e for e in Calendar.from_ical(body).walk("VEVENT")
               if str(e["UID"]) == uid and "RECURRENCE-ID" not in e]
    return found


def _has_link_everywhere(vevent: dict, link: str) -> None:
    assert str(vevent["URL"]) == link
    assert link in str(vevent["LOCATION"]) and link in str(vevent["DESCRIPTION"])
    assert str(vevent["CONFERENCE"]) == link


def test_the_invitation_of_a_confirmed_registrant_carries_the_link(hybrid) -> None:
    public.submit_public(hybrid.event, services.Applicant(full_name="Phạm Minh", email="minh@baochi.vn"))
    db.session.commit()  # the calendar reconciler attaches the REQUEST as the transaction commits
    message = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == "minh@baochi.vn", OutboxMessage.ics.is_not(None)))
    assert "METHOD:REQUEST" in message.ics
    [vevent] = [e for calendar in Calendar.from_ical(message.ics, multiple=True)
                for e in calendar.walk("VEVENT") if str(e["UID"]) == hybrid.event.uid]
    _has_link_everywhere(vevent, EVENT_LINK)
    assert EVENT_LINK in message.body_text and "SITESECRET63" not in message.ics


def test_the_ticket_page_shows_the_link_and_a_site_participant_their_site_link(client, hybrid) -> None:
    token, site_token = issue_ticket(hybrid.registration), issue_ticket(hybrid.site_registration)
    db.session.commit()
    page = client.get(f"/ticket/{token}")
    assert page.status_code == 200 and EVENT_LINK in page.get_data(as_text=True)
    assert "SITESECRET63" not in page.get_data(as_text=True)
    site_page = client.get(f"/ticket/{site_token}").get_data(as_text=True)
    assert SITE_LINK in site_page


def test_personal_feed_shows_the_link_of_confirmed_events_only(client, hybrid) -> None:
    confirmed = tokens.issue_token(CalendarScope.PERSON, hybrid.registration.person_id)
    through_site = tokens.issue_token(CalendarScope.PERSON, hybrid.site_registration.person_id)
    waiting = tokens.issue_token(CalendarScope.PERSON, hybrid.pending.person_id)
    db.session.commit()
    body = client.get(f"/calendar/u/{confirmed}.ics").data
    _has_link_everywhere(_vevent(body, hybrid.event.uid), EVENT_LINK)
    assert b"SITESECRET63" not in body  # the site's own link is for the site's people
    site_body = client.get(f"/calendar/u/{through_site}.ics").data
    _has_link_everywhere(_vevent(site_body, hybrid.event.uid), SITE_LINK)  # as their invitation says
    pending_body = client.get(f"/calendar/u/{waiting}.ics").data  # no seat yet: no link
    assert not any(secret.encode() in pending_body for secret in SECRETS)


def _site_feed(client, site: Site) -> bytes:
    token = tokens.issue_token(CalendarScope.SITE, site.id)
    db.session.commit()
    response = client.get(f"/calendar/s/{token}.ics")
    assert response.status_code == 200
    return response.data


def test_site_feeds_carry_the_link_only_for_a_site_that_takes_part(client, hybrid) -> None:
    plain = _site_feed(client, hybrid.plain_site)
    _has_link_everywhere(_vevent(plain, hybrid.event.uid), EVENT_LINK)
    assert b"SITESECRET63" not in plain  # another site's own link

    own = _site_feed(client, hybrid.own_link_site)
    _has_link_everywhere(_vevent(own, hybrid.event.uid), SITE_LINK)  # its own link, for its room
    series_uid = hybrid.occurrence.series.uid
    [override] = [e for e in Calendar.from_ical(own).walk("VEVENT")
                  if str(e["UID"]) == series_uid and "RECURRENCE-ID" in e]
    _has_link_everywhere(override, SITE_LINK)

    other = _site_feed(client, hybrid.other_site)
    assert not any(secret.encode() in other for secret in SECRETS)
    assert hybrid.event.uid.encode() not in other
