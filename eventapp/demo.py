"""`flask demo`: a realistic, idempotent demo network (running it twice changes nothing)."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, datetime, time, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from eventapp import demo_content as content
from eventapp.accounts import services as accounts
from eventapp.accounts.models import Role, User
from eventapp.calendar import recurrence
from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.certificates import demo as certificates_demo
from eventapp.directory.models import Organisation, OrganisationKind, Person, Site
from eventapp.directory.services import seed_network
from eventapp.evaluations import demo as evaluations_demo
from eventapp.events import services as events
from eventapp.events import sites as event_sites
from eventapp.events.models import AgendaItem, Event, EventKind, EventMode, EventSeries
from eventapp.extensions import db
from eventapp.materials import demo as materials_demo
from eventapp.models import utcnow
from eventapp.questions import demo as questions_demo
from eventapp.registrations import calendar_truth, tickets
from eventapp.registrations.models import Registration, RegistrationChannel, RegistrationStatus

DEMO_PASSWORD = "eventapp-demo"  # noqa: S105 - printed by `make run`, demo data only
DEMO_USERS = (
    ("admin@demo.eventapp.vn", Role.ADMIN, "Quản trị hệ thống", None),
    ("organiser@demo.eventapp.vn", Role.ORGANISER, "Nguyễn Thị Lan (Trung tâm Thông tin)", None),
    ("checkin@demo.eventapp.vn", Role.CHECKIN_STAFF, "Trần Văn Hùng (lễ tân)", None),
    ("hanoi@demo.eventapp.vn", Role.SITE_COORDINATOR, "Điều phối Sở TT&TT Hà Nội", "P01"),
    ("quangninh@demo.eventapp.vn", Role.SITE_COORDINATOR, "Điều phối Sở TT&TT Quảng Ninh", "P22"),
    ("hcm@demo.eventapp.vn", Role.SITE_COORDINATOR, "Điều phối Sở TT&TT TP. Hồ Chí Minh", "P79"),
    ("danang@demo.eventapp.vn", Role.SITE_COORDINATOR, "Điều phối Sở TT&TT Đà Nẵng", "P48"),
)
JOURNALIST_COUNT = 80


def _stable_index(*parts: object) -> int:
    """A deterministic pseudo-random number from its inputs (no global RNG state)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def journalist_name(n: int) -> str:
    family = content.FAMILY_NAMES[_stable_index("f", n) % len(content.FAMILY_NAMES)]
    middle = content.MIDDLE_NAMES[_stable_index("m", n) % len(content.MIDDLE_NAMES)]
    given = content.GIVEN_NAMES[_stable_index("g", n) % len(content.GIVEN_NAMES)]
    return f"{family} {middle} {given}"


def _ensure_users() -> None:
    for email, role, name, site_code in DEMO_USERS:
        if accounts.find_user_by_email(email):
            continue
        site_id = db.session.scalar(sa.select(Site.id).where(Site.code == site_code)) if site_code else None
        accounts.create_user(email=email, password=DEMO_PASSWORD, role=role, full_name=name, site_id=site_id)


def _ensure_journalists() -> list[Person]:
    outlets = db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrganisationKind.PRESS_OUTLET).order_by(Organisation.id)
    ).all()
    people = []
    for n in range(1, JOURNALIST_COUNT + 1):
        email = f"nhabao{n:02d}@demo.eventapp.vn"
        person = db.session.scalar(sa.select(Person).where(Person.email_normalised == email))
        if person is None:
            person = Person(
                full_name=journalist_name(n), phone=f"09{_stable_index('p', n) % 10**8:08d}",
                organisation_id=outlets[n % len(outlets)].id,
                position=content.POSITIONS_JOURNALIST[n % len(content.POSITIONS_JOURNALIST)],
                press_card_no=f"TB-{n:05d}",
            )
            person.set_email(email)
            db.session.add(person)
        people.append(person)
    db.session.flush()
    return people


