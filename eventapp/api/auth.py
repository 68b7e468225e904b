"""Bearer-token authentication for /api/v1: every staff endpoint declares the roles it serves."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import abort, g, jsonify, make_response, request

from eventapp.accounts import api_tokens
from eventapp.accounts.models import Role, User
from eventapp.extensions import api_token_miss_limit

REALM = 'Bearer realm="EventApp API"'


def fail(status: int, error: str, message: str | None = None) -> NoReturn:
    """Stop the request with a JSON error body (`{"error": code[, "message": text]}`)."""
    body = {"error": error} if message is None else {"error": error, "message": message}
    response = make_response(jsonify(body), status)
    if status == 401:
        has_header = bool(request.headers.get("Authorization"))
        response.headers["WWW-Authenticate"] = REALM + (', error="invalid_token"' if has_header else "")
    abort(response)


def api_user() -> User:
    """The user whose token authenticated this request."""
    return g.api_user


def token_required(*roles: Role) -> Callable:
    """No or an unusable token: 401; a token of another role: 403. Cookies are never consulted.

    The roles are kept on the view (`view.allowed_roles`, `view.auth == "bearer"`) for the
    authorisation matrix.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization")
            g.bearer_presented = bool(header)
            user = api_tokens.authenticate(api_tokens.bearer_secret(header))
            if user is None:
                fail(401, "unauthorized")
            if user.role not in roles:
                fail(403, "forbidden")
            g.api_user = user
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "no-store"
            return response

        limited = api_token_miss_limit(wrapped)
        # Marks read by the route-by-route authorisation test and the OpenAPI document.
        limited.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        limited.auth = "bearer"  # type: ignore[attr-defined]
        return limited

    return decorator
