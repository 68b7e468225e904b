"""The registration state machine (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventapp.registrations.models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    CancelledBy,
    Registration,
    RegistrationStatus,
)

S = RegistrationStatus
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
ALLOWED = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}


def test_every_state_has_its_moves_and_none_to_itself() -> None:
    assert set(TRANSITIONS) == set(S)
    assert all(state not in targets for state, targets in TRANSITIONS.items())


def test_active_states_are_the_ones_that_hold_or_wait_for_a_seat() -> None:
    assert {S.PENDING, S.APPROVED, S.WAITLISTED} == ACTIVE_STATUSES


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_set_status_follows_the_table(source: S, target: S) -> None:
    registration = Registration(status=source, cancelled_by=CancelledBy.REGISTRANT)
    assert registration.can_transition_to(target) == ((source, target) in ALLOWED)
    if (source, target) in ALLOWED:
        registration.set_status(target, NOW, "lý do")
        assert registration.status == target and registration.status_changed_at == NOW
        assert registration.status_reason == "lý do"
        if target != S.CANCELLED:
            assert registration.cancelled_by is None
    else:
        with pytest.raises(ValueError):
            registration.set_status(target, NOW)
        assert registration.status == source


def test_only_approved_holds_a_seat() -> None:
    assert [s for s in S if Registration(status=s).holds_seat] == [S.APPROVED]


def test_rejected_cannot_go_straight_to_the_waiting_list_and_cancelled_can_be_revived() -> None:
    assert not Registration(status=S.REJECTED).can_transition_to(S.WAITLISTED)
    assert Registration(status=S.CANCELLED).can_transition_to(S.APPROVED)