def _ensure_site_staff(site: Site, count: int) -> list[Person]:
    people = []
    for n in range(1, count + 1):
        email = f"{site.code.lower()}.{n}@demo.eventapp.vn"
        person = db.session.scalar(sa.select(Person).where(Person.email_normalised == email))
        if person is None:
            person = Person(
                full_name=journalist_name(1000 + _stable_index(site.code, n) % 5000),
                organisation_id=site.organisation_id,
                position=content.POSITIONS_SITE[n % len(content.POSITIONS_SITE)],
            )
            person.set_email(email)
            db.session.add(person)
        people.append(person)
    db.session.flush()
    return people


def _ensure_briefing_series(now: datetime) -> EventSeries:
    spec = content.BRIEFING_SERIES
    series = db.session.scalar(sa.select(EventSeries).where(EventSeries.title == spec["title"]))
    if series is not None:
        return series
    rule = "FREQ=MONTHLY;BYDAY=1TH"  # the first Thursday of every month, 15:00
    today_local = recurrence.to_local(now, DEFAULT_TZ).date() + timedelta(days=1)  # a new series starts ahead
    dtstart = recurrence.first_on_or_after(rule, today_local, time(15, 0), DEFAULT_TZ)
    return events.create_series(
        events.SeriesSpec(
            title=spec["title"], description=spec["description"], rrule=rule, dtstart_local=dtstart,
            duration_minutes=90, tz=DEFAULT_TZ, kind=EventKind.PRESS_BRIEFING, mode=EventMode.HYBRID,
            venue=spec["venue"], online_url=spec["online_url"], capacity=60,
            registration_opens_days_before=60, registration_closes_hours_before=2,
            requires_press_card=True,
        ),
        publish=True, now=now,
    )


def _training_day(now: datetime) -> date:
    """A Friday at least three weeks ahead: far enough to register, near enough to be on the home page."""
    day = recurrence.to_local(now, DEFAULT_TZ).date() + timedelta(days=21)
    return day + timedelta(days=(4 - day.weekday()) % 7)


def _ensure_training(now: datetime) -> Event:
    spec = content.TRAINING_2023
    existing = db.session.scalar(
        sa.select(Event).where(Event.kind == EventKind.TRAINING, Event.series_id.is_(None),
                               Event.title.like(spec["title"].removesuffix("2023") + "%")))
    if existing is not None:
        return existing
    day = _training_day(now)
    title = spec["title"].removesuffix("2023") + str(day.year)

    def at(clock: str) -> datetime:
        return recurrence.to_utc(datetime.combine(day, time.fromisoformat(clock)), DEFAULT_TZ)

    event = Event(
        kind=EventKind.TRAINING, title=title, description=spec["description"], tz=DEFAULT_TZ,
        starts_at=at(spec["start"]), ends_at=at(spec["end"]), mode=EventMode.HYBRID,
        venue=spec["venue"], online_url="https://meet.example.gov.vn/tap-huan",
        capacity=120, registration_closes_at=at("08:00") - timedelta(days=2),
    )
    db.session.add(event)
    db.session.flush()
    units = {o.name: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrganisationKind.MINISTRY_UNIT))}
    for position, item in enumerate(content.TRAINING_AGENDA):
        organisation = units.get(item["speaker_organisation"])
        event.agenda_items.append(AgendaItem(
            position=position, starts_at=at(item["start"]), ends_at=at(item["end"]), title=item["title"],
            speaker=item["speaker"] or None, speaker_organisation_id=organisation.id if organisation else None,
            speaker_organisation_name=item["speaker_organisation"],
        ))
    sites = db.session.scalars(sa.select(Site).where(Site.is_active).order_by(Site.code)).all()
    event_sites.add_sites(event, [s.id for s in sites], quota=6)
    events.publish_event(event, now=now)
    return event


def _register(event: Event, person: Person, status: RegistrationStatus, channel: RegistrationChannel,
              site: Site | None = None) -> None:
    exists = db.session.scalar(sa.select(Registration.id).where(
        Registration.event_id == event.id, Registration.person_id == person.id))
    if exists:
        return
    db.session.add(Registration(
        event_id=event.id, person_id=person.id, site_id=site.id if site else None, channel=channel,
        status=status,
    ))


