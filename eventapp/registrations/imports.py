"""Bulk registration of a site's people from CSV/XLSX: a preview report, then all valid rows or nothing."""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from eventapp.directory.models import Person, normalise_email, normalise_text
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.registrations import capacity, services
from eventapp.registrations.labels import ERRORS
from eventapp.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from eventapp.registrations.validation import MESSAGES, check_person, restore_phone
from eventapp.spreadsheets import UPLOAD_LIMITS, Table

MAX_IMPORT_ROWS = 2000
# Reading stops at the first row past the limit (blank rows count): a hostile file costs little.
IMPORT_LIMITS = dataclasses.replace(UPLOAD_LIMITS, max_rows=MAX_IMPORT_ROWS)
PAYLOAD_MAX_AGE = 3600
TEMPLATE_HEADERS = ["Họ và tên", "E-mail", "Điện thoại", "Chức vụ"]
# Accepted spellings of each column, after spreadsheets' header normalisation (lower snake case).
HEADER_ALIASES = {
    "full_name": {"full_name", "name", "họ_và_tên", "họ_tên", "ho_va_ten", "ho_ten"},
    "email": {"email", "e_mail", "thư_điện_tử", "thu_dien_tu"},
    "phone": {"phone", "điện_thoại", "dien_thoai", "số_điện_thoại", "so_dien_thoai"},
    "position": {"position", "chức_vụ", "chuc_vu"},
}
FILE_ERRORS = {
    "empty": _l("The file is empty."),
    "no_header": _l("The first row must hold the column names."),
    "too_many_rows": _l("The file has too many rows (at most %(max)s, blank rows included).",
                        max=MAX_IMPORT_ROWS),
    "too_many_columns": _l("The file has too many columns (at most %(max)s).", max=IMPORT_LIMITS.max_columns),
    "too_many_cells": _l("The file has too many cells (at most %(max)s). Please use the template.",
                         max=IMPORT_LIMITS.max_cells),
    "too_large_inside": _l("The workbook is too large once unpacked. Please use the template."),
    "not_utf8": _l("The CSV file must be saved as UTF-8."),
    "binary": _l("This does not look like a CSV file."),
    "malformed": _l("The file could not be read. Please use the template."),
    "unsupported_type": _l("Please upload a .csv or .xlsx file."),
    "missing_name": _l("The file needs a \"Họ và tên\" (full name) column. Please use the template."),
    "expired": _l("The preview has expired. Please upload the file again."),
}
ROW_STATUS = ("ok", "error", "duplicate", "over_quota")


@dataclass
class Row:
    """One data row of the file, checked."""

    number: int
    values: dict[str, str]
    status: str = "ok"
    problems: list[Any] = field(default_factory=list)


@dataclass
class Report:
    """The preview: every row with its verdict, and the quota it was checked against."""

    rows: list[Row]
    quota_left: int

    def of(self, status: str) -> list[Row]:
        return [r for r in self.rows if r.status == status]

    @property
    def counts(self) -> dict[str, int]:
        return {s: len(self.of(s)) for s in ROW_STATUS}


def _columns(headers: list[str]) -> dict[str, str]:
    found = {}
    for header in headers:
        for name, aliases in HEADER_ALIASES.items():
            if header in aliases and name not in found:
                found[name] = header
    return found


def rows_from_table(table: Table) -> list[tuple[int, dict[str, str]]]:
    """(row number, {full_name, email, phone, position}); raises ValueError(code) for the file."""
    columns = _columns(table.headers)
    if "full_name" not in columns:
        raise ValueError("missing_name")
    if len(table.rows) > MAX_IMPORT_ROWS:
        raise ValueError("too_many_rows")
    rows = [(number, {name: record.get(header, "") for name, header in columns.items()})
            for number, record in table.rows]
    for _number, values in rows:
        if values.get("phone"):
            values["phone"] = restore_phone(values["phone"])
    return rows


def _key(values: dict[str, str]) -> str:
    email = normalise_email(values.get("email"))
    if email:
        return "e:" + email
    digits = "".join(ch for ch in values.get("phone", "") if ch.isdigit())
    return f"n:{values.get('full_name', '').casefold()}|{digits}"


# A registration in one of these states is returned by services.register as a duplicate.
HELD = ACTIVE_STATUSES | {RegistrationStatus.REJECTED}


def _verdict(own: bool, registered_at: int | None, status: RegistrationStatus | None, site_id: int) -> str | None:
    """"duplicate" for the site's own registration, "not_for_site" for anything it may not touch."""
    if status in HELD and registered_at == site_id:
        return "duplicate"
    if not own or status in HELD:
        return "not_for_site"  # someone else's person or registration: named to nobody
    return None


def _email_verdicts(event: Event, site_id: int, organisation_id: int | None, emails: set[str]) -> dict[str, str]:
    found = db.session.execute(
        sa.select(Person.id, Person.email_normalised, Person.organisation_id, Registration.site_id,
                  Registration.status)
        .outerjoin(Registration, sa.and_(Registration.person_id == Person.id, Registration.event_id == event.id))
        .where(Person.email_normalised.in_(emails))).all() if emails else []
    ids = [row.id for row in found]
    # as services.site_may_register: people the site registered before count as its own
    known = set(db.session.scalars(sa.select(Registration.person_id).where(
        Registration.person_id.in_(ids), Registration.site_id == site_id))) if ids else set()
    verdicts = {}
    for person_id, email, org_id, registered_at, status in found:
        own = (organisation_id is not None and org_id == organisation_id) or person_id in known
        verdict = _verdict(own, registered_at, status, site_id)
        if verdict:
            verdicts[f"e:{email}"] = verdict
    return verdicts


