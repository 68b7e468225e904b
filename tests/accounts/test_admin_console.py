"""Admin screens: create users, set roles, reset passwords, deactivate; all audited."""

from __future__ import annotations

import re

import sqlalchemy as sa

from eventapp.accounts.models import Role, User
from eventapp.audit import AuditEntry
from eventapp.extensions import db
from tests.conftest import PASSWORD


def _flash(response) -> str:
    return response.get_data(as_text=True)


def test_admin_creates_a_site_coordinator_who_can_sign_in(client, make_user, make_site, login) -> None:
    admin = make_user(Role.ADMIN)
    site = make_site(name="Sở TT&TT Quảng Ninh")
    login(admin)
    response = client.post("/console/users/new", data={
        "email": "dieuphoi@quangninh.gov.vn", "full_name": "Phạm Thị Hà", "role": "site_coordinator",
        "site_id": str(site.id), "organisation_id": "", "password": "",
    }, follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    password = re.search(r'id="temporary-password" value="([A-Za-z0-9_\-]{12,})"', text).group(1)
    user = db.session.scalar(sa.select(User).where(User.email == "dieuphoi@quangninh.gov.vn"))
    assert user.full_name == "Phạm Thị Hà" and user.site_id == site.id and user.role == Role.SITE_COORDINATOR
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.create")).actor_id == admin.id
    client.post("/logout")
    signed_in = client.post("/login", data={"email": user.email, "password": password})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/console/password")


def test_coordinator_without_site_is_refused_and_form_keeps_input(client, make_user, login) -> None:
    login(make_user(Role.ADMIN))
    response = client.post("/console/users/new", data={
        "email": "x@example.vn", "full_name": "Trần Văn Bình", "role": "site_coordinator",
        "site_id": "", "organisation_id": "", "password": "",
    })
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Trần Văn Bình" in text and "is-invalid" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_duplicate_email_is_a_field_error(client, make_user, login) -> None:
    login(make_user(Role.ADMIN, email="admin@example.vn"))
    response = client.post("/console/users/new", data={
        "email": "ADMIN@example.vn", "full_name": "Ai đó", "role": "organiser", "password": "",
    })
    assert response.status_code == 422 and "is-invalid" in response.get_data(as_text=True)


def test_reset_password_signs_the_user_out_everywhere(app, make_user, login) -> None:
    admin, organiser = make_user(Role.ADMIN), make_user(Role.ORGANISER)
    organiser_client = app.test_client()
    organiser_client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert organiser_client.get("/console/").status_code == 200
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    response = admin_client.post(f"/console/users/{organiser.id}/reset-password", follow_redirects=True)
    assert response.status_code == 200
    assert organiser_client.get("/console/").status_code == 302  # old session is gone
    assert organiser_client.post("/login", data={"email": organiser.email, "password": PASSWORD}).status_code == 422


def test_role_change_and_deactivation(client, make_user, login) -> None:
    admin, staff = make_user(Role.ADMIN), make_user(Role.CHECKIN_STAFF)
    login(admin)
    response = client.post(f"/console/users/{staff.id}", data={
        "email": staff.email, "full_name": "Đổi vai trò", "role": "organiser", "site_id": "", "organisation_id": "",
    })
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.role == Role.ORGANISER and staff.full_name == "Đổi vai trò"
    client.post(f"/console/users/{staff.id}/active", data={"active": "0"})
    db.session.refresh(staff)
    assert staff.is_active is False
    # an admin cannot lock themselves out
    client.post(f"/console/users/{admin.id}/active", data={"active": "0"})
    db.session.refresh(admin)
    assert admin.is_active is True
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"user.update", "user.deactivate"} <= actions


def test_unknown_user_is_404(client, make_user, login) -> None:
    login(make_user(Role.ADMIN))
    assert client.get("/console/users/9999").status_code == 404
