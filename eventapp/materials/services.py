"""Adding, removing, listing and counting materials and links; who may see which (no forms here)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from eventapp import audit
from eventapp.accounts.models import User
from eventapp.accounts.permissions import managed_site_condition
from eventapp.directory.models import Site
from eventapp.documents.filetypes import detect
from eventapp.events.models import AgendaItem, Event, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.materials import storage
from eventapp.materials.models import (
    ANYONE,
    REGISTRANT,
    SITE_STAFF,
    Audience,
    EventLink,
    LinkKind,
    Material,
)
from eventapp.registrations.models import Registration, RegistrationStatus

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SAFE_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


class MaterialError(ValueError):
    """A refused change; `code` names the reason (messages in materials.labels)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def max_bytes() -> int:
    """The largest file accepted (MATERIALS_MAX_BYTES)."""
    return int(current_app.config.get("MATERIALS_MAX_BYTES") or DEFAULT_MAX_BYTES)


def clean_filename(name: str) -> str:
    """The uploader's file name as shown and offered on download: its last path part, NFC, no
    control characters or quotes, at most 200 characters (the extension kept)."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C" and c not in "\"';")
    base = base.strip(" .") or "file"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[:190]}.{ext[:8]}" if dot else base[:200]
    return base


def add_material(event: Event, *, data: bytes, filename: str, title: str, audience: Audience,
                 agenda_item_id: int | None, actor: User) -> Material:
    """Check the bytes (size, real type against the name), store them and record the material.
    MaterialError("too_large"), or FileTypeError with the reason of the refused type."""
    if len(data) > max_bytes():
        raise MaterialError("too_large")
    if agenda_item_id is not None and db.session.get(AgendaItem, agenda_item_id) not in event.agenda_items:
        raise MaterialError("not_this_event")
    kind = detect(data, filename)
    material = Material(
        event_id=event.id, agenda_item_id=agenda_item_id, title=title.strip()[:200], audience=audience,
        filename=clean_filename(filename), kind=kind.name, content_type=kind.content_type,
        size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), storage_key=storage.save(data),
        uploaded_by_id=actor.id)
    db.session.add(material)
    db.session.flush()
    audit.record(actor, "material.add", material, f"{event.title}: {material.filename}",
                 {"audience": audience.value, "size": len(data)})
    return material


def remove_material(material: Material, actor: User) -> str:
    """Delete the row; returns the storage key, whose file the caller removes after commit."""
    audit.record(actor, "material.remove", material, f"{material.event.title}: {material.filename}")
    db.session.delete(material)
    db.session.flush()
    return material.storage_key


def add_link(event: Event, *, kind: LinkKind, title: str, url: str, audience: Audience, actor: User) -> EventLink:
    """A recording or livestream link; only http(s) addresses."""
    url = url.strip()
    if not SAFE_URL.fullmatch(url):
        raise MaterialError("bad_url")
    link = EventLink(event_id=event.id, kind=kind, title=title.strip()[:200], url=url, audience=audience)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "event_link.add", link, f"{event.title}: {link.title}", {"audience": audience.value})
    return link


def remove_link(link: EventLink, actor: User) -> None:
    audit.record(actor, "event_link.remove", link, f"{link.event.title}: {link.title}")
    db.session.delete(link)
    db.session.flush()


def count_download(material: Material) -> None:
    """One more download, counted in the database (an atomic increment: no lost counts)."""
    db.session.execute(sa.update(Material).where(Material.id == material.id)
                       .values(download_count=Material.download_count + 1)
                       .execution_options(synchronize_session=False))


# ------------------------------------------------------------------------------- who sees what

def event_is_public(event: Event) -> bool:
    """Drafts have no audience at all outside the console."""
    return event.status != EventStatus.DRAFT


def registrant_audiences(registration: Registration) -> frozenset[Audience]:
    """A ticket holder with a seat sees public and registrants-only items; other tickets
    (pending, waiting list, cancelled, rejected) only public ones."""
    return REGISTRANT if registration.status == RegistrationStatus.APPROVED else ANYONE


def site_takes_part(event_id: int, user: User) -> bool:
    """Whether one of the sites this coordinator manages takes part in the event."""
    condition = managed_site_condition(user)
    if condition is None:
        return False
    return (db.session.scalar(
        sa.select(sa.func.count()).select_from(EventSite).join(Site, EventSite.site_id == Site.id)
        .where(EventSite.event_id == event_id, condition)) or 0) > 0


def staff_audiences(event: Event, user: User) -> frozenset[Audience]:
    """Organisers see everything; a coordinator everything of the events their site takes part in
    (sites-only items are for them); anyone else on the console, public items only."""
    if user.is_organiser:
        return SITE_STAFF
    if event.is_visible_to(user) and site_takes_part(event.id, user):
        return SITE_STAFF
    return ANYONE if event_is_public(event) else frozenset()


@dataclass(frozen=True)
class Shelf:
    """What one reader sees of one event: files (event-wide first, then by talk) and links."""

    materials: list[Material]
    links: list[EventLink]

    def __bool__(self) -> bool:
        return bool(self.materials or self.links)


def shelf(event: Event, audiences: Iterable[Audience]) -> Shelf:
    """The event's materials and links visible to `audiences`, in programme order."""
    allowed = list(audiences)
    if not allowed:
        return Shelf([], [])
    materials = db.session.scalars(
        sa.select(Material).options(selectinload(Material.agenda_item))
        .outerjoin(AgendaItem, Material.agenda_item_id == AgendaItem.id)
        .where(Material.event_id == event.id, Material.audience.in_(allowed))
        .order_by(AgendaItem.position.is_not(None), AgendaItem.position, Material.id)).all()
    links = db.session.scalars(
        sa.select(EventLink).where(EventLink.event_id == event.id, EventLink.audience.in_(allowed))
        .order_by(EventLink.kind, EventLink.id)).all()
    return Shelf(list(materials), list(links))


def load_for(material_id: int, event_id: int, audiences: Iterable[Audience]) -> Material | None:
    """The material if it belongs to the event and `audiences` may see it; None otherwise."""
    material = db.session.get(Material, material_id)
    if material is None or material.event_id != event_id or material.audience not in set(audiences):
        return None
    return material

