"""The organiser of e-mailed invitations (the calendar parts themselves come from calendar_sync)."""

from __future__ import annotations

from email.utils import parseaddr

from flask import current_app

from eventapp.calendar.invitations import Party


def organizer() -> Party:
    """The Information Centre's sending address, as the invitation's organiser."""
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return Party(email=address or "noreply@eventapp.local", name=name)
