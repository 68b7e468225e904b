"""Certificates: the template's wording, who is present, issuing with unguessable codes, revoking,
and the PDF pages. Services flush and raise; views commit.

Present means recorded as present: checked in at the door (scan, search, walk-in) or marked present
by the site's roll-call (both set `checked_in_at` on an approved registration).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventapp import audit
from eventapp.accounts.models import User
from eventapp.certificates import wording
from eventapp.certificates.models import CODE_LENGTH, Certificate, CertificateTemplate
from eventapp.directory.collation import person_key
from eventapp.directory.models import Person
from eventapp.documents import certificate as layout
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.registrations.tickets import public_url

# Crockford's base32 without I, L, O, U: no letter is mistaken for a digit when typed from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # 16 characters = 80 random bits
TEMPLATE_FIELDS = ("issuer", "title", "body", "signatory_name", "signatory_title", "place", "issued_on")
WORDED_FIELDS = ("issuer", "title", "body", "signatory_name", "signatory_title", "place")


class CertificateError(Exception):
    """A certificate action that cannot be done; `code` says why (the view translates it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def default_wording() -> dict[str, str]:
    """The wording of an event without a template of its own, in the current language."""
    return {
        "issuer": _("MINISTRY OF INFORMATION AND COMMUNICATIONS\nINFORMATION CENTRE"),
        "title": _("CERTIFICATE OF PARTICIPATION"),
        "body": _("Organisation: {organisation}\nattended {event}\non {date} at {site}."),
        "signatory_name": "",
        "signatory_title": _("DIRECTOR"),
        "place": _("Hanoi"),
    }


def template_values(event: Event) -> dict[str, object]:
    """The event's wording: its saved template, or the default."""
    saved = db.session.scalar(sa.select(CertificateTemplate).where(CertificateTemplate.event_id == event.id))
    if saved is None:
        return {**default_wording(), "issued_on": None}
    return {name: getattr(saved, name) for name in TEMPLATE_FIELDS}


def save_template(event: Event, values: Mapping[str, object], actor: User | None) -> CertificateTemplate:
    """Store the event's wording; raises wording.WordingError (with the field) for a bad placeholder."""
    for name in WORDED_FIELDS:
        try:
            wording.check(str(values.get(name) or ""))
        except wording.WordingError as error:
            error.field = name
            raise
    template = db.session.scalar(sa.select(CertificateTemplate).where(CertificateTemplate.event_id == event.id))
    if template is None:
        template = CertificateTemplate(event_id=event.id)
        db.session.add(template)
    for name in TEMPLATE_FIELDS:
        value = values.get(name)
        setattr(template, name, value if name == "issued_on" else str(value or "").strip())
    db.session.flush()
    audit.record(actor, "certificates.template", event, event.title)
    return template


def present_condition() -> sa.ColumnElement[bool]:
    return sa.and_(Registration.status == RegistrationStatus.APPROVED, Registration.checked_in_at.is_not(None))


def is_present(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.APPROVED and registration.checked_in_at is not None


def present_registrations(event_id: int, site_id: int | None = None) -> list[Registration]:
    """The event's present registrants (of one site when given), in Vietnamese name order."""
    query = (sa.select(Registration)
             .options(selectinload(Registration.person).selectinload(Person.organisation),
                      selectinload(Registration.site))
             .where(Registration.event_id == event_id, present_condition()))
    if site_id is not None:
        query = query.where(Registration.site_id == site_id)
    rows = db.session.scalars(query).all()
    return sorted(rows, key=lambda r: person_key(r.person.full_name))


def certificates_by_registration(registration_ids: list[int]) -> dict[int, Certificate]:
    if not registration_ids:
        return {}
    rows = db.session.scalars(sa.select(Certificate).where(Certificate.registration_id.in_(registration_ids)))
    return {c.registration_id: c for c in rows}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _issue_one(registration: Registration, now: datetime) -> Certificate:
    """Insert in a savepoint: two downloads at once both end with the one certificate."""
    try:
        with db.session.begin_nested():
            certificate = Certificate(registration_id=registration.id, code=new_code(), issued_at=now)
            db.session.add(certificate)
        return certificate
    except IntegrityError:
        existing = certificates_by_registration([registration.id]).get(registration.id)
        if existing is None:
            raise
        return existing


def issue(registrations: list[Registration], now: datetime | None = None,
          actor: User | None = None) -> dict[int, Certificate]:
    """The certificates of these registrations, issuing those not issued yet to the present ones
    (audited, with who asked: an organiser, a coordinator, or None for the holder); absent
    registrants get none (and are left out of the answer)."""
    now = now or utcnow()
    present = [r for r in registrations if is_present(r)]
    found = certificates_by_registration([r.id for r in present])
    new = [r for r in present if r.id not in found]
    for registration in new:
        found[registration.id] = _issue_one(registration, now)
    if new:
        audit.record(actor, "certificates.issue", new[0].event, ", ".join(r.person.full_name for r in new),
                     diff={"codes": [found[r.id].code for r in new]})
    return found


def certificate_of(registration: Registration, now: datetime | None = None,
                   actor: User | None = None) -> Certificate:
    """One person's certificate (issued now if need be); refuses absent people and revoked ones."""
    if not is_present(registration):
        raise CertificateError("not_present")
    certificate = issue([registration], now, actor)[registration.id]
    if certificate.is_revoked:
        raise CertificateError("revoked")
    return certificate


def revoke(certificate: Certificate, actor: User, reason: str, now: datetime | None = None) -> None:
    """Withdraw a certificate issued by mistake: its verification page says so from now on."""
    if certificate.is_revoked:
        raise CertificateError("already_revoked")
    certificate.revoked_at = now or utcnow()
    certificate.revoked_by_id = actor.id
    certificate.revocation_reason = reason.strip()[:300] or None
    audit.record(actor, "certificates.revoke", certificate, certificate.registration.person.full_name,
                 diff={"reason": certificate.revocation_reason})


def reinstate(certificate: Certificate, actor: User) -> None:
    """Undo a revocation made in error: the same code is valid again."""
    if not certificate.is_revoked:
        raise CertificateError("not_revoked")
    certificate.revoked_at = None
    certificate.revoked_by_id = None
    certificate.revocation_reason = None
    audit.record(actor, "certificates.reinstate", certificate, certificate.registration.person.full_name)


def normalise_code(raw: object) -> str | None:
    """A typed or scanned code as stored (upper case, no dashes or spaces), or None if malformed."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    code = raw.replace("-", "").replace(" ", "").strip().upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def find_by_code(raw: object) -> Certificate | None:
    code = normalise_code(raw)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def verify_url(certificate: Certificate) -> str:
    return public_url("certificates.verify", code=certificate.code)


@dataclass(frozen=True)
class Verification:
    """All the public verification page may show: the name, the event and its date, the state."""

    name: str
    event: str
    date: str
    revoked: bool
    # Issued, but its holder is no longer recorded as present (check-in undone, registration
    # cancelled, marked absent by the site): a printed copy must not keep verifying as valid.
    withdrawn: bool = False

    @property
    def valid(self) -> bool:
        return not (self.revoked or self.withdrawn)


def event_dates(event: Event) -> str:
    """The event's day (or days) in its own zone: 24/11/2023, or 23/11/2023 – 24/11/2023."""
    zone = ZoneInfo(event.tz)
    first, last = event.starts_at.astimezone(zone).date(), event.ends_at.astimezone(zone).date()
    if first == last:
        return first.strftime("%d/%m/%Y")
    return f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"


def verification(certificate: Certificate) -> Verification:
    registration = certificate.registration
    return Verification(name=registration.person.full_name, event=registration.event.title,
                        date=event_dates(registration.event), revoked=certificate.is_revoked,
                        withdrawn=not is_present(registration))


def _values(registration: Registration) -> dict[str, str]:
    person, event = registration.person, registration.event
    return {
        "name": person.full_name,
        "organisation": person.organisation.name if person.organisation else "",
        "position": person.position or "",
        "event": event.title,
        "date": event_dates(event),
        "site": registration.site.name if registration.site else (event.venue or ""),
    }


def _issue_day(event: Event, issued_on: object) -> date:
    if isinstance(issued_on, date):
        return issued_on
    return event.ends_at.astimezone(ZoneInfo(event.tz)).date()


def page(certificate: Certificate, values: dict[str, object]) -> layout.CertificatePage:
    """One certificate's page from the event's wording (checked when saved; filled here)."""
    registration = certificate.registration
    filled = {name: wording.fill(str(values.get(name) or ""), _values(registration)) for name in WORDED_FIELDS}
    day = _issue_day(registration.event, values.get("issued_on"))
    url = verify_url(certificate)
    return layout.CertificatePage(
        issuer=filled["issuer"],
        header=_("SOCIALIST REPUBLIC OF VIET NAM\nIndependence - Freedom - Happiness"),
        title=filled["title"], lead=_("This is to certify that"), holder=registration.person.full_name,
        body=filled["body"],
        place_and_date=_("%(place)s, %(day)02d/%(month)02d/%(year)d", place=filled["place"],
                         day=day.day, month=day.month, year=day.year).lstrip(", "),
        signatory_title=filled["signatory_title"], signatory_name=filled["signatory_name"],
        code_line=_("Verification code: %(code)s", code=certificate.display_code),
        verify_line=_("Check it at %(url)s", url=url), verify_url=url)


def render(event: Event, certificates: list[Certificate]) -> bytes:
    """One PDF with a page for each certificate (revoked ones are left out)."""
    values = template_values(event)
    pages = [page(c, values) for c in certificates if not c.is_revoked]
    return layout.render(pages, title=_("Certificates of participation") + " · " + event.title)


def bundle(event: Event, registrations: list[Registration], now: datetime | None = None,
           actor: User | None = None) -> tuple[bytes, int]:
    """The certificates of these (present) registrants as one PDF, issuing any missing; and how many."""
    issued = issue(registrations, now, actor)
    certificates = [issued[r.id] for r in registrations if r.id in issued and not issued[r.id].is_revoked]
    return render(event, certificates), len(certificates)
