"""Console dashboard."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from eventapp.accounts.models import Role
from eventapp.accounts.permissions import ACCOUNT_HOLDERS, roles_required
from eventapp.console.nav import items_for
from eventapp.directory.models import Person, Site
from eventapp.events.models import Event, EventStatus
from eventapp.events.queries import count_upcoming
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import Registration, RegistrationStatus

bp = Blueprint("console", __name__)


@bp.app_context_processor
def console_nav() -> dict:
    if current_user.is_authenticated:
        return {"console_nav": items_for(current_user)}
    return {"console_nav": []}


@bp.get("/")
@roles_required(*ACCOUNT_HOLDERS)
def dashboard() -> ResponseReturnValue:
    if current_user.role == Role.SITE_COORDINATOR:
        # A coordinator's day starts with their own site's events, quotas and deadlines; the
        # network-wide counts and drafts in preparation are not theirs to see.
        return redirect(url_for("site_console.index"))
    if current_user.role == Role.UNIT_RESPONDENT:
        return redirect(url_for("questions_console.unit_index"))  # their unit's questions, nothing else
    now = utcnow()
    counts = {
        "upcoming_events": count_upcoming(now),
        "active_sites": db.session.scalar(sa.select(sa.func.count()).select_from(Site).where(Site.is_active)),
        "people": db.session.scalar(sa.select(sa.func.count()).select_from(Person)),
        "pending_registrations": db.session.scalar(
            sa.select(sa.func.count()).select_from(Registration).join(Event).where(
                Registration.status == RegistrationStatus.PENDING, Event.ends_at > now)),
    }
    next_events = db.session.scalars(
        sa.select(Event).where(Event.status != EventStatus.CANCELLED, Event.ends_at > now)
        .order_by(Event.starts_at).limit(8)
    ).all()
    registered = dict(db.session.execute(
        sa.select(Registration.event_id, sa.func.count()).where(
            Registration.event_id.in_([e.id for e in next_events]),
            Registration.holds_seat,
        ).group_by(Registration.event_id)
    ).all()) if next_events else {}
    return render_template("console/dashboard.html", counts=counts, next_events=next_events,
                           registered=registered)
