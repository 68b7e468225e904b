"""Check-in: every answer a desk can get, idempotency, undo, offline replay order, bad input, the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.attendance import services
from eventapp.attendance.services import OfflineScan, ScanCode
from eventapp.audit import AuditEntry
from eventapp.events.models import EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations import tickets
from eventapp.registrations.models import CheckinMethod, Registration, RegistrationStatus


def checked_in_count(event_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.checked_in_at.is_not(None)))


def test_first_scan_checks_in_and_second_says_already(door_event, ticket, desk_user) -> None:
    registration, token = ticket(door_event)
    first = services.check_in(door_event, token=token, actor=desk_user)
    assert first.code == ScanCode.CHECKED_IN and first.ok
    second = services.check_in(door_event, token=token, actor=desk_user)
    assert second.code == ScanCode.ALREADY and not second.ok
    assert second.checked_in_at == first.checked_in_at
    assert second.checked_in_by == desk_user.full_name
    db.session.refresh(registration)
    assert registration.checkin_method == CheckinMethod.SCAN
    assert registration.checked_in_by_id == desk_user.id
    assert checked_in_count(door_event.id) == 1


@pytest.mark.parametrize(("status", "code"), [
    (RegistrationStatus.WAITLISTED, ScanCode.WAITLISTED),
    (RegistrationStatus.CANCELLED, ScanCode.CANCELLED),
    (RegistrationStatus.PENDING, ScanCode.PENDING),
    (RegistrationStatus.REJECTED, ScanCode.REJECTED),
])
def test_registrations_without_a_seat_are_refused(door_event, ticket, status, code) -> None:
    _, token = ticket(door_event, status=status)
    assert services.check_in(door_event, token=token).code == code
    assert checked_in_count(door_event.id) == 0


def test_ticket_of_another_event(door_event, make_event, ticket) -> None:
    other = make_event(title="Hội nghị tập huấn Quảng Ninh")
    _, token = ticket(other)
    result = services.check_in(door_event, token=token)
    assert result.code == ScanCode.WRONG_EVENT and result.other_event == "Hội nghị tập huấn Quảng Ninh"
    assert checked_in_count(other.id) == 0


@pytest.mark.parametrize("payload", [
    "", "   ", "abc", "x" * 5000, "'; DROP TABLE registrations; --", "https://evil.example/",
    "WIFI:S:guest;T:WPA;P:secret;;", "BEGIN:VCARD\nFN:Nguyễn\nEND:VCARD", "Đ" * 43, "\x00" * 43,
])
def test_garbage_payloads_are_invalid(door_event, payload) -> None:
    assert services.check_in(door_event, token=payload).code == ScanCode.INVALID


def test_well_formed_unknown_and_truncated_tokens(door_event, ticket) -> None:
    _, token = ticket(door_event)
    assert services.check_in(door_event, token="A" * 43).code == ScanCode.NOT_REGISTERED
    assert services.check_in(door_event, token=token[:-5]).code == ScanCode.NOT_REGISTERED
    assert checked_in_count(door_event.id) == 0


def test_ticket_url_and_surrounding_whitespace_are_accepted(door_event, ticket) -> None:
    _, token = ticket(door_event)
    result = services.check_in(door_event, token=f"  https://eventapp.example/ticket/{token}?x=1\n")
    assert result.code == ScanCode.CHECKED_IN


def test_door_closed_for_far_events_and_cancelled_events(make_event, ticket) -> None:
    later = make_event(starts_in=timedelta(days=5))
    _, token = ticket(later)
    assert services.check_in(later, token=token).code == ScanCode.CLOSED
    cancelled = make_event(starts_in=timedelta(minutes=10), status=EventStatus.CANCELLED)
    _, token2 = ticket(cancelled)
    assert services.check_in(cancelled, token=token2).code == ScanCode.CLOSED
    assert checked_in_count(later.id) == checked_in_count(cancelled.id) == 0


def test_undo_then_scan_again(door_event, ticket, desk_user) -> None:
    registration, token = ticket(door_event)
    services.check_in(door_event, token=token, actor=desk_user)
    assert services.undo_check_in(door_event, registration.id, desk_user).code == ScanCode.UNDONE
    assert services.undo_check_in(door_event, registration.id, desk_user).code == ScanCode.NOT_CHECKED_IN
    assert checked_in_count(door_event.id) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "checkin.undo")) == 1
    assert services.check_in(door_event, token=token, actor=desk_user).code == ScanCode.CHECKED_IN


def test_undo_of_another_events_registration_is_refused(door_event, make_event, ticket) -> None:
    other = make_event(starts_in=timedelta(minutes=5))
    registration, token = ticket(other)
    services.check_in(other, token=token)
    assert services.undo_check_in(door_event, registration.id, None).code == ScanCode.NOT_REGISTERED
    assert checked_in_count(other.id) == 1


def test_offline_replay_earliest_scan_wins_and_replays_count_once(door_event, ticket, desk_user) -> None:
    registration, token = ticket(door_event)
    now = utcnow()
    # Desk B (online) scans at now; desk A was offline and scanned the same ticket 10 minutes earlier.
    assert services.check_in(door_event, token=token, actor=desk_user, now=now).code == ScanCode.CHECKED_IN
    earlier = now - timedelta(minutes=10)
    results = services.replay(door_event, [OfflineScan("a1", earlier, token=token)], desk_user, now=now)
    assert results[0][1].code == ScanCode.CHECKED_IN and results[0][1].corrected
    db.session.refresh(registration)
    assert registration.checked_in_at == earlier
    # The same batch sent again (the answer was lost): nothing changes.
    again = services.replay(door_event, [OfflineScan("a1", earlier, token=token)], desk_user, now=now)
    assert again[0][1].code == ScanCode.ALREADY and not again[0][1].corrected
    # A later offline scan never moves the time forward.
    later = services.replay(door_event, [OfflineScan("a2", now - timedelta(minutes=1), token=token)],
                            desk_user, now=now)
    assert later[0][1].code == ScanCode.ALREADY
    db.session.refresh(registration)
    assert registration.checked_in_at == earlier
    assert checked_in_count(door_event.id) == 1


def test_replay_applies_a_batch_in_scan_time_order(door_event, ticket, desk_user) -> None:
    registration, token = ticket(door_event)
    now = utcnow()
    scans = [OfflineScan("late", now - timedelta(minutes=2), token=token),
             OfflineScan("early", now - timedelta(minutes=8), token=token),
             OfflineScan("middle", now - timedelta(minutes=5), token=token)]
    results = dict(services.replay(door_event, scans, desk_user, now=now))
    assert results["early"].code == ScanCode.CHECKED_IN and not results["early"].corrected
    assert results["middle"].code == results["late"].code == ScanCode.ALREADY
    db.session.refresh(registration)
    assert registration.checked_in_at == now - timedelta(minutes=8)


def test_replayed_scans_with_absurd_times_are_refused(door_event, ticket) -> None:
    _, token = ticket(door_event)
    now = utcnow()
    future = services.replay(door_event, [OfflineScan("f", now + timedelta(hours=1), token=token)], None, now=now)
    past = services.replay(door_event, [OfflineScan("p", now - timedelta(days=3), token=token)], None, now=now)
    assert future[0][1].code == past[0][1].code == ScanCode.BAD_TIME
    assert checked_in_count(door_event.id) == 0


def test_counters_and_accent_insensitive_search(door_event, ticket, make_person, make_site,
                                                 make_organisation) -> None:
    from eventapp.directory.models import OrganisationKind

    outlet = make_organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Nhân Dân")
    lan = make_person("Trần Thị Lan", organisation_id=outlet.id, phone="0912 345 678")
    duc = make_person("Nguyễn Đức Minh")
    _, token = ticket(door_event, person=lan)
    ticket(door_event, person=duc)
    ticket(door_event, site=make_site())  # a remote site's registrant: not expected at the door
    ticket(door_event, status=RegistrationStatus.WAITLISTED)
    services.check_in(door_event, token=token)
    assert services.counters(door_event.id) == {"expected": 2, "checked_in": 1, "present": 1, "approved": 3}

    assert [r["name"] for r in services.search(door_event.id, "nguyen duc")] == ["Nguyễn Đức Minh"]
    assert [r["name"] for r in services.search(door_event.id, "nhan dan")] == ["Trần Thị Lan"]
    found = services.search(door_event.id, "345678")
    assert [r["name"] for r in found] == ["Trần Thị Lan"] and found[0]["checked_in_at"] is not None
    assert services.search(door_event.id, "x") == []


def test_registration_ids_out_of_range_are_not_registered(door_event) -> None:
    for value in (2**63, -1, 0, True, "7", None):
        assert services.check_in(door_event, registration_id=value).code in (
            ScanCode.NOT_REGISTERED, ScanCode.INVALID)
        assert services.undo_check_in(door_event, value, None).code == ScanCode.NOT_REGISTERED


def test_replay_corrects_scan_times_by_the_desk_clock(door_event, ticket, desk_user) -> None:
    registration, token = ticket(door_event)
    _, other_token = ticket(door_event)
    now = utcnow()
    fast = now + timedelta(minutes=3)  # the tablet's clock runs 3 minutes fast
    # Scanned a minute ago by the tablet's clock: 2 minutes "in the future" for the server.
    scans = [OfflineScan("s", fast - timedelta(minutes=1), token=token),
             OfflineScan("t", fast, token=other_token)]
    results = dict(services.replay(door_event, scans, desk_user, now=now, client_now=fast))
    assert results["s"].code == results["t"].code == ScanCode.CHECKED_IN
    assert results["s"].checked_in_at == now - timedelta(minutes=1)
    db.session.refresh(registration)
    assert registration.checked_in_at == now - timedelta(minutes=1)
    # Uncorrected (an older desk without its clock), a 3-minute-fast stamp is refused as before.
    _, late_token = ticket(door_event)
    [(_, result)] = services.replay(door_event, [OfflineScan("u", fast, token=late_token)], None, now=now)
    assert result.code == ScanCode.BAD_TIME


def test_replay_still_refuses_absurd_times_and_clocks(door_event, ticket) -> None:
    _, token = ticket(door_event)
    now = utcnow()
    slow = now - timedelta(minutes=5)
    cases = [
        (now + timedelta(hours=1), slow),  # an hour ahead even after correction
        (slow - timedelta(days=3), slow),  # days before the door opened
        (now, now - timedelta(days=2)),  # a desk clock two days off is not trusted
        (datetime.max.replace(tzinfo=UTC), now - timedelta(hours=1)),  # would overflow
        (datetime.min.replace(tzinfo=UTC), now + timedelta(hours=1)),
    ]
    for scanned_at, client_now in cases:
        [(_, result)] = services.replay(door_event, [OfflineScan("x", scanned_at, token=token)], None,
                                        now=now, client_now=client_now)
        assert result.code == ScanCode.BAD_TIME, (scanned_at, client_now)
    assert checked_in_count(door_event.id) == 0


def test_a_badge_checks_its_holder_in_but_opens_nothing_else(client, door_event, ticket, desk_user) -> None:
    """A name badge is worn in public: its code checks in at the desk and is no ticket link."""
    registration, token = ticket(door_event)
    code = tickets.badge_code(registration)
    assert token not in code
    assert client.get(f"/ticket/{code}").status_code == 404
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert services.check_in(door_event, token=forged).code == ScanCode.NOT_REGISTERED
    assert services.check_in(door_event, token=code, actor=desk_user).code == ScanCode.CHECKED_IN
    assert services.check_in(door_event, token=code).code == ScanCode.ALREADY
    # A new ticket link (the holder lost theirs) voids the badges printed before it.
    services.undo_check_in(door_event, registration.id, desk_user)
    tickets.issue_ticket(registration)
    db.session.commit()
    assert services.check_in(door_event, token=code).code == ScanCode.NOT_REGISTERED
