"""Console screens for one-off hybrid events: create, publish, sites with quotas, agenda; bad input."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.audit import AuditEntry
from eventapp.calendar import recurrence
from eventapp.directory.models import Region
from eventapp.events.models import AgendaItem, Event, EventSite, EventStatus
from eventapp.extensions import db
from tests.events.conftest import TZ, next_month_start
from tests.events.helpers import assert_field_error, value_of


def event_form(**values) -> dict:
    day = next_month_start().date()
    return {"title": "Hội nghị tập huấn công tác truyền thông 2027", "kind": "training", "tz": TZ,
            "starts_at": f"{day}T08:00", "ends_at": f"{day}T17:00", "mode": "hybrid",
            "venue": "Trung tâm Hội nghị tỉnh Quảng Ninh", "online_url": "https://meet.example.vn/tap-huan",
            "capacity": "", **values}


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def training(client, organiser):
    response = client.post("/console/events/new", data=event_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(sa.select(Event)).one()


def test_create_hybrid_training_add_sites_agenda_and_publish(client, training, make_site) -> None:
    assert training.status == EventStatus.DRAFT and training.starts_at.hour == 1  # 08:00 in Hà Nội
    page = client.get(f"/console/events/{training.id}").get_data(as_text=True)
    assert "Set a capacity or site quotas." in page
    for _ in range(3):
        make_site(region=Region.RED_RIVER_DELTA)
    db.session.commit()
    response = client.post(f"/console/events/{training.id}/sites/add", data={"scope": "all", "default_quota": "6"})
    assert response.status_code == 302
    assert count(EventSite) == 3
    sites_page = client.get(f"/console/events/{training.id}/sites").get_data(as_text=True)
    assert "Total quota: 18" in sites_page
    rows = db.session.scalars(sa.select(EventSite).order_by(EventSite.id)).all()
    table = {"sites-0-site_id": rows[0].site_id, "sites-0-quota": "10", "sites-0-room": "Phòng 301",
             "sites-0-join_url": "https://meet.example.vn/hn", "sites-0-passcode": "2468",
             "sites-1-site_id": rows[1].site_id, "sites-1-quota": "6",
             "sites-2-site_id": rows[2].site_id, "sites-2-quota": "6", "sites-2-remove": "y"}
    assert client.post(f"/console/events/{training.id}/sites", data=table).status_code == 302
    db.session.expire_all()
    assert count(EventSite) == 2 and db.session.get(EventSite, rows[0].id).room == "Phòng 301"
    day = next_month_start().date()
    response = client.post(f"/console/events/{training.id}/agenda", data={
        "starts_at": f"{day}T08:00", "ends_at": f"{day}T08:30", "title": "Khai mạc", "speaker": "Lãnh đạo Bộ"})
    assert response.status_code == 302
    assert client.post(f"/console/events/{training.id}/publish").status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, training.id)
    assert event.status == EventStatus.PUBLISHED
    assert {"event.create", "event.sites_add", "event.sites_update", "agenda.add", "event.publish"} <= set(
        db.session.scalars(sa.select(AuditEntry.action)))
    public = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Khai mạc" in public and "08:00" in public


@pytest.mark.parametrize(("values", "field_id", "message"), [
    ({"ends_at": f"{next_month_start().date()}T07:00"}, "ends_at", "The end must be after the start."),
    ({"starts_at": "2020-03-01T08:00", "ends_at": "2020-03-01T12:00"}, "starts_at", "in the past"),
    ({"tz": "Europe/Hanoi"}, "tz", "Unknown time zone"),
    ({"capacity": "-4"}, "capacity", "between 0 and 100000"),
    ({"online_url": "not a link"}, "online_url", "full web address"),
    ({"starts_at": "31/12/2027 08:00"}, "starts_at", ""),
])
def test_bad_event_input(client, organiser, values, field_id, message) -> None:
    response = client.post("/console/events/new", data=event_form(**values))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert_field_error(html, field_id, message)
    assert value_of(html, "venue") == "Trung tâm Hội nghị tỉnh Quảng Ninh"
    if field_id == "starts_at" and "/" in values["starts_at"]:
        assert value_of(html, "starts_at") == "31/12/2027 08:00"  # kept as typed
    assert count(Event) == 0


@pytest.mark.parametrize(("start", "end", "extra", "field_id", "message"), [
    ("07:00", "08:30", {}, "starts_at", "inside the event"),
    ("16:30", "17:30", {}, "starts_at", "inside the event"),
    ("10:30", "10:00", {}, "ends_at", "The end must be after the start."),
    ("09:15", "09:45", {}, "starts_at", "overlaps another one"),
])
def test_bad_agenda_items(client, training, start, end, extra, field_id, message) -> None:
    day = next_month_start().date()
    client.post(f"/console/events/{training.id}/agenda", data={
        "starts_at": f"{day}T09:00", "ends_at": f"{day}T10:00", "title": "Tham luận của Cục Báo chí"})
    response = client.post(f"/console/events/{training.id}/agenda", data={
        "starts_at": f"{day}T{start}", "ends_at": f"{day}T{end}", "title": "Phiên mới", **extra})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert_field_error(html, field_id, message)
    assert value_of(html, "title") == "Phiên mới"
    assert count(AgendaItem) == 1
    parallel = client.post(f"/console/events/{training.id}/agenda", data={
        "starts_at": f"{day}T09:15", "ends_at": f"{day}T09:45", "title": "Song song", "is_parallel": "y"})
    assert parallel.status_code == 302 and count(AgendaItem) == 2


def test_agenda_reorder_edit_delete(client, training) -> None:
    day = next_month_start().date()
    for start, end, title in (("09:00", "10:00", "A"), ("10:00", "11:00", "B")):
        client.post(f"/console/events/{training.id}/agenda", data={
            "starts_at": f"{day}T{start}", "ends_at": f"{day}T{end}", "title": title})
    a, b = db.session.scalars(sa.select(AgendaItem).order_by(AgendaItem.position)).all()
    client.post(f"/console/events/{training.id}/agenda/{b.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [i.title for i in sorted(db.session.get(Event, training.id).agenda_items, key=lambda i: i.position)] == ["B", "A"]
    response = client.post(f"/console/events/{training.id}/agenda/{a.id}", data={
        "starts_at": f"{day}T09:00", "ends_at": f"{day}T09:50", "title": "A sửa"})
    assert response.status_code == 302
    client.post(f"/console/events/{training.id}/agenda/{b.id}/delete")
    db.session.expire_all()
    assert [i.title for i in db.session.scalars(sa.select(AgendaItem))] == ["A sửa"]
    other_event_item = client.get(f"/console/events/{training.id + 1}/agenda/{a.id}")
    assert other_event_item.status_code == 404


@pytest.mark.parametrize(("data", "field_id", "message"), [
    ({"scope": "all", "default_quota": "-1"}, "default_quota", "between 0 and 1000"),
    ({"scope": "all", "default_quota": "100000"}, "default_quota", "between 0 and 1000"),
    ({"scope": "region", "region": "", "default_quota": "5"}, "region", "Choose a region."),
    ({"scope": "pick", "default_quota": "5"}, "site_ids-0", "Tick at least one site."),
])
def test_bad_site_additions(client, training, make_site, data, field_id, message) -> None:
    make_site(region=Region.MEKONG_DELTA)
    db.session.commit()
    response = client.post(f"/console/events/{training.id}/sites/add", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    if field_id != "site_ids-0":
        assert_field_error(html, field_id, message)
    assert count(EventSite) == 0


def test_ticked_sites_with_another_scope_add_nothing_and_say_why(client, training, make_site) -> None:
    picked, _other = make_site(), make_site()
    db.session.commit()
    response = client.post(f"/console/events/{training.id}/sites/add",
                           data={"scope": "all", "site_ids": [str(picked.id)], "default_quota": "5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "You ticked sites" in html
    [ticked] = re.findall(rf'<input[^>]*type="checkbox"[^>]*value="{picked.id}"[^>]*>', html)
    assert "checked" in ticked  # the ticks are kept for the next try
    assert count(EventSite) == 0
    response = client.post(f"/console/events/{training.id}/sites/add",
                           data={"scope": "pick", "site_ids": [str(picked.id)], "default_quota": "5"})
    assert response.status_code == 302
    assert [p.site_id for p in db.session.scalars(sa.select(EventSite))] == [picked.id]


@pytest.mark.parametrize("quota", ["-2", "5000", ""])
def test_bad_site_quota_override(client, training, make_site, quota) -> None:
    sites = [make_site(), make_site()]
    db.session.commit()
    client.post(f"/console/events/{training.id}/sites/add", data={"scope": "all", "default_quota": "6"})
    response = client.post(f"/console/events/{training.id}/sites", data={
        "sites-0-site_id": sites[0].id, "sites-0-quota": "9", "sites-0-room": "Phòng A",
        "sites-1-site_id": sites[1].id, "sites-1-quota": quota})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is-invalid" in html and 'value="Phòng A"' in html
    db.session.expire_all()
    assert sorted(p.quota for p in db.session.scalars(sa.select(EventSite))) == [6, 6]  # nothing half-saved


def test_conflict_warning_after_save(client, organiser, make_event) -> None:
    day = next_month_start().date()
    make_event(title="Sự kiện đã đăng", venue="Trung tâm Hội nghị tỉnh Quảng Ninh",
               starts_at=recurrence.to_utc(datetime.fromisoformat(f"{day}T10:00"), TZ))
    db.session.commit()
    response = client.post("/console/events/new", data=event_form(), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Warning: the venue is also booked by" in html and "Sự kiện đã đăng" in html
    assert count(Event) == 2  # a warning, not a block


def test_unpublished_draft_console_page_shows_problems_and_timedelta(client, training) -> None:
    html = client.get(f"/console/events/{training.id}").get_data(as_text=True)
    assert value_of(html, "starts_at") == f"{next_month_start().date()}T08:00"
    assert training.ends_at - training.starts_at == timedelta(hours=9)
