"""Public pages: home grouped by kind with filters, event page, series page, drafts invisible."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from eventapp.events import occurrences, oneoff, services
from eventapp.events.models import EventKind, EventMode, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from tests.events.conftest import TZ, next_month_start

TZINFO = ZoneInfo(TZ)


def test_home_lists_published_grouped_by_kind(client, make_series, make_event) -> None:
    client.post("/language/en")
    series = make_series()
    make_event(title="Tập huấn kỹ năng phát ngôn", kind=EventKind.TRAINING)
    make_event(title="Bản nháp bí mật", status=EventStatus.DRAFT)
    html = client.get("/").get_data(as_text=True)
    assert "Press briefings" in html and "Trainings and conferences" in html
    assert html.index("Press briefings") < html.index("Trainings and conferences")
    assert "Tập huấn kỹ năng phát ngôn" in html and "Bản nháp bí mật" not in html
    first = services.upcoming_occurrences(series, utcnow())[0]
    assert f"/events/{first.id}" in html
    only_training = client.get("/?kind=training").get_data(as_text=True)
    assert "Họp báo thường kỳ" not in only_training and "Tập huấn kỹ năng phát ngôn" in only_training
    month = client.get(f"/?month={next_month_start():%Y-%m}").get_data(as_text=True)
    assert f"/events/{first.id}" in month


def test_home_shows_a_series_next_sessions_and_links_to_the_rest(client, make_series, make_event) -> None:
    client.post("/language/en")
    series = make_series(rule="FREQ=WEEKLY;BYDAY=TH")
    training = make_event(title="Tập huấn kỹ năng phát ngôn", kind=EventKind.TRAINING)
    upcoming = services.upcoming_occurrences(series, utcnow())
    html = client.get("/").get_data(as_text=True)
    shown = [o for o in upcoming if f'href="/events/{o.id}"' in html]
    assert shown == upcoming[:3]  # the next three, in order
    assert f"{len(upcoming) - 3} more sessions of Họp báo thường kỳ" in html
    assert f'href="/series/{series.id}"' in html and f"/events/{training.id}" in html
    # a month filter shows every session of that month
    month = client.get(f"/?month={next_month_start():%Y-%m}").get_data(as_text=True)
    in_month = [o for o in upcoming if o.starts_at.astimezone(TZINFO).month == next_month_start().month]
    assert len(in_month) >= 4 and all(f'href="/events/{o.id}"' in month for o in in_month)
    assert "more sessions" not in month


def test_event_page_in_the_event_zone_with_actions(client, make_series) -> None:
    client.post("/language/en")
    series = make_series(rule="FREQ=MONTHLY;BYDAY=1TH")
    event = services.upcoming_occurrences(series, utcnow())[2]  # registration opens 14 days before
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "09:00" in html and "10:30" in html and "(Vietnam time)" in html and "Asia/Ho_Chi_Minh" not in html
    assert "google.com/maps/search" in html and "calendar.google.com" in html
    assert "Information Centre" in html
    assert 'data-testid="register-reason"' in html  # opens 14 days before: not yet
    assert "Registration opens on" in html
    assert f'href="/series/{series.id}"' in html
    assert 'name="viewport"' in html  # phone-ready layout


def test_register_button_while_open(client, make_event) -> None:
    event = make_event(registration_closes_at=utcnow() + timedelta(days=2))
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-testid="register"' in html and f'href="/events/{event.id}/register"' in html
    assert f'href="/events/{event.id}.ics"' in html  # add to calendar


def test_register_reason_when_closed_and_ended(client, make_event) -> None:
    client.post("/language/en")
    closed = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    assert "Registration closed on" in client.get(f"/events/{closed.id}").get_data(as_text=True)
    past = make_event(starts_in=timedelta(days=-2))
    assert "This event has ended." in client.get(f"/events/{past.id}").get_data(as_text=True)


def test_drafts_and_draft_series_are_404(client, make_series, make_event) -> None:
    draft_series = make_series(publish=False)
    draft_event = services.upcoming_occurrences(draft_series, utcnow())[0]
    assert client.get(f"/events/{draft_event.id}").status_code == 404
    assert client.get(f"/series/{draft_series.id}").status_code == 404
    cancelled_draft = make_event(status=EventStatus.DRAFT)
    occurrences.cancel_event(cancelled_draft, "Không tổ chức")
    db.session.commit()
    assert client.get(f"/events/{cancelled_draft.id}").status_code == 404
    assert client.get("/series/999").status_code == 404


def test_series_page_lists_upcoming_occurrences(client, make_series) -> None:
    client.post("/language/en")
    series = make_series()
    rows = services.upcoming_occurrences(series, utcnow())
    occurrences.cancel_event(rows[1], "Nghỉ lễ")
    db.session.commit()
    html = client.get(f"/series/{series.id}").get_data(as_text=True)
    assert all(f"/events/{e.id}" in html for e in rows)
    assert "Cancelled" in html and "Upcoming dates" in html


def test_hybrid_training_page_shows_agenda_and_contributors(client, make_site) -> None:
    from datetime import datetime

    from eventapp.events import agenda, sites

    start = next_month_start().replace(hour=8)
    event = oneoff.create_event(oneoff.EventSpec(
        title="Hội nghị tập huấn công tác truyền thông", starts_local=start, ends_local=start.replace(hour=12),
        tz=TZ, mode=EventMode.HYBRID, venue="Trung tâm Hội nghị tỉnh Quảng Ninh",
        online_url="https://meet.example.vn/th"))
    agenda.add_item(event, agenda.AgendaSpec(
        starts_local=datetime.combine(start.date(), start.time()), ends_local=start.replace(hour=9),
        title="Kỹ năng phát ngôn", speaker="Ông Nguyễn Văn A", speaker_organisation_name="Cục Báo chí"))
    sites.add_sites(event, [make_site().id, make_site().id], quota=6)
    services.publish_event(event)
    db.session.commit()
    client.post("/language/en")
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Kỹ năng phát ngôn" in html and "Cục Báo chí" in html and "2 connected sites" in html
    assert "08:00" in html and "Hybrid" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries)) == 0


def test_series_page_offers_the_whole_series_and_a_subscription(client, make_series) -> None:
    series = make_series(rule="FREQ=WEEKLY;BYDAY=TH", registration_opens_days_before=None,
                         registration_closes_hours_before=None)
    html = client.get(f"/series/{series.id}").get_data(as_text=True)
    first = services.upcoming_occurrences(series, utcnow())[0]
    link = f"/events/{first.id}/register?scope=series"
    assert "data-register-series" in html and link in html
    assert "webcal://" in html and "(https)" not in html
    form = client.get(link).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="series"', form)
