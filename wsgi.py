"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""

import gc
import os
import secrets
import sys

from config import config_from_env
from eventapp import create_app


def _schema_command(argv: list[str]) -> bool:
    """`flask db …` (Flask-Migrate: upgrade, check, downgrade): it reads and changes the schema and
    signs nothing, so it needs no SECRET_KEY. Everything else (serving, e-mails with ticket links,
    the demo, users) still refuses to start without one."""
    words = iter(argv[1:])
    for word in words:
        if word in ("--app", "-A", "--env-file", "-e"):
            next(words, None)  # the option's value
        elif not word.startswith("-"):
            return word == "db"
    return False


if not os.environ.get("SECRET_KEY") and _schema_command(sys.argv):
    # A throwaway key for this one process: nothing it could sign outlives it.
    app = create_app(config_from_env(require_secret=False), SECRET_KEY=secrets.token_hex(32))
else:
    app = create_app(config_from_env())
# Everything built at start-up (app, routes, models, templates) is kept for good: move it out of
# the collector's sight, so no request pays for a full collection walking it (gunicorn.conf.py
# does it again once its worker is ready).
gc.collect()
gc.freeze()
