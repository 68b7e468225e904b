"""Directory actions: seed the network (provinces, Ministry locations, units) and import files."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventapp.directory.models import (
    REGION_BY_VIETNAMESE_NAME,
    Organisation,
    OrganisationKind,
    Person,
    Region,
    Site,
    normalise_email,
    normalise_text,
)
from eventapp.extensions import db
from eventapp.spreadsheets import Table

MINISTRY_LOCATIONS = (
    # code, name, province code, address
    ("BO-HN", "Trụ sở Bộ TT&TT (Hà Nội)", "01", "18 Nguyễn Du, Hai Bà Trưng, Hà Nội"),
    ("BO-HCM", "Văn phòng đại diện Bộ TT&TT tại TP. Hồ Chí Minh", "79", "TP. Hồ Chí Minh"),
    ("BO-DN", "Văn phòng đại diện Bộ TT&TT tại Đà Nẵng", "48", "Đà Nẵng"),
)


def _data_rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("eventapp.data").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def department_name(province_name: str) -> str:
    return f"Sở TT&TT {province_name}"


def _upsert_organisation(kind: OrganisationKind, name: str, **values: object) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.kind == kind, Organisation.name == name))
    if org is None:
        org = Organisation(kind=kind, name=name)
        db.session.add(org)
    for key, value in values.items():
        if value is not None:
            setattr(org, key, value)
    return org


def _upsert_site(code: str, **values: object) -> Site:
    site = db.session.scalar(sa.select(Site).where(Site.code == code))
    if site is None:
        site = Site(code=code)
        db.session.add(site)
    for key, value in values.items():
        setattr(site, key, value)
    return site


def seed_network() -> None:
    """Idempotently load the 63 Sở TT&TT (organisations and sites), the Ministry's 3 locations,
    the Ministry's units and the press outlets shipped in eventapp/data."""
    for row in _data_rows("provinces.csv"):
        org = _upsert_organisation(
            OrganisationKind.PROVINCIAL_DEPARTMENT, department_name(row["name"]), province_code=row["code"]
        )
        db.session.flush()
        _upsert_site(
            f"P{row['code']}", name=department_name(row["name"]), organisation_id=org.id,
            province_code=row["code"], region=REGION_BY_VIETNAMESE_NAME[row["region"]],
            is_ministry_location=False,
        )
    for code, name, province_code, address in MINISTRY_LOCATIONS:
        region = Region.RED_RIVER_DELTA if province_code == "01" else (
            Region.SOUTHEAST if province_code == "79" else Region.SOUTH_CENTRAL_COAST)
        _upsert_site(code, name=name, province_code=province_code, region=region, address=address,
                     is_ministry_location=True, organisation_id=None)
    for row in _data_rows("ministry_units.csv"):
        _upsert_organisation(OrganisationKind.MINISTRY_UNIT, row["name"],
                             short_name=row.get("short_name") or None, email=row.get("email") or None)
    for row in _data_rows("press_outlets.csv"):
        _upsert_organisation(OrganisationKind.PRESS_OUTLET, row["name"], short_name=row.get("short_name") or None)
    db.session.flush()


# --- import -------------------------------------------------------------------------------

KIND_ALIASES = {
    "ministry_unit": OrganisationKind.MINISTRY_UNIT, "unit": OrganisationKind.MINISTRY_UNIT,
    "đơn vị": OrganisationKind.MINISTRY_UNIT,
    "provincial_department": OrganisationKind.PROVINCIAL_DEPARTMENT, "sở": OrganisationKind.PROVINCIAL_DEPARTMENT,
    "press_outlet": OrganisationKind.PRESS_OUTLET, "press": OrganisationKind.PRESS_OUTLET,
    "báo chí": OrganisationKind.PRESS_OUTLET, "other": OrganisationKind.OTHER,
}
TRUE_WORDS = {"1", "true", "yes", "x", "có", "co"}
FALSE_WORDS = {"", "0", "false", "no", "không", "khong"}

IMPORT_KINDS = {
    # kind: (columns that identify the file, all known columns)
    "organisations": ({"kind", "name"}, {"kind", "name", "short_name", "province_code", "email", "phone"}),
    "sites": ({"code", "name"}, {"code", "name", "organisation", "province_code", "region", "address",
                                 "is_ministry_location", "is_active"}),
    "people": ({"full_name"}, {"full_name", "email", "phone", "organisation", "position", "press_card_no"}),
}

FIELD_LIMITS = {
    "name": 200, "short_name": 60, "email": 254, "phone": 30, "code": 20, "address": 300,
    "full_name": 150, "position": 150, "press_card_no": 40, "organisation": 200, "province_code": 3,
}


@dataclass
class RowError:
    """A problem with one row of an import file (row numbers as the spreadsheet shows them)."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import would do, or why it cannot: all-or-nothing."""

    kind: str = ""
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def detect_kind(table: Table) -> str | None:
    headers = set(table.headers)
    for kind, (required, _known) in IMPORT_KINDS.items():
        if required <= headers and (kind != "organisations" or "code" not in headers):
            return kind
    return None


def _parse_bool(value: str) -> bool | None:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _find_organisation(name: str) -> Organisation | None:
    return db.session.scalar(
        sa.select(Organisation).where(sa.or_(Organisation.name == name, Organisation.short_name == name)).limit(1)
    )


