"""Issue #14 (9): the password rule, temporary passwords replaced at first sign-in and shown once
(never in a cookie), a change screen for everyone, and sign-in limits that count failures only."""

from __future__ import annotations

import re

import pytest
from flask import request_started
from flask.sessions import SecureCookieSessionInterface

from eventapp.accounts import passwords
from eventapp.accounts.models import Role, User
from eventapp.audit import AuditEntry
from eventapp.extensions import db
from tests.conftest import PASSWORD, _forget_request_caches

NEW_PASSWORD = "tám con mèo đen ngủ trưa"


@pytest.mark.parametrize("weak", ["1234567890", "123456789012", "short pass", "aaaaaaaaaaaaaa",
                                  "Password2026!", "qwertyuiop123", "iloveyou1234", "abcdefghijkl",
                                  "matkhau123456", "lan.nguyen2026x"])
def test_weak_passwords_are_refused_with_a_reason(app, weak) -> None:
    assert passwords.problem(weak, "lan.nguyen@example.vn")


@pytest.mark.parametrize("good", [PASSWORD, NEW_PASSWORD, "eventapp-demo", "mây trắng bay qua núi"])
def test_long_uncommon_passwords_pass(app, good) -> None:
    assert passwords.problem(good, "lan.nguyen@example.vn") is None


def test_the_blocklist_is_shipped_and_large(app) -> None:
    assert len(passwords.common_passwords()) > 3000
    assert {"123456", "password", "iloveyou", "matkhau"} <= passwords.common_passwords()


def _session_text(app, client) -> str:
    """The session cookie decoded (it is signed, not encrypted: anyone holding it can read it)."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return str(serializer.loads(cookie.value))


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    admin = make_user(Role.ADMIN, email="quantri@example.vn")
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    return client


def test_an_admin_cannot_set_a_weak_password(admin_client) -> None:
    response = admin_client.post("/console/users/new", data={
        "email": "lan@example.vn", "full_name": "Nguyễn Lan", "role": "organiser", "password": "1234567890"})
    assert response.status_code == 422 and "is-invalid" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "lan@example.vn")) is None


@pytest.mark.parametrize("how", ["create", "reset"])
def test_a_temporary_password_is_shown_once_never_in_the_cookie_and_must_be_changed(
        app, admin_client, make_user, how) -> None:
    if how == "create":
        response = admin_client.post("/console/users/new", data={
            "email": "lan@example.vn", "full_name": "Nguyễn Lan", "role": "organiser", "password": ""})
    else:
        user = make_user(Role.ORGANISER, email="lan@example.vn")
        response = admin_client.post(f"/console/users/{user.id}/reset-password")
    assert response.status_code == 200  # the page itself, not a redirect carrying a flash message
    assert response.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'id="temporary-password" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    assert temporary not in _session_text(app, admin_client)
    assert temporary not in admin_client.get("/console/users/").get_data(as_text=True)  # once only

    lan = app.test_client()
    signed_in = lan.post("/login", data={"email": "lan@example.vn", "password": temporary})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/console/password")
    for url in ("/console/", "/console/events/", "/console/api-tokens/"):
        blocked = lan.get(url)
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/console/password"), url
    same = lan.post("/console/password", data={"current_password": temporary, "new_password": temporary,
                                               "confirm": temporary})
    assert same.status_code == 422 and "is-invalid" in same.get_data(as_text=True)
    changed = lan.post("/console/password", data={"current_password": temporary, "new_password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert lan.get("/console/").status_code == 200  # still signed in, free to work
    assert app.test_client().post("/login", data={"email": "lan@example.vn", "password": temporary}).status_code == 422


def test_every_user_can_change_their_password_and_other_sessions_end(app, make_user, make_site) -> None:
    user = make_user(Role.SITE_COORDINATOR, site=make_site())
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}).status_code == 302
    assert here.get("/console/password").status_code == 200
    wrong = here.post("/console/password", data={"current_password": "not it at all", "new_password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert wrong.status_code == 422 and "is-invalid" in wrong.get_data(as_text=True)
    weak = here.post("/console/password", data={"current_password": PASSWORD, "new_password": "123456789012",
                                                "confirm": "123456789012"})
    assert weak.status_code == 422 and "is-invalid" in weak.get_data(as_text=True)
    done = here.post("/console/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert here.get("/console/site/").status_code == 200
    assert elsewhere.get("/console/site/").status_code == 302  # the other device was signed out
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.change_password"))


def test_fifty_colleagues_behind_one_address_never_lock_each_other_out(rate_limited_app) -> None:
    with rate_limited_app(LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per minute") as app:
        db.create_all()
        request_started.connect(_forget_request_caches, app)  # each client is its own visitor
        users = []
        for n in range(50):
            user = User(email=f"dongnghiep{n}@example.vn", full_name="Đồng nghiệp", role=Role.ORGANISER,
                        session_version=0)
            user.set_password(PASSWORD)
            users.append(user)
        db.session.add_all(users)
        db.session.commit()
        codes = [app.test_client().post("/login", data={"email": u.email, "password": PASSWORD}).status_code
                 for u in users]
        assert codes == [302] * 50
        # failures from that address do count: a guesser is stopped
        guesser = app.test_client()
        tries = [guesser.post("/login", data={"email": "dongnghiep0@example.vn", "password": f"sai {i}"}).status_code
                 for i in range(4)]
        assert tries == [422, 422, 422, 429]


def test_failures_count_per_account_whatever_the_address(rate_limited_app) -> None:
    with rate_limited_app(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_TOTAL_RATE_LIMIT="3 per minute",
                          TRUSTED_PROXIES=1) as app:
        db.create_all()
        for email in ("muctieu@example.vn", "khac@example.vn"):
            user = User(email=email, full_name="Nạn nhân", role=Role.ORGANISER, session_version=0)
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        client = app.test_client()

        def attempt(email: str, password: str, address: str) -> int:
            return client.post("/login", data={"email": email, "password": password},
                               headers={"X-Forwarded-For": address}).status_code
        tries = [attempt("MucTieu@example.vn ", f"sai {i}", f"203.0.113.{i}") for i in range(4)]
        assert tries == [422, 422, 422, 429]
        assert attempt("khac@example.vn", PASSWORD, "203.0.113.50") == 302  # other accounts unaffected


def test_a_strangers_wrong_tries_do_not_lock_the_owner_out(rate_limited_app) -> None:
    with rate_limited_app(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per minute",
                          TRUSTED_PROXIES=1) as app:
        db.create_all()
        user = User(email="bantochuc@example.vn", full_name="Ban tổ chức", role=Role.ORGANISER, session_version=0)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        client = app.test_client()

        def attempt(password: str, address: str) -> int:
            return client.post("/login", data={"email": "bantochuc@example.vn", "password": password},
                               headers={"X-Forwarded-For": address}).status_code
        assert [attempt(f"sai {i}", "198.51.100.7") for i in range(4)] == [422, 422, 422, 429]
        assert attempt(PASSWORD, "203.0.113.20") == 302  # the owner, from the office, signs in
