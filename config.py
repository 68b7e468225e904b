"""Configuration classes; every setting can come from the environment."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'instance' / 'eventapp.sqlite3'}"
# Keys that were ever published (old defaults, examples): refused like a missing key.
PUBLISHED_SECRET_KEYS = frozenset({"dev-only-not-secret"})
MIN_PRODUCTION_SECRET_KEY_LENGTH = 32


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment."""

    # No default: `make run` keeps a random key in instance/secret_key; every other start must set one.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Flask-Babel: Vietnamese first, English second; times shown in Vietnam.
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    DEFAULT_EVENT_TZ = "Asia/Ho_Chi_Minh"

    # Flask-Limiter: memory by default, Redis in production via RATELIMIT_STORAGE_URI.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins only (successful ones never count): per client address, and per account
    # whatever the address (a guesser spreading over many addresses is still stopped).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour")
    LOGIN_ACCOUNT_TOTAL_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_TOTAL_RATE_LIMIT", "100 per hour")
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "20 per minute")
    # Unknown ticket or calendar tokens per IP (only misses count: valid feeds are never throttled).
    TOKEN_MISS_RATE_LIMIT = os.environ.get("TOKEN_MISS_RATE_LIMIT", "30 per minute;200 per day")
    # How many reverse proxies (nginx) set X-Forwarded-For/-Proto/-Host in front of the app; 0 when
    # gunicorn faces clients. Rate limits key on the client address, so this must be right.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    ATTENDANCE_POLL_SECONDS = int(os.environ.get("ATTENDANCE_POLL_SECONDS", 5))
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 20))

    WTF_CSRF_TIME_LIMIT = None  # a long form session must not lose what was typed
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 5 * 1024 * 1024))
    # Documents units attach to written answers: a folder under instance/ (or an absolute path)
    # and the largest file kept.
    QUESTION_DOCUMENTS_FOLDER = os.environ.get("QUESTION_DOCUMENTS_FOLDER", "question_documents")
    QUESTION_DOCUMENT_MAX_BYTES = int(os.environ.get("QUESTION_DOCUMENT_MAX_BYTES", 4 * 1024 * 1024))
    QUESTION_RATE_LIMIT = os.environ.get("QUESTION_RATE_LIMIT", "10 per minute;60 per hour")  # per address
    # Materials (slides, documents) live outside the database, in this folder (relative: inside
    # instance/); the largest file accepted is MATERIALS_MAX_BYTES (its form alone may exceed
    # MAX_CONTENT_LENGTH).
    MATERIALS_FOLDER = os.environ.get("MATERIALS_FOLDER", "materials")
    MATERIALS_MAX_BYTES = int(os.environ.get("MATERIALS_MAX_BYTES", 20 * 1024 * 1024))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Mail (outbox worker)
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 8025))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Trung tâm Thông tin <noreply@eventapp.local>"
    )

    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    EVENT_HORIZON_MONTHS = int(os.environ.get("EVENT_HORIZON_MONTHS", 12))
    # Seconds a feed version confirmed against the database is trusted without asking again.
    FEED_VERSION_TTL = float(os.environ.get("FEED_VERSION_TTL", 2))
    # A public registration's e-mail (templates, QR image, calendar parts) is rendered right after
    # its commit by the request itself; off, the request only decides the seat and the mail worker
    # (`flask mail send --loop`) renders it on its next pass. Production runs the worker.
    MAIL_RENDER_IN_REQUEST = _env_bool("MAIL_RENDER_IN_REQUEST", True)
    ENFORCE_SECURE_SETTINGS = False
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    ACCESS_LOG = _env_bool("ACCESS_LOG", False)


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, debug toolbar off."""

    DEBUG = True


class TestingConfig(Config):
    """The test suite: explicit database URL, fast hashing, no rate limits unless asked."""

    TESTING = True
    SECRET_KEY = secrets.token_hex(32)  # random per run: a known test key could never open a real site
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    FEED_VERSION_TTL = 0  # every request sees the latest data
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a hash method, fast in tests only
    SERVER_NAME = None
    # A folder of its own per run, like the key: tests never write into the checkout's instance/.
    MATERIALS_FOLDER = str(Path(tempfile.gettempdir()) / f"eventapp-test-materials-{secrets.token_hex(6)}")


class ProductionConfig(Config):
    """Production: secrets and database must come from the environment."""

    DEBUG = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    ENFORCE_SECURE_SETTINGS = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    ACCESS_LOG = _env_bool("ACCESS_LOG", True)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
    # The mail worker runs in production (it sends, so it renders too): web workers decide seats only.
    MAIL_RENDER_IN_REQUEST = _env_bool("MAIL_RENDER_IN_REQUEST", False)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env(*, require_secret: bool = True) -> type[Config]:
    """The config class named by EVENTAPP_ENV (development by default); SECRET_KEY must be set
    whatever the environment (the testing config's own key is for the test suite, not for serving),
    except for the schema commands, which sign nothing (wsgi.py)."""
    if require_secret and not os.environ.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. Set it in the environment (python -c \"import secrets; "
            "print(secrets.token_hex(32))\"); `make run` keeps one in instance/secret_key."
        )
    name = os.environ.get("EVENTAPP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"EVENTAPP_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
