"""Site roll-call: who may record for which site, connected/present/headcount/report, the lock, the board."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.attendance import rollcall
from eventapp.attendance.rollcall import RollCallError
from eventapp.audit import AuditEntry
from eventapp.events.models import EventMode, EventSite, SiteParticipationStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationStatus


@pytest.fixture
def hybrid(make_event, make_site, add_site_to_event, make_registration):
    """A hybrid event under way with two sites; site A has three registrations (one wait-listed)."""
    event = make_event(title="Hội nghị tập huấn trực tuyến", mode=EventMode.HYBRID,
                       starts_in=timedelta(minutes=-10))
    site_a, site_b = make_site(name="Sở TT&TT Hà Giang"), make_site(name="Sở TT&TT Cà Mau")
    part_a, part_b = add_site_to_event(event, site_a), add_site_to_event(event, site_b)
    regs = [make_registration(event, site=site_a) for _ in range(2)]
    regs.append(make_registration(event, site=site_a, status=RegistrationStatus.WAITLISTED))
    other = make_registration(event, site=site_b)
    db.session.commit()
    return {"event": event, "a": site_a, "b": site_b, "part_a": part_a, "part_b": part_b,
            "regs": regs, "other": other}


def base(h, site="a") -> str:
    return f"/console/rollcall/events/{h['event'].id}/sites/{h[site].id}"


@pytest.fixture
def coordinator(client, login, make_user, hybrid):
    user = make_user(Role.SITE_COORDINATOR, site=hybrid["a"])
    login(user)
    return client


def present_ids(event_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(Registration.id).where(
        Registration.event_id == event_id, Registration.checked_in_at.is_not(None))))


def test_coordinator_records_own_site_end_to_end(coordinator, hybrid) -> None:
    assert coordinator.get(base(hybrid)).status_code == 200
    assert coordinator.post(base(hybrid) + "/connect", data={}).status_code == 302  # no test confirmed
    db.session.refresh(hybrid["part_a"])
    assert hybrid["part_a"].status == SiteParticipationStatus.INVITED
    coordinator.post(base(hybrid) + "/connect", data={"tested": "1"})
    db.session.refresh(hybrid["part_a"])
    assert hybrid["part_a"].status == SiteParticipationStatus.CONNECTED and hybrid["part_a"].connected_at

    first = hybrid["regs"][0].id
    coordinator.post(base(hybrid) + "/present", data={"present": [str(first)]})
    assert present_ids(hybrid["event"].id) == {first}
    assert db.session.get(Registration, first).checkin_method == CheckinMethod.ROLL_CALL
    coordinator.post(base(hybrid) + "/present", data={"present": [str(hybrid["regs"][1].id)]})
    assert present_ids(hybrid["event"].id) == {hybrid["regs"][1].id}  # unticked one is cleared

    coordinator.post(base(hybrid) + "/headcount", data={"headcount": "14"})
    coordinator.post(base(hybrid) + "/report", data={})
    db.session.refresh(hybrid["part_a"])
    assert hybrid["part_a"].headcount == 14
    assert hybrid["part_a"].status == SiteParticipationStatus.REPORTED and hybrid["part_a"].reported_at
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"rollcall.connected", "rollcall.present", "rollcall.headcount", "rollcall.reported"} <= actions


def test_coordinator_cannot_see_or_post_for_another_site(coordinator, hybrid) -> None:
    assert coordinator.get(base(hybrid, "b")).status_code == 404
    for action in ("connect", "present", "headcount", "report"):
        assert coordinator.post(base(hybrid, "b") + f"/{action}", data={"tested": "1"}).status_code == 404
    db.session.refresh(hybrid["part_b"])
    assert hybrid["part_b"].status == SiteParticipationStatus.INVITED
    assert coordinator.post(base(hybrid) + "/reopen", data={}).status_code == 403
    assert coordinator.post(base(hybrid) + "/lock", data={}).status_code == 403
    assert coordinator.get(f"/console/attendance/api/events/{hybrid['event'].id}/board").status_code == 403


def test_names_of_another_site_or_not_approved_are_refused_whole(coordinator, hybrid) -> None:
    coordinator.post(base(hybrid) + "/connect", data={"tested": "1"})
    for ids in ([hybrid["regs"][0].id, hybrid["other"].id], [hybrid["regs"][2].id], ["abc"], ["99999"]):
        coordinator.post(base(hybrid) + "/present", data={"present": [str(i) for i in ids]})
        assert present_ids(hybrid["event"].id) == set()


@pytest.mark.parametrize(("raw", "expected"), [
    ("-1", None), ("1000001", None), ("abc", None), ("1.5", None), ("", None), (" 7 ", 7), ("0", 0),
])
def test_headcount_validation(coordinator, hybrid, raw, expected) -> None:
    coordinator.post(base(hybrid) + "/connect", data={"tested": "1"})
    response = coordinator.post(base(hybrid) + "/headcount", data={"headcount": raw})
    assert response.status_code == 302
    db.session.refresh(hybrid["part_a"])
    assert hybrid["part_a"].headcount == expected


def test_parse_headcount_errors() -> None:
    for raw, code in (("-3", "headcount_negative"), ("5000", "headcount_too_large"),
                      ("x", "headcount_invalid"), (True, "headcount_invalid"), (2.5, "headcount_invalid")):
        with pytest.raises(RollCallError) as info:
            rollcall.parse_headcount(raw)
        assert info.value.code == code


def test_presence_needs_connection_first(hybrid, make_user) -> None:
    user = make_user(Role.SITE_COORDINATOR, site=hybrid["a"])
    with pytest.raises(RollCallError, match="not_connected"):
        rollcall.record_present(hybrid["part_a"], {hybrid["regs"][0].id}, user)


def test_report_locks_after_the_event_and_only_an_organiser_reopens(client, login, make_user, hybrid) -> None:
    event, part = hybrid["event"], hybrid["part_a"]
    event.starts_at, event.ends_at = utcnow() - timedelta(hours=5), utcnow() - timedelta(hours=1)
    part.status = SiteParticipationStatus.CONNECTED
    db.session.commit()
    assert rollcall.is_locked(part, event)
    coordinator = make_user(Role.SITE_COORDINATOR, site=hybrid["a"])
    login(coordinator)
    client.post(base(hybrid) + "/headcount", data={"headcount": "9"})
    client.post(base(hybrid) + "/present", data={"present": [str(hybrid["regs"][0].id)]})
    db.session.refresh(part)
    assert part.headcount is None and present_ids(event.id) == set()
    with pytest.raises(RollCallError, match="organisers_only"):
        rollcall.reopen(part, coordinator)

    client.post("/logout")
    login(make_user(Role.ORGANISER))
    client.post(base(hybrid) + "/reopen", data={})
    db.session.refresh(part)
    assert not rollcall.is_locked(part, event) and part.report_reopened_at is not None
    client.post(base(hybrid) + "/headcount", data={"headcount": "9"})  # on the site's behalf
    db.session.refresh(part)
    assert part.headcount == 9
    client.post(base(hybrid) + "/lock", data={})
    db.session.refresh(part)
    assert rollcall.is_locked(part, event)


def test_board_json_and_page(client, login, make_user, hybrid) -> None:
    part = hybrid["part_a"]
    part.status, part.headcount = SiteParticipationStatus.REPORTED, 20
    hybrid["other"].checked_in_at = utcnow()
    db.session.commit()
    login(make_user(Role.ORGANISER))
    body = client.get(f"/console/attendance/api/events/{hybrid['event'].id}/board").get_json()
    tiles = {t["site_id"]: t for t in body["tiles"]}
    assert (tiles[hybrid["a"].id]["status"], tiles[hybrid["a"].id]["present"],
            tiles[hybrid["a"].id]["registered"]) == ("reported", 20, 2)
    assert (tiles[hybrid["b"].id]["status"], tiles[hybrid["b"].id]["present"],
            tiles[hybrid["b"].id]["registered"]) == ("invited", 1, 1)
    assert body["summary"]["reported"] == 1 and body["summary"]["present"] == 21
    page = client.get(f"/console/attendance/events/{hybrid['event'].id}/board").get_data(as_text=True)
    assert page.count('class="site-tile ') == 2 and f'data-site-id="{hybrid["a"].id}"' in page


def test_board_query_count_does_not_grow_with_sites(app, client, login, make_user, make_event, make_site,
                                                    add_site_to_event, make_registration) -> None:
    login(make_user(Role.ORGANISER))

    def queries_for(n_sites: int) -> int:
        event = make_event(mode=EventMode.HYBRID, starts_in=timedelta(minutes=5))
        for _ in range(n_sites):
            site = make_site()
            add_site_to_event(event, site)
            make_registration(event, site=site)
        db.session.commit()
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/console/attendance/api/events/{event.id}/board").status_code == 200
            assert client.get(f"/console/attendance/events/{event.id}/board").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert queries_for(2) == queries_for(30)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSite)) == 32


def test_the_roll_call_lists_who_may_come_first_by_given_name(hybrid, make_person, make_registration) -> None:
    from eventapp.attendance.rollcall import site_registrations

    for name, status in (("Võ Văn Tùng", RegistrationStatus.APPROVED), ("Đỗ Quang Khánh", RegistrationStatus.APPROVED),
                         ("An Cancelled", RegistrationStatus.CANCELLED), ("Trần Thị Ánh", RegistrationStatus.APPROVED)):
        make_registration(hybrid["event"], make_person(full_name=name), site=hybrid["a"], status=status)
    db.session.commit()
    names = [row.full_name for row in site_registrations(hybrid["part_a"])]
    ours = [n for n in names if n in {"Võ Văn Tùng", "Đỗ Quang Khánh", "Trần Thị Ánh", "An Cancelled"}]
    assert ours == ["Trần Thị Ánh", "Đỗ Quang Khánh", "Võ Văn Tùng", "An Cancelled"]
