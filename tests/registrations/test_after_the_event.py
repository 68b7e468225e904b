"""After an event: the ticket reads as a record (over, attended), and a coordinator finds past events."""

from __future__ import annotations

import re
from datetime import timedelta

from eventapp.accounts.models import Role
from eventapp.events.models import EventMode
from eventapp.extensions import db
from eventapp.registrations.models import CheckinMethod, RegistrationStatus
from eventapp.registrations.site_console import PAST_PAGE_SIZE
from eventapp.registrations.tickets import issue_ticket

ONLINE = "https://meet.example.vn/tap-huan"
LIVE_TICKET_MARKS = ("data-qr", "Xuất trình mã này tại lối vào", "data-join-link", "data-add-to-calendar",
                     "data-ticket-status")


def _hybrid(make_event, starts_in: timedelta):
    return make_event(title="Tập huấn kỹ năng số", mode=EventMode.HYBRID, online_url=ONLINE, starts_in=starts_in)


def test_a_ticket_before_the_end_is_still_a_ticket(client, make_event, make_registration) -> None:
    event = _hybrid(make_event, timedelta(minutes=-30))  # under way: still the door and the join link
    token = issue_ticket(make_registration(event))
    db.session.commit()
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    for mark in LIVE_TICKET_MARKS:
        assert mark in page
    assert "data-event-over" not in page


def test_a_ticket_after_the_end_says_it_is_over(client, make_event, make_registration) -> None:
    event = _hybrid(make_event, timedelta(days=-1))
    token = issue_ticket(make_registration(event))
    db.session.commit()
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert "data-event-over" in page and "Sự kiện này đã kết thúc." in page
    for mark in LIVE_TICKET_MARKS:
        assert mark not in page
    assert ONLINE not in page
    assert "data-attended" not in page  # nobody recorded them as present
    assert "data-request-renewal" in page  # the link can still be renewed (materials, certificate)


def test_a_ticket_after_the_end_says_who_attended(client, make_event, make_registration, make_site,
                                                  add_site_to_event, make_person) -> None:
    event = _hybrid(make_event, timedelta(days=-1))
    site = make_site(name="Sở TT&TT Hà Giang")
    add_site_to_event(event, site)
    ended = event.ends_at - timedelta(minutes=5)
    at_the_door = make_registration(event, checked_in_at=ended, checkin_method=CheckinMethod.SCAN)
    by_roll_call = make_registration(event, site=site, person=make_person("Trần Thị Bích Ngọc"),
                                     checked_in_at=ended, checkin_method=CheckinMethod.ROLL_CALL)
    tokens = [issue_ticket(at_the_door), issue_ticket(by_roll_call)]
    db.session.commit()
    for token in tokens:
        page = client.get(f"/ticket/{token}").get_data(as_text=True)
        assert "data-attended" in page and "Bạn đã tham dự." in page
        assert "data-qr" not in page and "data-join-link" not in page


def test_a_cancelled_registration_keeps_its_status_after_the_end(client, make_event, make_registration) -> None:
    event = _hybrid(make_event, timedelta(days=-1))
    token = issue_ticket(make_registration(event, status=RegistrationStatus.CANCELLED))
    db.session.commit()
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert "data-ticket-status" in page and "data-event-over" not in page


def test_a_coordinator_finds_past_events_latest_first(client, login, make_user, make_site, make_event,
                                                      add_site_to_event) -> None:
    site, other_site = make_site(name="Sở TT&TT Hà Giang"), make_site(name="Sở TT&TT Cao Bằng")
    upcoming = make_event(title="Sắp tới")
    add_site_to_event(upcoming, site)
    past = [make_event(title=f"Đã qua {n:02d}", starts_in=timedelta(days=-n)) for n in range(1, PAST_PAGE_SIZE + 3)]
    for event in past:
        add_site_to_event(event, site)
    elsewhere = make_event(title="Của tỉnh khác", starts_in=timedelta(hours=-5))
    add_site_to_event(elsewhere, other_site)
    coordinator = make_user(Role.SITE_COORDINATOR, email="hagiang@example.vn", site=site)
    db.session.commit()
    login(coordinator)

    page = client.get("/console/site/").get_data(as_text=True)
    section = page[page.index("data-past-events"):]
    assert "Sự kiện đã qua" in section
    shown = [int(n) for n in re.findall(r'data-past-event="(\d+)"', section)]
    assert shown == [e.id for e in past[:PAST_PAGE_SIZE]]  # the most recent first, one page
    assert f'/console/site/{site.id}/events/{past[0].id}"' in section
    assert "Sắp tới" not in section and "Của tỉnh khác" not in page
    assert "past_page=2" in section

    older = client.get("/console/site/?past_page=2").get_data(as_text=True)
    assert [int(n) for n in re.findall(r'data-past-event="(\d+)"', older)] == [e.id for e in past[PAST_PAGE_SIZE:]]
    assert "past_page=1" in older and "past_page=3" not in older
    assert client.get(f"/console/site/{site.id}/events/{past[-1].id}").status_code == 200
    assert client.get("/console/site/?past_page=x").status_code == 400
