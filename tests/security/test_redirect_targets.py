"""A line break (or any control character) in a redirect target is refused like a foreign site:
the user lands on the default page, never on a 500."""

from __future__ import annotations

import pytest

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.web import is_safe_redirect
from tests.conftest import PASSWORD

BAD = ["/x\r\nSet-Cookie: a=b", "/console/\nX: y", "/\\evil.example", "/console/\x00", "//evil.example"]


@pytest.mark.parametrize("target", BAD)
def test_unsafe_targets_are_refused(target: str) -> None:
    assert not is_safe_redirect(target)


def test_safe_targets_still_work() -> None:
    assert is_safe_redirect("/console/registrations/events/3?status=approved")


@pytest.mark.parametrize("target", BAD)
def test_language_switch_and_sign_in_never_fail_on_them(client, make_user, target: str) -> None:
    switched = client.post("/language/en", data={"next": target}, headers={"Origin": "http://localhost"})
    assert switched.status_code == 302 and "\n" not in switched.headers["Location"]
    user = make_user(Role.ORGANISER)
    db.session.commit()
    signed_in = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/console/")


def test_bulk_action_with_a_broken_back_link_goes_back_to_the_list(client, make_user, login, make_event) -> None:
    event = make_event()
    login(make_user(Role.ORGANISER))
    db.session.commit()
    response = client.post(f"/console/registrations/events/{event.id}/bulk",
                           data={"ids": "999999", "action": "approve", "back": "/console/\r\nX: y"})
    assert response.status_code in (302, 303, 400) and response.status_code != 500