def _ensure_registrations(series: EventSeries, training: Event, journalists: list[Person], now: datetime) -> None:
    upcoming = db.session.scalars(
        sa.select(Event).where(Event.series_id == series.id, Event.starts_at > now).order_by(Event.starts_at).limit(2)
    ).all()
    mix = itertools.cycle([RegistrationStatus.APPROVED] * 6 + [RegistrationStatus.PENDING,
                          RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED])
    for event in upcoming:
        for person in journalists[:45]:
            _register(event, person, next(mix), RegistrationChannel.PUBLIC)
    for code, count in (("P01", 6), ("P22", 6), ("P79", 5), ("P48", 4), ("BO-HN", 6)):
        site = db.session.scalars(sa.select(Site).where(Site.code == code)).one()  # seeded above
        for person in _ensure_site_staff(site, count):
            _register(training, person, RegistrationStatus.APPROVED, RegistrationChannel.SITE, site=site)
    for person in journalists[:12]:
        _register(training, person, RegistrationStatus.APPROVED, RegistrationChannel.PUBLIC)


def load_demo(now: datetime | None = None) -> None:
    """Load everything; each piece is looked up by a natural key first, so a rerun adds nothing."""
    now = now or utcnow()
    seed_network()
    _ensure_users()
    journalists = _ensure_journalists()
    series = _ensure_briefing_series(now)
    training = _ensure_training(now)
    _ensure_registrations(series, training, journalists, now)
    materials_demo.load(now)  # a past training with its attendance, materials and a recording
    evaluations_demo.load(now)  # that training's questionnaire and answers
    db.session.flush()
    questions_demo.load_questions(now, DEMO_PASSWORD)  # a briefing with questions in every state
    # The demo's people were invited when they registered (as real registrants are): their
    # calendars are recorded as holding their sessions, so the first change tells them just that.
    calendar_truth.record_as_told(list(db.session.scalars(sa.select(Registration.person_id).distinct())), now)
    certificates_demo.load_demo(now)  # after the features that make the past training
    # Real ticket links (derived from SECRET_KEY, as for any registrant), so that every e-mail,
    # ticket page and badge of the demo works: nothing is a placeholder.
    for registration in db.session.scalars(sa.select(Registration).where(Registration.ticket_token_hash.is_(None))):
        tickets.current_ticket(registration)


def demo_tickets() -> list[tuple[str, str]]:
    """(whose, ticket URL) of two demo registrants to click through: one of an upcoming briefing,
    and one present at the past training (its materials, evaluation and certificate)."""
    now = utcnow()
    wanted = (("an upcoming briefing", sa.and_(Event.starts_at > now, Event.series_id.is_not(None))),
              ("the past training (present)", sa.and_(Event.ends_at < now, Registration.checked_in_at.is_not(None))))
    found = []
    for label, condition in wanted:
        registration = db.session.scalars(
            sa.select(Registration).join(Event, Event.id == Registration.event_id)
            .where(condition, Registration.status == RegistrationStatus.APPROVED, Registration.site_id.is_(None))
            .order_by(Event.starts_at, Registration.id).limit(1)).first()
        token = tickets.current_ticket(registration) if registration else None
        if token:
            found.append((label, tickets.ticket_url(token)))
    return found


def demo_counts() -> dict[str, int]:
    """Row counts of the main tables (to show, and to test, that the demo is idempotent)."""
    models = {"organisations": Organisation, "sites": Site, "people": Person, "users": User,
              "series": EventSeries, "events": Event, "registrations": Registration,
              "agenda_items": AgendaItem}
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0 for name, m in models.items()}


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data (idempotent) and print the demo sign-ins."""
    load_demo()
    db.session.commit()
    counts = demo_counts()
    click.echo("demo data: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    click.echo(f"\nEventApp demo at {base}  (password for every demo account: {DEMO_PASSWORD})")
    for email, role, _name, _site in DEMO_USERS:
        click.echo(f"  {role.value:<17} {email}")
    for label, url in demo_tickets():
        click.echo(f"  ticket of {label}: {url}")


__all__ = ["DEMO_PASSWORD", "demo_command", "demo_counts", "load_demo"]
