"""Feed routes: public, per-kind, one-event, personal and per-site .ics with conditional GET.

URLs: /calendar.ics, /calendar/<kind>.ics (press-briefings | trainings | other),
/events/<id>.ics, /calendar/u/<token>.ics (a person's token), /calendar/s/<token>.ics (a site's
token). A token opens only the feed of its own scope; unknown, revoked or mismatched tokens are 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from eventapp import compression
from eventapp.directory.models import CalendarMode, Site
from eventapp.events.models import Event, EventKind
from eventapp.extensions import KNOWN_TOKEN_CHECKS, db, limiter, token_miss_limit
from eventapp.feeds import services, tokens, validators
from eventapp.feeds.cache import FeedVersion
from eventapp.feeds.models import CalendarScope
from eventapp.forms import ConfirmForm
from eventapp.models import utcnow
from eventapp.registrations.tickets import find_by_token, private_response

bp = Blueprint("feeds", __name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=300"


def _not_modified(version: FeedVersion, etag: str) -> bool:
    # RFC 9110: If-None-Match wins; If-Modified-Since is only read when it is absent.
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    # A date later than the server's clock is ignored (RFC 9110 13.1.3): no 304 on a made-up
    # date. The server's clock here includes the change time itself, which two changes within
    # one second move a second ahead of now (feeds.validators.publish).
    return (since is not None and version.last_modified <= since
            and since <= max(utcnow(), version.last_modified))


def validator_headers(version: FeedVersion, private: bool, gzipped: bool = False) -> dict[str, str]:
    """ETag (per encoding), Last-Modified and caching of a feed response (its 304 too, see feeds.fastpath)."""
    return {
        "ETag": f'"{compression.etag_for(version.etag, gzipped)}"',
        "Last-Modified": version.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "Cache-Control": PRIVATE_CACHE if private else PUBLIC_CACHE,
        "Vary": "Accept-Encoding",
    }


def _respond(scope: services.FeedScope, filename: str, now: datetime,
             title: Callable[[], str] = str) -> Response:
    version = validators.current_version(scope, now, title)
    services.commit_written()
    if scope.event_id is not None and version.count == 0:
        abort(404)
    gzipped = compression.accepts_gzip(request.headers.get("Accept-Encoding"))
    headers = validator_headers(version, scope.is_private, gzipped)
    if scope.is_private:
        # A personal feed URL is a secret: keep it out of search engines and Referer headers.
        headers["X-Robots-Tag"] = "noindex, nofollow"
        headers["Referrer-Policy"] = "no-referrer"
    if _not_modified(version, compression.etag_for(version.etag, gzipped)):
        return Response(status=304, headers=headers)
    body = validators.body(scope, version.data_key, now, title)
    if body.etag != version.etag:
        # The memo's body was evicted and rebuilt from newer data: serve that, with its own validators.
        version = validators.compute_version(scope, now, title)
        headers.update(validator_headers(version, scope.is_private, gzipped))
        body = validators.body(scope, version.data_key, now, title)
    services.commit_written()
    headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(body.gzipped() if gzipped else body.data, status=200, headers=headers,
                    content_type=CONTENT_TYPE)


@bp.get("/calendar.ics")
@limiter.exempt  # no limit applies; skipping the check trims every poll
def all_events() -> ResponseReturnValue:
    return _respond(services.public_scope(), "calendar.ics", utcnow())


@bp.get("/calendar/<kind>.ics")
@limiter.exempt  # no limit applies; skipping the check trims every poll
def by_kind(kind: str) -> ResponseReturnValue:
    event_kind = services.KIND_SLUGS.get(kind)
    if event_kind is None:
        abort(404)
    return _respond(services.public_scope(event_kind), f"{kind}.ics", utcnow())


@bp.get("/events/<int:event_id>.ics")
@limiter.exempt  # no limit applies; skipping the check trims every poll
def one_event(event_id: int) -> ResponseReturnValue:
    # Named after the event itself, from the row the body is built from (no query of its own).
    return _respond(services.event_scope(event_id), f"event-{event_id}.ics", utcnow())


def _token(token: str, scope: CalendarScope, now: datetime):
    found = tokens.find_token(token, scope)
    if found is None:
        g.token_revoked = tokens.is_revoked(token)  # see extensions.token_miss_limit
        abort(404)
    if tokens.touch_token(found, now):
        db.session.commit()
    return found


@bp.get("/calendar/u/<token>.ics")
@token_miss_limit
def person_feed(token: str) -> ResponseReturnValue:
    now = utcnow()
    found = _token(token, CalendarScope.PERSON, now)
    return _respond(services.person_scope(found.person_id), "my-events.ics", now)


@bp.get("/calendar/s/<token>.ics")
@token_miss_limit
def site_feed(token: str) -> ResponseReturnValue:
    now = utcnow()
    found = _token(token, CalendarScope.SITE, now)
    site_id = found.site_id

    def title() -> str:
        site = db.session.get(Site, site_id)
        return site.name if site else ""
    return _respond(services.site_scope(site_id), "site-events.ics", now, title)


# ---------------------------------------------------------------------------------- templates

KIND_SLUG_BY_KIND = {kind: slug for slug, kind in services.KIND_SLUGS.items()}


def feed_links(kind: EventKind | str | None = None, *, event: Event | None = None,
               token: str | None = None, scope: CalendarScope = CalendarScope.PERSON) -> dict:
    """The https and webcal:// URLs of a feed, for the subscribe include.

    kind: a kind's feed; token: a personal (or, with scope=SITE, a site's) feed; neither: all events.
    event: also offer that one event's .ics ("add to calendar").
    """
    if token is not None:
        endpoint = "feeds.person_feed" if scope == CalendarScope.PERSON else "feeds.site_feed"
        https = url_for(endpoint, token=token, _external=True)
    elif kind is not None:
        https = url_for("feeds.by_kind", kind=KIND_SLUG_BY_KIND[EventKind(kind)], _external=True)
    else:
        https = url_for("feeds.all_events", _external=True)
    webcal = "webcal://" + https.split("://", 1)[1]
    links = {"https": https, "webcal": webcal, "private": token is not None, "event_ics": None,
             "site": token is not None and scope == CalendarScope.SITE}
    if event is not None:
        links["event_ics"] = url_for("feeds.one_event", event_id=event.id)
    return links


@bp.post("/ticket/<token>/calendar")
@token_miss_limit
def personal_calendar(token: str) -> ResponseReturnValue:
    """From the ticket page: issue (or re-issue, revoking the old one) or revoke the personal
    calendar feed's link, which switches the person between subscription and invitations."""
    registration = find_by_token(token)
    if registration is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = registration.person
    if request.form.get("action") == "revoke":
        tokens.revoke_tokens(CalendarScope.PERSON, registration.person_id)
        # Back to e-mailed invitations: the reconciler sends them again before this commits.
        person.calendar_mode = CalendarMode.INVITATIONS
        db.session.commit()
        flash(_("Your calendar link no longer works. Calendars subscribed to it stop updating; "
                "your sessions come to you as e-mailed invitations again."), "success")
        return redirect(url_for("registrations.ticket", token=token))
    feed_token = tokens.issue_token(CalendarScope.PERSON, registration.person_id)
    # One calendar path per person: the subscription replaces the e-mailed invitations, which
    # the reconciler withdraws (CANCEL) before this commits, so no session shows twice.
    person.calendar_mode = CalendarMode.SUBSCRIPTION
    db.session.commit()
    # Only the token's hash is stored: this response is the one place the link is ever shown.
    return private_response(make_response(render_template(
        "feeds/calendar_link.html", registration=registration, event=registration.event,
        token=token, subscribe=feed_links(token=feed_token))))


def personal_feed_live(person_id: int) -> bool:
    """Whether the person has a calendar link that works (the ticket page's card words its button)."""
    return tokens.has_live_token(CalendarScope.PERSON, person_id)


@bp.app_context_processor
def _subscribe_helpers() -> dict:
    return {"feed_links": feed_links, "personal_feed_live": personal_feed_live}


# A known feed token is never refused by the token-miss limit (see extensions).
KNOWN_TOKEN_CHECKS.update({
    f"{bp.name}.person_feed": lambda token: tokens.find_token(token, CalendarScope.PERSON) is not None,
    f"{bp.name}.site_feed": lambda token: tokens.find_token(token, CalendarScope.SITE) is not None,
    f"{bp.name}.personal_calendar": lambda token: find_by_token(token) is not None,
})
