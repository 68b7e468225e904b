"""API tokens: stored hashed, shown once, revocable, refused for deactivated users; the console screens."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventapp.accounts import api_tokens
from eventapp.accounts.models import ApiToken, Role
from eventapp.audit import AuditEntry
from eventapp.extensions import db
from eventapp.models import utcnow

SECRET_RE = re.compile(r'id="api-token-secret" value="([A-Za-z0-9_-]{43})"')


def _actions() -> list[tuple[str, int | None]]:
    return [tuple(row) for row in db.session.execute(sa.select(AuditEntry.action, AuditEntry.actor_id).where(
        AuditEntry.action.like("api_token.%")).order_by(AuditEntry.id))]


def test_only_the_hash_is_stored_and_the_secret_authenticates(make_user) -> None:
    user = make_user(Role.CHECKIN_STAFF)
    token, secret = api_tokens.issue(user, "  Máy tính bảng sảnh A  ", actor=user)
    db.session.commit()
    assert len(secret) == 43 and token.name == "Máy tính bảng sảnh A"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = db.session.execute(sa.select(ApiToken.__table__)).one()
    assert secret not in {str(value) for value in stored}
    assert api_tokens.authenticate(secret) == user
    assert api_tokens.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert api_tokens.authenticate(token.token_hash) is None  # the hash is not a credential
    assert _actions() == [("api_token.issue", user.id)]


def test_revoked_token_and_deactivated_user_are_refused(make_user) -> None:
    user, admin = make_user(Role.ORGANISER), make_user(Role.ADMIN)
    token, secret = api_tokens.issue(user, "Cổng thông tin", actor=user)
    other, other_secret = api_tokens.issue(user, "Máy điểm danh", actor=user)
    db.session.commit()
    assert api_tokens.revoke(token, actor=admin) is True
    assert api_tokens.revoke(token, actor=admin) is False  # idempotent, audited once
    db.session.commit()
    assert api_tokens.authenticate(secret) is None
    assert api_tokens.authenticate(other_secret) == user
    user.is_active_account = False
    db.session.commit()
    assert api_tokens.authenticate(other_secret) is None
    assert _actions() == [("api_token.issue", user.id), ("api_token.issue", user.id),
                          ("api_token.revoke", admin.id)]


def test_last_use_is_recorded_at_most_hourly(make_user) -> None:
    user = make_user()
    token, secret = api_tokens.issue(user, "Tích hợp", actor=user)
    db.session.commit()
    start = utcnow()
    api_tokens.authenticate(secret, now=start)
    db.session.refresh(token)
    assert token.last_used_at == start.replace(microsecond=token.last_used_at.microsecond)
    api_tokens.authenticate(secret, now=start + timedelta(minutes=30))
    db.session.refresh(token)
    assert abs(token.last_used_at - start) < timedelta(seconds=1)
    later = start + timedelta(minutes=61)
    api_tokens.authenticate(secret, now=later)
    db.session.refresh(token)
    assert abs(token.last_used_at - later) < timedelta(seconds=1)


@pytest.mark.parametrize(("header", "usable"), [
    ("Bearer {s}", True), ("bearer {s}", True), ("  Bearer   {s} ", True), ("Basic {s}", False),
    ("Bearer", False), ("{s}", False), ("Bearer {s}\x00", False), ("Bearer short", False), (None, False),
])
def test_bearer_header_parsing(header, usable) -> None:
    secret = "a" * 43
    parsed = api_tokens.bearer_secret(header.format(s=secret) if header else None)
    assert (parsed == secret) is usable


def test_live_tokens_per_user_are_capped(make_user) -> None:
    user = make_user()
    tokens = [api_tokens.issue(user, f"T{n}", actor=user)[0] for n in range(api_tokens.MAX_LIVE_TOKENS)]
    with pytest.raises(api_tokens.ApiTokenError):
        api_tokens.issue(user, "Một nữa", actor=user)
    api_tokens.revoke(tokens[0], actor=user)
    assert api_tokens.issue(user, "Thay thế", actor=user)[0].id


# ------------------------------------------------------------------------------------ console

def test_staff_creates_a_token_shown_once(client, make_user, login) -> None:
    user = make_user(Role.CHECKIN_STAFF)
    login(user)
    page = client.get("/console/api-tokens/").get_data(as_text=True)
    assert 'href="/console/api-tokens/"' in page  # the navigation link
    response = client.post("/console/api-tokens/new", data={"name": "Máy quét cửa chính"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET_RE.search(response.get_data(as_text=True)).group(1)
    token = db.session.scalar(sa.select(ApiToken))
    assert token.user_id == user.id and token.name == "Máy quét cửa chính"
    assert token.token_hash == api_tokens.hash_token(secret)
    listing = client.get("/console/api-tokens/").get_data(as_text=True)
    assert "Máy quét cửa chính" in listing and secret not in listing
    assert client.get("/api/v1/events/1/registrations",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 404  # in, no event


def test_a_name_is_required_and_the_input_is_kept(client, make_user, login) -> None:
    login(make_user())
    response = client.post("/console/api-tokens/new", data={"name": "  \x00 "})
    assert response.status_code == 422 and "is-invalid" in response.get_data(as_text=True)
    response = client.post("/console/api-tokens/new", data={"name": "x" * 101})
    assert response.status_code == 422 and "x" * 101 in response.get_data(as_text=True) and "is-invalid" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_console_forms_need_the_csrf_token(app, client, make_user, login) -> None:
    user = make_user()
    token, _ = api_tokens.issue(user, "Cũ", actor=user)
    db.session.commit()
    login(user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/console/api-tokens/new", data={"name": "Không CSRF"}).status_code == 400
        assert client.post(f"/console/api-tokens/{token.id}/revoke").status_code == 400
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1
        page = client.get("/console/api-tokens/").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        created = client.post("/console/api-tokens/new", data={"name": "Có CSRF", "csrf_token": csrf})
        assert SECRET_RE.search(created.get_data(as_text=True))
        revoked = client.post(f"/console/api-tokens/{token.id}/revoke", data={"csrf_token": csrf})
        assert revoked.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_only_the_owner_or_an_admin_revokes(app, client, make_user, make_site, login) -> None:
    owner, admin = make_user(Role.ORGANISER), make_user(Role.ADMIN)
    coordinator = make_user(Role.SITE_COORDINATOR, site=make_site())
    token, _ = api_tokens.issue(owner, "Cổng Bộ", actor=owner)
    db.session.commit()
    login(coordinator)
    assert client.post(f"/console/api-tokens/{token.id}/revoke").status_code == 404
    assert client.get("/console/api-tokens/all").status_code == 403
    assert "Cổng Bộ" not in client.get("/console/api-tokens/").get_data(as_text=True)
    client.post("/logout")
    login(admin)
    edit = client.get(f"/console/users/{owner.id}").get_data(as_text=True)
    assert f"/console/api-tokens/all?user={owner.id}" in edit
    listing = client.get(f"/console/api-tokens/all?user={owner.id}").get_data(as_text=True)
    assert "Cổng Bộ" in listing and owner.email in listing
    assert client.get("/console/api-tokens/all?user=999999").status_code == 404
    assert client.get("/console/api-tokens/all?user=99999999999").status_code == 400  # no id is that big
    back = f"/console/api-tokens/all?user={owner.id}"
    response = client.post(f"/console/api-tokens/{token.id}/revoke", data={"next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert _actions()[-1] == ("api_token.revoke", admin.id)
    evil = client.post(f"/console/api-tokens/{token.id}/revoke", data={"next": "https://evil.example"})
    assert evil.headers["Location"] == "/console/api-tokens/"
