"""No secret default in any environment; production refuses insecure settings; security headers."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config import (
    DEFAULT_SQLITE_URL,
    PUBLISHED_SECRET_KEYS,
    Config,
    DevelopmentConfig,
    ProductionConfig,
)
from eventapp import create_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("config", [Config, DevelopmentConfig, ProductionConfig])
@pytest.mark.parametrize("key", [None, "", *PUBLISHED_SECRET_KEYS])
def test_no_environment_starts_without_a_secret_key(config, key) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config, SECRET_KEY=key, SQLALCHEMY_DATABASE_URI="postgresql://x/y")


@pytest.mark.parametrize("env_name", [None, "development", "testing", "production"])
def test_the_wsgi_entry_point_refuses_to_start_without_secret_key(env_name) -> None:
    """Whatever EVENTAPP_ENV says (the testing config's own key is for the suite, never for serving)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "EVENTAPP_ENV")}
    if env_name:
        env["EVENTAPP_ENV"] = env_name
    done = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr


def test_the_wsgi_entry_point_starts_with_a_secret_key(tmp_path) -> None:
    env = {**os.environ, "SECRET_KEY": "k" * 64, "EVENTAPP_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    done = subprocess.run([sys.executable, "-c", "import wsgi; print(wsgi.app.secret_key == 'k' * 64)"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_make_run_keeps_one_random_key_readable_by_its_owner_only(tmp_path) -> None:
    key_file = tmp_path / "instance" / "secret_key"
    for _ in range(2):
        subprocess.run(["make", "-s", "secret-key", f"SECRET_KEY_FILE={key_file}", f"PYTHON={sys.executable}"],
                       cwd=ROOT, check=True, capture_output=True, timeout=60)
        if _ == 0:
            first = key_file.read_text()
    assert key_file.read_text() == first  # made once: sessions survive a restart
    assert len(first.strip()) == 64 and int(first, 16)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = tmp_path / "other" / "secret_key"
    subprocess.run(["make", "-s", "secret-key", f"SECRET_KEY_FILE={other}", f"PYTHON={sys.executable}"],
                   cwd=ROOT, check=True, capture_output=True, timeout=60)
    assert other.read_text() != first


def test_production_refuses_a_short_secret_key() -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY="short", SQLALCHEMY_DATABASE_URI="postgresql://x/y")


def test_production_refuses_default_database() -> None:
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProductionConfig, SECRET_KEY="s" * 40, SQLALCHEMY_DATABASE_URI=DEFAULT_SQLITE_URL)


def test_production_starts_with_secrets_from_environment() -> None:
    app = create_app(ProductionConfig, SECRET_KEY="s" * 40,
                     SQLALCHEMY_DATABASE_URI="postgresql+psycopg://eventapp@127.0.0.1/eventapp")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_security_headers_on_pages(client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_health_checks_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_schema_commands_need_no_secret_key_and_nothing_else_gets_one(tmp_path) -> None:
    """`flask db upgrade` / `flask db check` on a fresh clone sign nothing: they run without a key.
    A command that would sign (the outbox sender writes ticket links) still refuses."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "EVENTAPP_ENV")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["db", "check"]):
        done = subprocess.run([*flask, *command], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
    refused = subprocess.run([*flask, "mail", "send"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120, check=False)
    assert refused.returncode != 0 and "SECRET_KEY is not set" in refused.stderr
