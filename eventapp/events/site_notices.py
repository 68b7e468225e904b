"""Outbox messages to site coordinators: their site takes part in a published event, or its quota
changed; and the e-mail wording of an event's time and link that registrants' notices share."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.accounts.models import Role, User
from eventapp.directory.models import Site
from eventapp.events.models import Event, EventSite
from eventapp.extensions import db
from eventapp.mail.services import queue_message
from eventapp.web import local_time


def when_text(event: Event, instant: datetime | None = None) -> str:
    """When an event starts (or `instant`), in its own zone, for e-mails ("09:00, Thứ Năm 01/01/2026")."""
    return local_time(instant or event.starts_at, event.tz, "HH:mm, EEEE dd/MM/yyyy")


def event_link(event: Event) -> str:
    """The event's public page, absolute (PUBLIC_BASE_URL), also outside a request."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    try:
        return base + url_for("events.detail", event_id=event.id)
    except RuntimeError:  # outside a request and without SERVER_NAME
        return f"{base}/events/{event.id}"


def coordinators(site_ids: list[int]) -> dict[int, list[User]]:
    """Active coordinators of each site: bound to the site, or to the organisation that owns it."""
    if not site_ids:
        return {}
    sites = db.session.scalars(sa.select(Site).where(Site.id.in_(site_ids))).all()
    org_ids = {s.organisation_id for s in sites if s.organisation_id}
    users = db.session.scalars(sa.select(User).where(
        User.role == Role.SITE_COORDINATOR, User.is_active_account.is_(True),
        sa.or_(User.site_id.in_(site_ids), sa.and_(User.site_id.is_(None), User.organisation_id.in_(org_ids))),
    )).all()
    result: dict[int, list[User]] = {s.id: [] for s in sites}
    for site in sites:
        for user in users:
            if user.site_id == site.id or (user.site_id is None and user.organisation_id == site.organisation_id):
                result[site.id].append(user)
    return result


def site_coordinators(event: Event, participation: EventSite, kind: str, *,
                      users: list[User] | None = None) -> int:
    """Tell the site's coordinators that it takes part in a published event, or its quota changed."""
    if not event.is_published:
        return 0  # drafts are private; coordinators hear about the site when the event is published
    site_id = participation.site_id
    recipients = users if users is not None else coordinators([site_id]).get(site_id, [])
    for user in recipients:
        with force_locale(user.locale or "vi"):
            if kind == "site_added":
                subject = _("Your site takes part: %(title)s", title=event.title)
                intro = _("Your site has been added to \"%(title)s\" on %(when)s.", title=event.title,
                          when=when_text(event))
            else:
                subject = _("Quota changed: %(title)s", title=event.title)
                intro = _("The quota of your site for \"%(title)s\" on %(when)s has changed.",
                          title=event.title, when=when_text(event))
            body = intro + "\n\n" + _("Quota: %(quota)s people.", quota=participation.quota)
            if participation.room or participation.join_url:
                body += "\n" + _("Room: %(room)s. Link: %(link)s", room=participation.room or "—",
                                 link=participation.join_url or event.online_url or "—")
            body += "\n\n" + event_link(event)
        queue_message(kind=kind, to_address=user.email, to_name=user.full_name, subject=subject,
                      body_text=body, locale=user.locale or "vi")
    return len(recipients)
