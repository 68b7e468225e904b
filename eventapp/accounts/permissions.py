"""The permission helper: every console view declares which roles may use it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from eventapp.accounts.models import Role, User
from eventapp.directory.models import Site
from eventapp.extensions import db, login_manager

ORGANISERS = (Role.ADMIN, Role.ORGANISER)
# Everyone who signs in: their own account (password, API tokens) and the dashboard, which sends
# each role to its own start page.
ACCOUNT_HOLDERS = tuple(Role)
# The people who run events; unit respondents see only their unit's questions.
ALL_STAFF = tuple(role for role in Role if role != Role.UNIT_RESPONDENT)
CHECKIN = (Role.ADMIN, Role.ORGANISER, Role.CHECKIN_STAFF)
COORDINATORS = (Role.ADMIN, Role.ORGANISER, Role.SITE_COORDINATOR)


def roles_required(*roles: Role) -> Callable:
    """Anonymous users go to the login page; signed-in users without one of `roles` get 403.

    The roles are kept on the view (`view.allowed_roles`) so tests can check every route.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        # A mark on the view read by the route-by-route authorisation test (functions take attributes).
        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def can_manage_site(user: User, site_id: int | None) -> bool:
    """Organisers manage every site; a coordinator only the site (or organisation's sites) bound to it."""
    if not user.is_authenticated or site_id is None:
        return False
    if user.is_organiser:
        return True
    if user.role != Role.SITE_COORDINATOR:
        return False
    if user.site_id is not None:
        return user.site_id == site_id

    site = db.session.get(Site, site_id)
    return site is not None and site.organisation_id == user.organisation_id


def managed_site_condition(user: User) -> Any:
    """The sites a coordinator manages, as a condition on Site (the rule of can_manage_site);
    None for everyone else, who is either an organiser (every site) or checked by role."""
    if user.role != Role.SITE_COORDINATOR:
        return None
    if user.site_id is not None:
        return Site.id == user.site_id
    return Site.organisation_id == user.organisation_id


def managed_sites(user: User) -> list:
    """The active sites this user manages (a coordinator's own; organisers every one), by name."""
    query = sa.select(Site).where(Site.is_active.is_(True)).order_by(Site.name)
    condition = managed_site_condition(user)
    if condition is not None:
        query = query.where(condition)
    return list(db.session.scalars(query))


def require_site(user: User, site_id: int | None) -> None:
    """404 rather than 403 for another site's objects, so their existence is not revealed."""
    if not can_manage_site(user, site_id):
        abort(404)
