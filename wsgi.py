"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""

import gc

from config import config_from_env
from eventapp import create_app

app = create_app(config_from_env())
# Everything built at start-up (app, routes, models, templates) is kept for good: move it out of
# the collector's sight, so no request pays for a full collection walking it (gunicorn.conf.py
# does it again once its worker is ready).
gc.collect()
gc.freeze()
