"""Helpers for registration tests: submitting the public form, reading tickets from the outbox."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage

TICKET_LINK = re.compile(r"/ticket/([A-Za-z0-9_-]{20,})")


@pytest.fixture
def outlet(app):
    org = Organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Nhân Dân")
    db.session.add(org)
    db.session.commit()
    return org


def form_data(outlet_id: int | None = None, **values) -> dict:
    data = {"full_name": "Trần Thị Bình", "email": "binh@baochi.vn", "phone": "0912 345 678",
            "position": "Phóng viên", "outlet_id": str(outlet_id) if outlet_id else "",
            "outlet_name": "" if outlet_id else "Báo Mới", "press_card_no": "", "questions": "",
            "consent": "y", "website": ""}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def submit(client, outlet):
    """POST the public form for an event; returns the response."""
    def do(event, **values):
        return client.post(f"/events/{event.id}/register", data=form_data(outlet.id, **values))
    return do


def messages(kind: str | None = None, to: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if to:
        query = query.where(OutboxMessage.to_address == to)
    return list(db.session.scalars(query))


def last_ticket_token(to: str) -> str:
    """The ticket token of the newest e-mail to this address."""
    found = messages(to=to)
    assert found, f"no e-mail to {to}"
    # Calendar updates of their own carry no ticket: the newest e-mail that has one.
    match = next((m for m in (TICKET_LINK.search(e.body_text) for e in reversed(found)) if m), None)
    assert match, found[-1].body_text
    return match.group(1)