def _name_verdicts(event: Event, site_id: int, organisation_id: int | None, rows: list[Row]) -> dict[str, str]:
    """Verdicts for rows without an e-mail: the site's own by key, the organisation's people by name."""
    # the name (and phone) match mirrors services.find_or_create_person, which import_rows will call
    verdicts = {}
    for name, phone in db.session.execute(
            sa.select(Person.full_name, Person.phone).join(Registration, Registration.person_id == Person.id)
            .where(Registration.event_id == event.id, Registration.site_id == site_id,
                   Registration.is_active, Person.email_normalised.is_(None))):
        verdicts[_key({"full_name": name, "phone": phone or ""})] = "duplicate"
    names = {normalise_text(r.values["full_name"]) for r in rows}
    if organisation_id is None or not names:
        return verdicts  # no organisation: every such row makes a new person
    candidates = db.session.execute(
        sa.select(Person.full_name, Person.phone, Registration.site_id, Registration.status)
        .join(Registration, sa.and_(Registration.person_id == Person.id, Registration.event_id == event.id))
        .where(Person.organisation_id == organisation_id, Person.email_normalised.is_(None),
               Person.full_name.in_(names))).all()
    for row in rows:
        name, phone = normalise_text(row.values["full_name"]), row.values["phone"] or None
        found = [_verdict(True, c.site_id, c.status, site_id) for c in candidates
                 if c.full_name == name and (phone is None or c.phone == phone)]
        for verdict in ("duplicate", "not_for_site"):  # the site's own registration wins
            if verdict in found:
                verdicts.setdefault(_key(row.values), verdict)
                break
    return verdicts


def _verdicts(event: Event, site_id: int, organisation_id: int | None, rows: list[Row]) -> dict[str, str]:
    """Key -> "duplicate" or "not_for_site" for rows the site cannot register (a few queries)."""
    emails = {_key(r.values)[2:] for r in rows if _key(r.values).startswith("e:")}
    verdicts = _email_verdicts(event, site_id, organisation_id, emails)
    verdicts.update(_name_verdicts(event, site_id, organisation_id,
                                   [r for r in rows if not _key(r.values).startswith("e:")]))
    return verdicts


def check(rows: list[tuple[int, dict[str, str]]], event: Event, site_id: int,
          organisation_id: int | None) -> Report:
    """Row errors (with reasons), duplicates (in the file or already registered), over-quota rows."""
    checked: list[Row] = []
    for number, raw in rows:
        fields = check_person(raw, email_required=False)
        row = Row(number, {"full_name": fields.full_name, "email": fields.email, "phone": fields.phone,
                           "position": fields.position})
        if fields.errors:
            row.status = "error"
            row.problems = [MESSAGES[code] for code in fields.errors.values()]
        checked.append(row)
    valid = [r for r in checked if r.status == "ok"]
    verdicts = _verdicts(event, site_id, organisation_id, valid)
    seen: set[str] = set()
    for row in valid:
        key = _key(row.values)
        if verdicts.get(key) == "duplicate":
            row.status, row.problems = "duplicate", [_l("Already registered for this event.")]
        elif verdicts.get(key) == "not_for_site":
            row.status, row.problems = "error", [ERRORS["not_for_site"]]
        elif key in seen:
            row.status, row.problems = "duplicate", [_l("Appears twice in the file.")]
        seen.add(key)
    taking_part = capacity.participation(event.id, site_id)
    left = max((taking_part.quota if taking_part else 0) - capacity.site_seats_taken(event.id, site_id), 0)
    for index, row in enumerate([r for r in checked if r.status == "ok"]):
        if index >= left:
            row.status, row.problems = "over_quota", [_l("Beyond the site's quota.")]
    return Report(checked, left)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="registrations.site-import")


def sign(report: Report, event_id: int, site_id: int) -> str:
    """The rows to import, signed: the confirm step needs no server-side state."""
    rows = [[r.number, r.values["full_name"], r.values["email"], r.values["phone"], r.values["position"]]
            for r in report.of("ok")]
    return _serializer().dumps({"event": event_id, "site": site_id, "rows": rows})


def unsign(payload: str, event_id: int, site_id: int) -> list[tuple[int, dict[str, str]]]:
    try:
        data = _serializer().loads(payload or "", max_age=PAYLOAD_MAX_AGE)
    except BadSignature:
        raise ValueError("expired") from None
    if data.get("event") != event_id or data.get("site") != site_id:
        raise ValueError("expired")
    return [(n, {"full_name": a, "email": b, "phone": c, "position": d}) for n, a, b, c, d in data["rows"]]


def import_rows(rows: list[tuple[int, dict[str, str]]], event: Event, site_id: int,
                organisation_id: int | None, *, actor: Any) -> Report:
    """Under the event lock, check the rows again; import them all only if every one is still valid.

    Returns the fresh report: when some row is no longer valid (a quota changed, someone registered
    meanwhile) nothing is added, and the caller rolls back and shows the report.
    """
    def applicant(values: dict[str, str]) -> services.Applicant:
        return services.Applicant(full_name=values["full_name"], email=values["email"] or None,
                                  phone=values["phone"] or None, position=values["position"] or None,
                                  organisation_id=organisation_id)

    # People first (sorted), then the event lock: the lock order every transaction follows.
    for _number, values in sorted(rows, key=lambda row: row[1]["email"].lower()):
        with contextlib.suppress(services.RegistrationError):  # another's person: left untouched,
            services.person_for_site(applicant(values), site_id, organisation_id)  # the check refuses it
    capacity.lock_event(event.id)
    report = check(rows, event, site_id, organisation_id)
    if report.counts["ok"] != len(rows):
        return report
    for row in report.rows:
        services.register_for_site(event, site_id, organisation_id, applicant(row.values), actor=actor)
    return report
