"""Console screen "Calendar feeds": subscribe links, and issuing/revoking site and personal feed links."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp import audit
from eventapp.accounts.permissions import (
    COORDINATORS,
    ORGANISERS,
    can_manage_site,
    managed_sites,
    roles_required,
)
from eventapp.directory.models import CalendarMode, Person, Site, normalise_email
from eventapp.events.models import EventKind
from eventapp.extensions import db
from eventapp.feeds import tokens
from eventapp.feeds.models import CalendarScope, CalendarToken
from eventapp.feeds.views import feed_links
from eventapp.params import int_arg

bp = Blueprint("feeds_console", __name__)


def _page(issued: dict | None = None, status: int = 200):
    sites = managed_sites(current_user)
    live = set(db.session.scalars(sa.select(CalendarToken.site_id).where(
        CalendarToken.scope == CalendarScope.SITE, CalendarToken.revoked_at.is_(None),
        CalendarToken.site_id.in_([s.id for s in sites]))))
    public = [("all", _("All events"), feed_links())] + [
        (kind.value, label, feed_links(kind)) for kind, label in
        ((EventKind.PRESS_BRIEFING, _("Press briefings")), (EventKind.TRAINING, _("Trainings and conferences")))]
    html = render_template("feeds/console/index.html", public=public, sites=sites, live=live, issued=issued,
                           can_manage_people=current_user.role in ORGANISERS)
    # A freshly issued secret must not linger in caches or the back/forward history.
    return html, status, {"Cache-Control": "no-store"}


def _confirm_revoke(endpoint: str, field: str, value: object, name: str):
    """Revoking stops every calendar subscribed with the link: asked once more before it happens."""
    return render_template("feeds/console/revoke_confirm.html", action_url=url_for(f".{endpoint}"), field=field,
                           value=value, name=name)


@bp.get("/")
@roles_required(*COORDINATORS)
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/site")
@roles_required(*COORDINATORS)
def site_link() -> ResponseReturnValue:
    site_id = int_arg("site_id", source=request.form)
    site = db.session.get(Site, site_id) if site_id else None
    if site is None or not can_manage_site(current_user, site.id):
        abort(404)  # another site's feed: do not reveal it exists
    if request.form.get("action") == "revoke":
        if request.form.get("confirmed") != "1":
            return _confirm_revoke("site_link", "site_id", site.id, site.name)
        tokens.revoke_tokens(CalendarScope.SITE, site.id)
        audit.record(current_user, "calendar_token.revoke", site, site.name)
        db.session.commit()
        flash(_("The calendar link of %(site)s no longer works.", site=site.name), "success")
        return redirect(url_for(".index"))
    token = tokens.issue_token(CalendarScope.SITE, site.id)
    audit.record(current_user, "calendar_token.issue", site, site.name)
    db.session.commit()
    # The secret is shown once, in this response only (only its hash is stored).
    return _page({"label": site.name, "links": feed_links(token=token, scope=CalendarScope.SITE)})


@bp.post("/person")
@roles_required(*ORGANISERS)
def person_link() -> ResponseReturnValue:
    email = normalise_email(request.form.get("email"))
    # no address holds a NUL (and PostgreSQL refuses one in a text parameter: a 500)
    person = (db.session.scalar(sa.select(Person).where(Person.email_normalised == email))
              if email and "\x00" not in email else None)
    if person is None:
        flash(_("No person with this e-mail address is in the directory."), "danger")
        return _page(status=422)
    if request.form.get("action") == "revoke":
        if request.form.get("confirmed") != "1":
            return _confirm_revoke("person_link", "email", email, person.full_name)
        tokens.revoke_tokens(CalendarScope.PERSON, person.id)
        # One calendar path per person, as on the ticket page: without the link, the sessions come
        # back as e-mailed invitations (sent before this commits).
        person.calendar_mode = CalendarMode.INVITATIONS
        audit.record(current_user, "calendar_token.revoke", person, person.full_name)
        db.session.commit()
        flash(_("The personal calendar link of %(name)s no longer works.", name=person.full_name), "success")
        return redirect(url_for(".index"))
    token = tokens.issue_token(CalendarScope.PERSON, person.id)
    # The link replaces the e-mailed invitations (withdrawn before this commits): never both.
    person.calendar_mode = CalendarMode.SUBSCRIPTION
    audit.record(current_user, "calendar_token.issue", person, person.full_name)
    db.session.commit()
    return _page({"label": person.full_name, "links": feed_links(token=token)})
