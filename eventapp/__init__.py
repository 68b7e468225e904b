"""EventApp: press briefings and hybrid trainings for a ministry's communication network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from config import (
    DEFAULT_SQLITE_URL,
    MIN_PRODUCTION_SECRET_KEY_LENGTH,
    PUBLISHED_SECRET_KEYS,
    Config,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    """Build the application: configuration, extensions, blueprints, error pages, CLI."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        instance_path=str(PROJECT_DIR / "instance"),
    )
    app.config.from_object(config or Config)
    app.config.update(overrides)
    _refuse_insecure_settings(app)
    _make_sqlite_folder(app)

    from eventapp import logs, web
    from eventapp.accounts.sessions import load_user
    from eventapp.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=web.select_timezone)
    limiter.init_app(app)

    _import_models()
    _connect_reactions()
    app.url_map.converters["int"] = web.DatabaseIntConverter
    _register_blueprints(app)
    web.init_app(app)
    logs.init_app(app)
    _register_cli(app)
    from eventapp.feeds.fastpath import NotModifiedFastPath

    # Wrapping the WSGI callable is Flask's documented way to add middleware; mypy sees a method.
    app.wsgi_app = NotModifiedFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # as above
    return app


def _make_sqlite_folder(app: Flask) -> None:
    """SQLite creates its file but not the folder: make it, so that every `flask db` command works on
    a fresh clone (the default database lives in instance/, which git does not keep)."""
    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        # Writers queue on SQLite's one write lock (see registrations.capacity): a burst of
        # submissions must wait its turn rather than give up after pysqlite's default 5 s.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not url.database.startswith("file:"):
        # Flask-SQLAlchemy reads a relative path from the instance folder; an absolute one stays.
        Path(app.instance_path, url.database).parent.mkdir(parents=True, exist_ok=True)


def _refuse_insecure_settings(app: Flask) -> None:
    """No secret default in any environment: a forged session cookie must never be possible."""
    key = app.config.get("SECRET_KEY")
    if not key or key in PUBLISHED_SECRET_KEYS:
        raise RuntimeError("SECRET_KEY must be set in the environment (`make run` keeps one in "
                           "instance/secret_key)")
    if not app.config.get("ENFORCE_SECURE_SETTINGS"):
        return
    if len(str(key)) < MIN_PRODUCTION_SECRET_KEY_LENGTH:
        raise RuntimeError(f"SECRET_KEY must be at least {MIN_PRODUCTION_SECRET_KEY_LENGTH} characters in production")
    if app.config.get("SQLALCHEMY_DATABASE_URI") == DEFAULT_SQLITE_URL:
        raise RuntimeError("DATABASE_URL must be set in the environment in production")


def _import_models() -> None:
    """Import every model module so metadata (and Alembic autogenerate) sees all tables."""
    from eventapp import audit  # noqa: F401
    from eventapp.accounts import models as _accounts  # noqa: F401
    from eventapp.certificates import models as _certificates  # noqa: F401
    from eventapp.directory import models as _directory  # noqa: F401
    from eventapp.evaluations import models as _evaluations  # noqa: F401
    from eventapp.events import models as _events  # noqa: F401
    from eventapp.feeds import models as _feeds  # noqa: F401
    from eventapp.mail import models as _mail  # noqa: F401
    from eventapp.materials import models as _materials  # noqa: F401
    from eventapp.questions import models as _questions  # noqa: F401
    from eventapp.registrations import models as _registrations  # noqa: F401


def _connect_reactions() -> None:
    """Lower layers announce changes; these higher-layer handlers react (connecting is idempotent)."""
    from eventapp.registrations import calendar_sync, emails, reactions

    calendar_sync.init_app()
    emails.init_app()
    reactions.connect()


def _register_blueprints(app: Flask) -> None:
    """Every blueprint, and the screen modules that register their routes on a package's blueprint."""
    from eventapp import api
    from eventapp.accounts.console import bp as accounts_console_bp
    from eventapp.accounts.tokens_console import bp as api_tokens_console_bp
    from eventapp.accounts.views import bp as accounts_bp
    from eventapp.api import public, questions, staff  # noqa: F401  (their routes join api.bp)
    from eventapp.attendance.api import bp as attendance_api_bp
    from eventapp.attendance.console import bp as attendance_console_bp
    from eventapp.attendance.rollcall_console import bp as rollcall_console_bp
    from eventapp.certificates.views import bp as certificates_bp
    from eventapp.console import bp as console_bp
    from eventapp.console.directory import bp as directory_console_bp
    from eventapp.console.outbox import bp as mail_console_bp
    from eventapp.evaluations import bp as evaluations_bp
    from eventapp.evaluations import console as _evaluations_console  # noqa: F401  (its routes join evaluations_bp)
    from eventapp.evaluations import views as _evaluations_views  # noqa: F401  (its routes join evaluations_bp)
    from eventapp.events import console as events_console
    from eventapp.events.console import one_event, program, series  # noqa: F401  (their routes join events_console.bp)
    from eventapp.events.views import bp as events_bp
    from eventapp.feeds.console import bp as feeds_console_bp
    from eventapp.feeds.views import bp as feeds_bp
    from eventapp.materials import bp as materials_bp
    from eventapp.materials import console as _materials_console  # noqa: F401  (its routes join materials_bp)
    from eventapp.materials import views as _materials_views  # noqa: F401  (its routes join materials_bp)
    from eventapp.questions import setup as questions_setup
    from eventapp.registrations import console as registrations_console
    from eventapp.registrations.console import (  # noqa: F401  (their routes join registrations_console.bp)
        accreditation,
        announcements,
        registrants,
    )
    from eventapp.registrations.site_console import bp as site_console_bp
    from eventapp.registrations.views import bp as registrations_bp

    api_bp = api.bp
    events_console_bp = events_console.bp
    registrations_console_bp = registrations_console.bp

    app.register_blueprint(events_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(console_bp, url_prefix="/console")
    app.register_blueprint(accounts_console_bp, url_prefix="/console/users")
    app.register_blueprint(api_tokens_console_bp, url_prefix="/console/api-tokens")
    app.register_blueprint(directory_console_bp, url_prefix="/console/directory")
    app.register_blueprint(events_console_bp, url_prefix="/console/events")
    app.register_blueprint(mail_console_bp, url_prefix="/console/outbox")
    app.register_blueprint(registrations_bp)
    app.register_blueprint(registrations_console_bp, url_prefix="/console/registrations")
    app.register_blueprint(site_console_bp, url_prefix="/console/site")
    app.register_blueprint(feeds_console_bp, url_prefix="/console/calendars")
    app.register_blueprint(attendance_console_bp, url_prefix="/console/attendance")
    app.register_blueprint(attendance_api_bp, url_prefix="/console/attendance/api")
    app.register_blueprint(rollcall_console_bp, url_prefix="/console/rollcall")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    questions_setup.init_app(app)  # its public and console blueprints, CLI, hand-over from registrations
    app.register_blueprint(materials_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(certificates_bp)


def _register_cli(app: Flask) -> None:
    from eventapp.accounts.cli import users_cli
    from eventapp.demo import demo_command
    from eventapp.directory.cli import directory_cli
    from eventapp.events.cli import events_cli
    from eventapp.mail.cli import mail_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(directory_cli)
    app.cli.add_command(events_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(mail_cli)
    from eventapp.registrations.cli import registrations_cli, reminders_command

    mail_cli.add_command(reminders_command)  # `flask mail reminders`
    from eventapp.evaluations.followup import day_after_command

    mail_cli.add_command(day_after_command)  # `flask mail day-after`
    app.cli.add_command(registrations_cli)
