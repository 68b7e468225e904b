"""Ticket tokens (only their SHA-256 is stored), ticket lookup, QR codes and public URLs."""

from __future__ import annotations

import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from eventapp.extensions import db
from eventapp.registrations.models import Registration
from eventapp.tokens import hash_token, new_token


def issue_ticket(registration: Registration) -> str:
    """A new unguessable token for the registration; the previous one stops working.

    The token is never stored, so every message that carries the ticket link issues a new one.
    """
    token = new_token()
    registration.ticket_token_hash = hash_token(token)
    return token


def find_by_token(token: str) -> Registration | None:
    """The registration holding this token, or None (also for malformed tokens)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(Registration).where(Registration.ticket_token_hash == hash_token(token)))


def qr_svg(token: str) -> Markup:
    """The ticket's QR code as inline SVG (no style attributes, so the CSP allows it)."""
    code = segno.make(token, error="m")
    svg = code.svg_inline(scale=6, border=2, dark="#0b2540", light="#ffffff", omitsize=True)
    return Markup(svg)  # noqa: S704 - segno's own SVG markup, built from our token only


def public_url(endpoint: str, **values: object) -> str:
    """An absolute link for e-mails, built without a request (CLI, workers) from PUBLIC_BASE_URL."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path


def ticket_url(token: str) -> str:
    return public_url("registrations.ticket", token=token)
