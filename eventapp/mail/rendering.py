"""Rendering e-mail templates in the recipient's language, from a request, the CLI or a worker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from flask import current_app, has_request_context
from flask_babel import force_locale


@contextmanager
def rendering(locale: str) -> Iterator[None]:
    """Templates need a request context (context processors); the CLI and workers have none."""
    outer = nullcontext() if has_request_context() else current_app.test_request_context(
        base_url=current_app.config.get("PUBLIC_BASE_URL") or None)
    with outer, force_locale(locale):
        yield