REQUIRED_MESSAGE = _l("This field is required.")


def import_directory(table: Table, *, apply: bool) -> ImportReport:
    """Validate every row; when there is no error and `apply` is set, add or update them all.

    Nothing is written when any row is bad, so a file is imported whole or not at all.
    """
    kind = detect_kind(table)
    report = ImportReport(kind=kind or "")
    if kind is None:
        report.errors.append(RowError(1, "", _(
            "Unrecognised columns. Expected organisations (kind, name), sites (code, name) or people (full_name).")))
        return report
    handler = {"organisations": _organisation_row, "sites": _site_row, "people": _person_row}[kind]
    seen: dict[str, int] = {}
    planned = []
    for number, record in table.rows:
        errors_before = len(report.errors)
        for column, limit in FIELD_LIMITS.items():
            if len(record.get(column, "")) > limit:
                report.errors.append(RowError(number, column, _("At most %(n)d characters.", n=limit)))
        action = handler(number, record, report, seen)
        if len(report.errors) == errors_before and action is not None:
            planned.append(action)
    if report.errors:
        return report
    with db.session.no_autoflush:
        for action in planned:
            created = action(apply)
            if created:
                report.created += 1
            else:
                report.updated += 1
    if apply:
        db.session.flush()
    return report


def _duplicate(number: int, key: str, column: str, report: ImportReport, seen: dict[str, int]) -> bool:
    if key in seen:
        report.errors.append(RowError(number, column, _("Duplicate of row %(row)d.", row=seen[key])))
        return True
    seen[key] = number
    return False


def _organisation_row(number: int, record: dict, report: ImportReport, seen: dict):
    kind = KIND_ALIASES.get(record.get("kind", "").lower())
    name = record.get("name", "")
    if kind is None:
        report.errors.append(RowError(number, "kind", _("Unknown organisation kind.")))
    if not name:
        report.errors.append(RowError(number, "name", str(REQUIRED_MESSAGE)))
    if kind is None or not name or _duplicate(number, f"{kind}:{name.lower()}", "name", report, seen):
        return None

    def apply(write: bool) -> bool:
        existing = db.session.scalar(sa.select(Organisation).where(Organisation.kind == kind, Organisation.name == name))
        if write:
            _upsert_organisation(kind, name, short_name=record.get("short_name") or None,
                                 province_code=record.get("province_code") or None,
                                 email=record.get("email") or None, phone=record.get("phone") or None)
        return existing is None

    return apply


def _site_row(number: int, record: dict, report: ImportReport, seen: dict):
    code, name = record.get("code", ""), record.get("name", "")
    for column, value in (("code", code), ("name", name)):
        if not value:
            report.errors.append(RowError(number, column, str(REQUIRED_MESSAGE)))
    region_text = record.get("region", "")
    region = REGION_BY_VIETNAMESE_NAME.get(region_text) or (Region(region_text) if region_text in Region._value2member_map_ else None)
    if region_text and region is None:
        report.errors.append(RowError(number, "region", _("Unknown region.")))
    flags = {}
    for column in ("is_ministry_location", "is_active"):
        parsed = _parse_bool(record.get(column, ""))
        if parsed is None:
            report.errors.append(RowError(number, column, _("Expected yes or no.")))
        flags[column] = parsed
    organisation = None
    if record.get("organisation"):
        organisation = _find_organisation(record["organisation"])
        if organisation is None:
            report.errors.append(RowError(number, "organisation", _("No organisation with this name.")))
    if not code or not name or _duplicate(number, code.upper(), "code", report, seen):
        return None

    def apply(write: bool) -> bool:
        existing = db.session.scalar(sa.select(Site).where(Site.code == code))
        if write:
            values = {"name": name, "province_code": record.get("province_code") or None,
                      "address": record.get("address") or None,
                      "is_ministry_location": bool(flags["is_ministry_location"])}
            if region is not None:
                values["region"] = region
            if organisation is not None:
                values["organisation_id"] = organisation.id
            if record.get("is_active", "") != "":
                values["is_active"] = bool(flags["is_active"])
            _upsert_site(code, **values)
        return existing is None

    return apply


def _person_row(number: int, record: dict, report: ImportReport, seen: dict):
    full_name = normalise_text(record.get("full_name"))
    if not full_name:
        report.errors.append(RowError(number, "full_name", str(REQUIRED_MESSAGE)))
    email = record.get("email", "")
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            report.errors.append(RowError(number, "email", _("Invalid e-mail address.")))
            email = ""
    organisation = None
    if record.get("organisation"):
        organisation = _find_organisation(record["organisation"])
        if organisation is None:
            report.errors.append(RowError(number, "organisation", _("No organisation with this name.")))
    key = normalise_email(email) or f"row:{number}"
    if not full_name or _duplicate(number, key, "email", report, seen):
        return None

    def apply(write: bool) -> bool:
        existing = None
        if email:
            existing = db.session.scalar(sa.select(Person).where(Person.email_normalised == normalise_email(email)))
        if write:
            person = existing or Person(full_name=full_name)
            if existing is None:
                db.session.add(person)
            person.full_name = full_name
            person.set_email(email or None)
            for column in ("phone", "position", "press_card_no"):
                if record.get(column):
                    setattr(person, column, record[column])
            if organisation is not None:
                person.organisation_id = organisation.id
        return existing is None

    return apply
