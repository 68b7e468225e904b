"""Production refuses insecure settings; security headers are sent."""

from __future__ import annotations

import pytest

from config import DEFAULT_SQLITE_URL, DEV_SECRET_KEY, ProductionConfig
from eventapp import create_app


def test_production_refuses_default_secret_key() -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=DEV_SECRET_KEY, SQLALCHEMY_DATABASE_URI="postgresql://x/y")


def test_production_refuses_default_database() -> None:
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProductionConfig, SECRET_KEY="s" * 40, SQLALCHEMY_DATABASE_URI=DEFAULT_SQLITE_URL)


def test_production_starts_with_secrets_from_environment() -> None:
    app = create_app(ProductionConfig, SECRET_KEY="s" * 40,
                     SQLALCHEMY_DATABASE_URI="postgresql+psycopg://eventapp@127.0.0.1/eventapp")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_security_headers_on_pages(client) -> None:  # noqa: ANN001
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_health_checks_the_database(client) -> None:  # noqa: ANN001
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
