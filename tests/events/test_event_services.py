"""One-off events: publishing rules, agenda, participating sites and quotas, conflicts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.calendar import recurrence
from eventapp.directory.models import Region
from eventapp.events import agenda, conflicts, occurrences, oneoff, services, sites
from eventapp.events.models import EventMode, EventStatus
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from tests.events.conftest import TZ, next_month_start


def training_spec(**values) -> oneoff.EventSpec:
    start = next_month_start().replace(hour=8)
    return oneoff.EventSpec(**{"title": "Hội nghị tập huấn", "starts_local": start,
                               "ends_local": start.replace(hour=17), "tz": TZ, "mode": EventMode.HYBRID,
                               "venue": "Quảng Ninh", "online_url": "https://meet.example.vn/t", **values})


def item(event, start: str, end: str, title: str = "Tham luận", **values) -> agenda.AgendaSpec:
    day = recurrence.to_local(event.starts_at, TZ).date()
    return agenda.AgendaSpec(starts_local=datetime.combine(day, datetime.strptime(start, "%H:%M").time()),
                             ends_local=datetime.combine(day, datetime.strptime(end, "%H:%M").time()),
                             title=title, **values)


def test_one_off_times_are_stored_in_utc(app) -> None:
    event = oneoff.create_event(training_spec(starts_local=next_month_start()))
    assert event.starts_at.hour == 2 and event.status == EventStatus.DRAFT


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"ends_local": next_month_start().replace(hour=7)}, "end_before_start", "ends_at"),
    ({"starts_local": datetime(2020, 5, 5, 8), "ends_local": datetime(2020, 5, 5, 9)}, "past_date", "starts_at"),
    ({"tz": "Nowhere/City"}, "unknown_timezone", "tz"),
    ({"capacity": 10**9}, "capacity_range", "capacity"),
    ({"registration_opens_local": next_month_start().replace(hour=9)}, "opens_after_start", "registration_opens_at"),
])
def test_bad_one_off_is_refused(app, values, code, field) -> None:
    with pytest.raises(services.EventError) as info:
        oneoff.create_event(training_spec(**values))
    assert (info.value.code, info.value.field) == (code, field)


def test_publishing_checks_completeness(app, make_site) -> None:
    event = oneoff.create_event(training_spec(venue=None, online_url=None))
    codes = [code for code, _ in services.publication_problems(event)]
    assert codes == ["venue_missing", "online_url_missing", "capacity_missing"]
    with pytest.raises(services.EventError):
        services.publish_event(event)
    event.venue, event.online_url = "Quảng Ninh", "https://meet.example.vn/t"
    assert [c for c, _ in services.publication_problems(event)] == ["capacity_missing"]
    sites.add_sites(event, [make_site().id], quota=5)
    sequence = event.sequence
    services.publish_event(event)
    assert event.status == EventStatus.PUBLISHED and event.published_at and event.sequence == sequence + 1
    occurrences.cancel_event(event, "Hoãn")
    with pytest.raises(services.EventError):
        occurrences.update_event(event, {"venue": "X"})


def test_agenda_inside_the_event_and_no_overlap_unless_parallel(app) -> None:
    event = oneoff.create_event(training_spec())
    first = agenda.add_item(event, item(event, "08:30", "09:30", "Khai mạc"))
    with pytest.raises(services.EventError) as outside:
        agenda.add_item(event, item(event, "07:30", "08:30"))
    assert outside.value.code == "agenda_outside"
    with pytest.raises(services.EventError) as late:
        agenda.add_item(event, item(event, "16:30", "17:30"))
    assert late.value.code == "agenda_outside"
    with pytest.raises(services.EventError) as overlap:
        agenda.add_item(event, item(event, "09:00", "10:00"))
    assert overlap.value.code == "agenda_overlap" and overlap.value.detail == "Khai mạc"
    with pytest.raises(services.EventError) as backwards:
        agenda.add_item(event, item(event, "11:00", "10:00"))
    assert backwards.value.code == "end_before_start"
    parallel = agenda.add_item(event, item(event, "09:00", "10:00", "Phiên song song", is_parallel=True))
    second = agenda.add_item(event, item(event, "09:30", "10:30", "Tham luận 2",
                                         speaker="Ông A", speaker_organisation_name="Cục Báo chí"))
    assert [i.title for i in event.agenda_items] == ["Khai mạc", "Phiên song song", "Tham luận 2"]
    agenda.move_item(second, -1)
    assert sorted(event.agenda_items, key=lambda i: i.position)[1] is second
    agenda.sort_by_time(event)
    assert sorted(event.agenda_items, key=lambda i: i.position)[0] is first
    agenda.delete_item(parallel)
    assert len(event.agenda_items) == 2
    # moving the event so the agenda falls outside is refused
    with pytest.raises(services.EventError) as moved:
        occurrences.update_event(event, {"starts_at": event.starts_at + timedelta(hours=2)})
    assert moved.value.code == "agenda_outside"


def test_sites_in_bulk_with_quotas_and_coordinator_notices(app, make_site, make_user, make_registration) -> None:
    north = [make_site(region=Region.RED_RIVER_DELTA) for _ in range(3)]
    south = [make_site(region=Region.MEKONG_DELTA) for _ in range(2)]
    make_site(region=Region.MEKONG_DELTA, is_active=False)
    coordinator = make_user(Role.SITE_COORDINATOR, site=north[0])
    event = oneoff.create_event(training_spec())
    chosen = sites.select_sites(scope="region", region="red_river_delta")
    assert [s.id for s in chosen] == [s.id for s in north]
    sites.add_sites(event, [s.id for s in chosen], quota=6)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # draft: not yet
    services.publish_event(event)
    notices = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "site_added")).all()
    assert [m.to_address for m in notices] == [coordinator.email]
    added = sites.add_sites(event, [s.id for s in sites.select_sites(scope="all")], quota=4)
    assert len(added) == 2 and len(event.sites) == 5
    changes = [sites.SiteChange(site_id=p.site_id, quota=p.quota) for p in event.sites]
    changes[0] = sites.SiteChange(site_id=north[0].id, quota=12, room="Phòng họp tầng 3",
                                  join_url="https://meet.example.vn/hn", passcode="123456")
    result = sites.update_sites(event, changes)
    assert result["quota_changed"] == 1
    assert db.session.scalar(sa.select(OutboxMessage.to_address).where(
        OutboxMessage.kind == "site_quota_changed")) == coordinator.email
    for bad in (-1, 5000):
        with pytest.raises(services.EventError) as info:
            sites.update_sites(event, [sites.SiteChange(site_id=north[1].id, quota=bad)])
        assert info.value.code == "quota_range" and info.value.field == "sites-0-quota"
    with pytest.raises(services.EventError):
        sites.add_sites(event, [south[0].id], quota=-3)
    make_registration(event, site=south[1])
    with pytest.raises(services.EventError) as busy:
        sites.update_sites(event, [sites.SiteChange(site_id=south[1].id, quota=4, remove=True)])
    assert busy.value.code == "site_has_registrations"
    sites.update_sites(event, [sites.SiteChange(site_id=south[0].id, quota=4, remove=True)])
    assert len(event.sites) == 4


def test_sixty_six_sites_in_one_go(app, make_site) -> None:
    for _ in range(66):
        make_site()
    event = oneoff.create_event(training_spec())
    added = sites.add_sites(event, [s.id for s in sites.select_sites(scope="all")], quota=6)
    assert len(added) == 66 and sum(p.quota for p in event.sites) == 396


def test_conflicts_venue_and_site(app, make_event, make_site, add_site_to_event) -> None:
    site = make_site()
    other = make_event(title="Hội nghị khác", venue="  18 nguyễn du, HÀ NỘI ")
    add_site_to_event(other, site)
    draft = make_event(title="Mới", status=EventStatus.DRAFT, starts_at=other.starts_at + timedelta(minutes=30),
                       venue="18 Nguyễn Du, Hà Nội")
    add_site_to_event(draft, site)
    found = conflicts.find_conflicts([draft])
    assert {(c.kind, c.other.id) for c in found} == {("venue", other.id), ("site", other.id)}
    later = make_event(title="Sau", starts_at=other.ends_at + timedelta(hours=1), venue=other.venue)
    assert conflicts.find_conflicts([later]) == []
    online = make_event(title="Trực tuyến", mode=EventMode.ONLINE, starts_at=other.starts_at, venue=other.venue)
    assert conflicts.find_conflicts([online]) == []
