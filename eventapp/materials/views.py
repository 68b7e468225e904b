"""Downloads from the public event page and the ticket page, and the cards those pages include."""

from __future__ import annotations

from flask import Response, abort, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user

from eventapp.events.models import Event
from eventapp.extensions import KNOWN_TOKEN_CHECKS, db, token_miss_limit
from eventapp.materials import bp, services, storage
from eventapp.materials.labels import (
    AUDIENCE_HELP,
    AUDIENCE_LABELS,
    KIND_ICONS,
    LINK_KIND_LABELS,
    human_size,
)
from eventapp.materials.models import ANYONE, Material
from eventapp.registrations.models import Registration
from eventapp.registrations.tickets import find_by_token

# Whatever the browser thinks of the bytes, it saves them: no page of ours ever renders an upload.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def send_material(material: Material, *, private: bool) -> Response:
    """The file as an attachment, with the type read from its content when it was uploaded."""
    path = storage.path_of(material.storage_key)
    if not path.is_file():
        abort(404)
    services.count_download(material)
    db.session.commit()
    response = send_file(path, mimetype=material.content_type, as_attachment=True,
                         download_name=material.filename, conditional=True, etag=material.sha256,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, no-store" if private else "no-cache"
    if private:
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/events/<int:event_id>/materials/<int:material_id>")
def public_download(event_id: int, material_id: int) -> ResponseReturnValue:
    """A public material of a published (or past, or cancelled) event; anything else is a 404."""
    event = db.session.get(Event, event_id)
    if event is None or not services.event_is_public(event):
        abort(404)
    material = services.load_for(material_id, event.id, ANYONE)
    if material is None:
        abort(404)
    return send_material(material, private=False)


@bp.get("/ticket/<token>/materials/<int:material_id>")
@token_miss_limit
def ticket_download(token: str, material_id: int) -> ResponseReturnValue:
    """A material of the ticket's own event that its holder may see."""
    registration = find_by_token(token)
    if registration is None:
        abort(404)
    material = services.load_for(material_id, registration.event_id,
                                 services.registrant_audiences(registration))
    if material is None:
        abort(404)
    return send_material(material, private=True)


KNOWN_TOKEN_CHECKS["materials.ticket_download"] = lambda token: find_by_token(token) is not None


@bp.app_template_global("event_shelf")
def event_shelf(event: Event) -> services.Shelf:
    """What the public event page lists: public materials and links."""
    if not services.event_is_public(event):
        return services.Shelf([], [])
    return services.shelf(event, ANYONE)


@bp.app_template_global("ticket_shelf")
def ticket_shelf(registration: Registration) -> services.Shelf:
    """What a ticket page lists: public and, with a confirmed seat, registrants-only items."""
    return services.shelf(registration.event, services.registrant_audiences(registration))


@bp.app_template_global("site_shelf")
def site_shelf(event: Event) -> services.Shelf:
    """What a coordinator's site page lists: everything for the sites, sites-only items included."""
    return services.shelf(event, services.staff_audiences(event, current_user))


@bp.app_context_processor
def _labels() -> dict:
    return {"material_audience_labels": AUDIENCE_LABELS, "material_link_labels": LINK_KIND_LABELS,
            "material_icons": KIND_ICONS, "audience_help": AUDIENCE_HELP, "material_size": human_size}
