"""Console navigation: each entry names an endpoint and the roles that see it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from eventapp.accounts.models import Role
from eventapp.accounts.permissions import ACCOUNT_HOLDERS, CHECKIN, COORDINATORS, ORGANISERS


@dataclass(frozen=True)
class NavItem:
    """One link in the console sidebar."""

    label: object
    endpoint: str
    icon: str
    roles: tuple[Role, ...]


NAV_ITEMS = (
    NavItem(_l("Dashboard"), "console.dashboard", "speedometer2", CHECKIN),  # coordinators: "My site"
    NavItem(_l("My site"), "site_console.index", "pin-map", (Role.SITE_COORDINATOR,)),
    NavItem(_l("Events"), "events_console.index", "calendar-event", ORGANISERS),
    NavItem(_l("Check-in"), "attendance_console.index", "qr-code-scan", CHECKIN),
    NavItem(_l("Site board"), "attendance_console.boards", "grid-3x3-gap", ORGANISERS),
    NavItem(_l("Roll-call"), "rollcall_console.index", "person-check", (Role.SITE_COORDINATOR,)),
    NavItem(_l("Reports"), "attendance_console.reports_index", "bar-chart", ORGANISERS),
    NavItem(_l("Materials"), "materials.index", "folder2-open", ORGANISERS),
    NavItem(_l("Evaluations"), "evaluations.index", "ui-checks", ORGANISERS),
    NavItem(_l("Certificates"), "certificates.index", "award", COORDINATORS),
    NavItem(_l("Registrations"), "registrations_console.index", "person-lines-fill", ORGANISERS),
    NavItem(_l("Questions"), "questions_console.index", "chat-left-text", ORGANISERS),
    NavItem(_l("My unit's questions"), "questions_console.unit_index", "chat-left-text", (Role.UNIT_RESPONDENT,)),
    NavItem(_l("Sites"), "directory_console.sites", "geo-alt", ORGANISERS),
    NavItem(_l("Organisations"), "directory_console.organisations", "building", ORGANISERS),
    NavItem(_l("People"), "directory_console.people", "people", ORGANISERS),
    NavItem(_l("Outbox"), "mail_console.outbox", "envelope", ORGANISERS),
    NavItem(_l("Calendar feeds"), "feeds_console.index", "calendar-plus", COORDINATORS),
    NavItem(_l("Users"), "accounts_console.index", "person-gear", (Role.ADMIN,)),
    NavItem(_l("API tokens"), "api_tokens_console.index", "key", ACCOUNT_HOLDERS),
)


def items_for(user) -> list[tuple[NavItem, str]]:
    """The nav entries this user may open, with their URLs (entries of unregistered screens are skipped)."""
    result = []
    for item in NAV_ITEMS:
        if user.role not in item.roles:
            continue
        try:
            result.append((item, url_for(item.endpoint)))
        except BuildError:
            continue
    return result
