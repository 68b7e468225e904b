"""Test fixtures: the app on SQLite and PostgreSQL, per-test isolation, builders, browser server."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_babel
import pytest
import sqlalchemy as sa
from flask import g, request_started
from werkzeug.serving import make_server

from config import TestingConfig
from eventapp import create_app
from eventapp.accounts.models import Role, User
from eventapp.directory.models import Organisation, OrganisationKind, Person, Site
from eventapp.events.models import Event, EventKind, EventMode, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.registrations import calendar_truth
from eventapp.registrations.models import Registration, RegistrationChannel, RegistrationStatus

PG_URL_ENV = "EVENTAPP_TEST_DATABASE_URL"
REQUIRE_PG_ENV = "EVENTAPP_REQUIRE_POSTGRES"
REQUIRE_BROWSER_ENV = "EVENTAPP_REQUIRE_BROWSER"
CHROMIUM = os.environ.get("EVENTAPP_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery"


def _required(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


def pg_url() -> str | None:
    """The PostgreSQL test database URL, or None (skip) — a failure when CI requires PostgreSQL."""
    url = os.environ.get(PG_URL_ENV)
    if url:
        return url
    if _required(REQUIRE_PG_ENV):
        pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_URL_ENV} is not set")
    return None


def _skip_or_fail(reason: str, required_env: str) -> None:
    if _required(required_env):
        pytest.fail(f"{reason} (required by {required_env}=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each DB test runs on SQLite and, when configured, on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = pg_url()
    if url is None:
        _skip_or_fail(f"PostgreSQL tests need {PG_URL_ENV}", REQUIRE_PG_ENV)
    return url


def make_test_app(database_url: str, **overrides):
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, **overrides)


@pytest.fixture
def rate_limited_app(backend):
    """Build an app with rate limiting on (in-memory counters unless a storage URI is given) and
    yield it inside its app context; the shared limiter is reset and put back afterwards."""
    from contextlib import contextmanager

    from eventapp.extensions import limiter

    @contextmanager
    def build(**limits) -> Iterator:
        was_enabled = limiter.enabled
        app = make_test_app(backend, RATELIMIT_ENABLED=True,
                            **{"RATELIMIT_STORAGE_URI": "memory://", **limits})
        limiter.reset()
        try:
            with app.app_context():
                yield app
                db.session.remove()
        finally:
            limiter.reset()
            limiter.enabled = was_enabled
    return build


@pytest.fixture(scope="session")
def _schema_app(backend: str):
    app = make_test_app(backend)
    with app.app_context():
        db.drop_all()
        db.create_all()  # tests only; the real schema comes from migrations/ (see test_migrations)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def truncate_all() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


def _forget_request_caches(sender, **extra) -> None:
    # Test requests reuse the test's app context (and so `g`): Flask-Login caches the user and
    # Flask-Babel the locale there, which would leak from one request into the next.
    g.pop("_login_user", None)
    flask_babel.refresh()


@pytest.fixture
def app(_schema_app):
    """The app with an empty database and an application context."""
    from eventapp.extensions import limiter

    # The limiter is one object shared by every app; a test that built its own app with limits on
    # must not leave them on for the next test.
    limiter.enabled = _schema_app.config.get("RATELIMIT_ENABLED", False)
    with _schema_app.app_context():
        truncate_all()
        request_started.connect(_forget_request_caches, _schema_app)
        try:
            yield _schema_app
        finally:
            request_started.disconnect(_forget_request_caches, _schema_app)
            db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


# ----------------------------------------------------------------------------------- builders

class Counter:
    """Unique suffixes for builder-made names."""

    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> int:
        self.value += 1
        return self.value


@pytest.fixture
def seq() -> Counter:
    return Counter()


@pytest.fixture
def make_organisation(app, seq):
    def build(kind: OrganisationKind = OrganisationKind.PROVINCIAL_DEPARTMENT, name: str | None = None,
              **values) -> Organisation:
        org = Organisation(kind=kind, name=name or f"Tổ chức {seq()}", **values)
        db.session.add(org)
        db.session.flush()
        return org
    return build


@pytest.fixture
def make_site(app, seq, make_organisation):
    def build(name: str | None = None, code: str | None = None, **values) -> Site:
        n = seq()
        org = values.pop("organisation", None) or make_organisation(name=f"Sở TT&TT số {n}")
        site = Site(code=code or f"S{n:03d}", name=name or f"Sở TT&TT số {n}", organisation_id=org.id, **values)
        db.session.add(site)
        db.session.flush()
        return site
    return build


@pytest.fixture
def make_user(app, seq):
    def build(role: Role = Role.ORGANISER, email: str | None = None, site: Site | None = None,
              password: str = PASSWORD, active: bool = True, unit: Organisation | None = None) -> User:
        if role == Role.UNIT_RESPONDENT and unit is None:  # a unit respondent is always bound to a unit
            unit = Organisation(kind=OrganisationKind.MINISTRY_UNIT, name=f"Cục số {seq()}")
            db.session.add(unit)
            db.session.flush()
        user = User(email=email or f"user{seq()}@example.vn", full_name="Người dùng", role=role,
                    site_id=site.id if site else None, unit_id=unit.id if unit else None,
                    is_active_account=active, session_version=0)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user
    return build


@pytest.fixture
def make_person(app, seq):
    def build(full_name: str = "Nguyễn Văn An", email: str | None = None, **values) -> Person:
        person = Person(full_name=full_name, **values)
        person.set_email(email or f"person{seq()}@example.vn")
        db.session.add(person)
        db.session.flush()
        return person
    return build


@pytest.fixture
def make_event(app):
    def build(title: str = "Họp báo thường kỳ", starts_in: timedelta = timedelta(days=7),
              duration: timedelta = timedelta(hours=2), status: EventStatus = EventStatus.PUBLISHED,
              kind: EventKind = EventKind.PRESS_BRIEFING, mode: EventMode = EventMode.IN_PERSON,
              venue: str = "18 Nguyễn Du, Hà Nội", **values) -> Event:
        start = values.pop("starts_at", None) or (datetime.now(UTC) + starts_in).replace(microsecond=0)
        if status != EventStatus.DRAFT:
            values.setdefault("published_at", datetime.now(UTC))
        event = Event(title=title, kind=kind, mode=mode, venue=venue, status=status, starts_at=start,
                      ends_at=start + duration, **values)
        db.session.add(event)
        db.session.flush()
        return event
    return build


@pytest.fixture
def add_site_to_event(app):
    def build(event: Event, site: Site, quota: int = 5) -> EventSite:
        participation = EventSite(event_id=event.id, site_id=site.id, quota=quota)
        db.session.add(participation)
        db.session.flush()
        return participation
    return build


@pytest.fixture
def make_registration(app, make_person):
    def build(event: Event, person: Person | None = None,
              status: RegistrationStatus = RegistrationStatus.APPROVED,
              channel: RegistrationChannel = RegistrationChannel.PUBLIC, site: Site | None = None,
              **values) -> Registration:
        registration = Registration(event_id=event.id, person_id=(person or make_person()).id, status=status,
                                    channel=channel, site_id=site.id if site else None, **values)
        db.session.add(registration)
        db.session.flush()
        # As if its invitation had gone out when it was made: later changes are news to its calendar.
        calendar_truth.record_as_told([registration.person_id])
        return registration
    return build


@pytest.fixture
def login(client):
    """Sign a user in through the real login form."""
    def do(user: User, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return do


# ------------------------------------------------------------------------------------ browser

def chromium_path() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        _skip_or_fail(f"Chromium not found at {CHROMIUM}", REQUIRE_BROWSER_ENV)
    try:
        import playwright  # noqa: F401
    except ImportError:
        _skip_or_fail("playwright is not installed", REQUIRE_BROWSER_ENV)
    return path


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


class LiveServer:
    """The app served by a real WSGI server on a free loopback port, in a thread."""

    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """Serves the test app (CSRF on, as in production) for browser tests."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        with LiveServer(app) as server:
            yield server
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    tab = context.new_page()
    yield tab
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        out = Path("test-artifacts")
        out.mkdir(exist_ok=True)
        tab.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
