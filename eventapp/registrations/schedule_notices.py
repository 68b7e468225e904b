"""Outbox messages about schedule changes: registrants on cancellation, rescheduling or a new place,
link or end time, site coordinators when their site is added or its quota changes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventapp.accounts.models import Role, User
from eventapp.events.models import Event, EventSite
from eventapp.extensions import db
from eventapp.mail.rendering import rendering
from eventapp.mail.services import queue_message
from eventapp.registrations import calendar_sync, emails
from eventapp.registrations.models import (
    ACTIVE_STATUSES,
    CancelledBy,
    Registration,
    RegistrationStatus,
)


def _when(event: Event, instant: datetime | None = None) -> str:
    from eventapp.web import local_time

    return local_time(instant or event.starts_at, event.tz, "HH:mm, EEEE dd/MM/yyyy")


def _event_link(event: Event) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    try:
        return base + url_for("events.detail", event_id=event.id)
    except RuntimeError:  # outside a request and without SERVER_NAME
        return f"{base}/events/{event.id}"


def active_registrations(events: list[Event]) -> list[Registration]:
    """Active registrations of these events, with their people, in one query."""
    ids = [e.id for e in events if e.id is not None]
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Registration).options(selectinload(Registration.person))
        .where(Registration.event_id.in_(ids), Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)))


def has_registrations(event: Event) -> bool:
    """Whether any registration (in any state) hangs off the event: then it is never deleted."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Registration.event_id == event.id))))


def cancel_registrations(event: Event, reason: str) -> int:
    """Cancel the event's active registrations on the organiser's behalf and tell each registrant.
    Nothing is deleted: the registrations stay, marked cancelled by the organiser."""
    count = 0
    for registration in active_registrations([event]):
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_by = CancelledBy.ORGANISER
        registration.status_reason = (reason or "")[:500]
        _tell_registrant(registration, event, "event_cancelled", reason=reason)
        count += 1
    db.session.flush()
    return count


@dataclass(frozen=True)
class ChangeNotice:
    """What registrants of one event are told: "event_rescheduled" (with old_start) or
    "event_updated" (with the names of the changed fields)."""

    event: Event
    kind: str
    old_start: datetime | None = None
    changed: tuple[str, ...] = ()


def tell_changes(notices: list[ChangeNotice]) -> int:
    """Tell each event's active registrants about its change, with one query for all the events
    (a series edit touches a year of occurrences); returns how many messages were queued."""
    by_event: dict[int, list[Registration]] = defaultdict(list)
    for registration in active_registrations([notice.event for notice in notices]):
        by_event[registration.event_id].append(registration)
    count = 0
    for notice in notices:
        for registration in by_event[notice.event.id]:
            _tell_registrant(registration, notice.event, notice.kind, old_start=notice.old_start,
                             changed=list(notice.changed))
            count += 1
    return count


def _changed_text(changed: list[str]) -> str:
    """What changed, in the current language ("the venue, the end time")."""
    labels = {"title": _("the title"), "venue": _("the venue"), "venue_address": _("the address"), "online_url": _("the online link"),
              "mode": _("the format"), "ends_at": _("the end time")}
    return ", ".join(dict.fromkeys(labels[name] for name in changed if name in labels))


def _tell_registrant(registration: Registration, event: Event, kind: str, *, reason: str = "",
                     old_start: datetime | None = None, changed: list[str] | None = None) -> None:
    """One registrant's message, text and HTML, in their language."""
    person = registration.person
    if not person.email:
        return  # registered by a site without an e-mail: the coordinator sees the status
    locale = registration.locale or "vi"
    with rendering(locale):
        if kind == "event_cancelled":
            subject = _("Cancelled: %(title)s (%(when)s)", title=event.title, when=_when(event))
            intro = _("The organiser has cancelled \"%(title)s\" planned for %(when)s. Your registration "
                      "is cancelled; you do not need to do anything.", title=event.title, when=_when(event))
        elif kind == "event_updated":
            subject = _("Changed: %(title)s (%(when)s)", title=event.title, when=_when(event))
            intro = _("The organiser has changed %(what)s of \"%(title)s\" on %(when)s. Your registration "
                      "stays valid; the details below are up to date.", what=_changed_text(changed or []),
                      title=event.title, when=_when(event))
        else:
            subject = _("New time: %(title)s (%(when)s)", title=event.title, when=_when(event))
            intro = _("\"%(title)s\" has moved from %(old)s to %(new)s. Your registration stays valid "
                      "for the new time.", title=event.title, old=_when(event, old_start), new=_when(event))
        context = {"lang": locale, "event": event, "name": person.full_name, "intro": intro,
                   "reason": reason, "event_url": _event_link(event),
                   "join_url": emails.join_url(event, registration)}
        body_text = render_template("registrations/emails/notice.txt", **context)
        body_html = render_template("registrations/emails/notice.html", **context)
    message = queue_message(kind=kind, to_address=person.email, to_name=person.full_name,
                            subject=emails._subject_line(subject), body_text=body_text, body_html=body_html,
                            locale=locale)
    # The updated invitation or its CANCEL (for those whose calendar holds it) is attached by the
    # reconciler before commit; several notices to one person in one change become one e-mail.
    calendar_sync.note_message(person.id, message)


def coordinators(site_ids: list[int]) -> dict[int, list[User]]:
    """Active coordinators of each site: bound to the site, or to the organisation that owns it."""
    from eventapp.directory.models import Site

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
                          when=_when(event))
            else:
                subject = _("Quota changed: %(title)s", title=event.title)
                intro = _("The quota of your site for \"%(title)s\" on %(when)s has changed.",
                          title=event.title, when=_when(event))
            body = intro + "\n\n" + _("Quota: %(quota)s people.", quota=participation.quota)
            if participation.room or participation.join_url:
                body += "\n" + _("Room: %(room)s. Link: %(link)s", room=participation.room or "—",
                                 link=participation.join_url or event.online_url or "—")
            body += "\n\n" + _event_link(event)
        queue_message(kind=kind, to_address=user.email, to_name=user.full_name, subject=subject,
                      body_text=body, locale=user.locale or "vi")
    return len(recipients)
