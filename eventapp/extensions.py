"""Flask extension objects, created unbound; create_app() initialises them."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import current_app, g, request, session
from flask.globals import request_ctx
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from eventapp.models import Base


class AppLoginManager(LoginManager):
    """Flask-Login with "strong" session protection applied to signed-in sessions only.

    Flask-Login checks any non-empty session, so an anonymous visitor's (language, CSRF token)
    failed the check on every request and was rewritten, with the remember cookie cleared: every
    public page and feed carried Set-Cookie, which shared caches refuse to store.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False  # nothing to protect, and nothing to rewrite
        return super()._session_protection_failed()

    def _update_remember_cookie(self, response):
        # Flask marks the session "accessed" (so the response says Vary: Cookie) whenever it is
        # looked at. A request that never looked at it (a feed, the API) set no "_remember" to act
        # on: leave the session unread, so shared caches may keep the response for everyone.
        opened = getattr(request_ctx, "_session", None)
        if (opened is None or not opened.accessed) and not current_app.config.get(
                "REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return response
        return super()._update_remember_cookie(response)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # Flask-SQLAlchemy makes db.Model at run time from our declarative Base (adding the table
    # name, the bind and `query`); a type checker cannot see a class made that way, only Base.
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = AppLoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _token_miss_limit() -> str:
    return current_app.config.get("TOKEN_MISS_RATE_LIMIT", "30 per minute")


def _is_token_guess(response) -> bool:
    return response.status_code == 404 and not g.get("token_revoked", False)


# endpoint -> "is this token known?", registered by the domains whose URLs carry tokens.
KNOWN_TOKEN_CHECKS: dict[str, Callable[[str], bool]] = {}


def _presents_a_known_token() -> bool:
    """A known ticket or feed token is never refused, however many guesses came from its address
    (a press office behind one NAT, a calendar service's shared fetchers)."""
    check = KNOWN_TOKEN_CHECKS.get(request.endpoint or "")
    token = (request.view_args or {}).get("token")
    return bool(check is not None and isinstance(token, str) and check(token))


# Guessing ticket or calendar tokens: only misses (404) count, per client address and shared by
# every token URL, and a known token passes even over the limit, so a calendar service polling many
# valid feeds from one address is never slowed. A revoked feed token is not a guess (someone had
# it): calendars keep polling those for months.
token_miss_limit = limiter.shared_limit(_token_miss_limit, scope="token-miss", deduct_when=_is_token_guess,
                                        exempt_when=_presents_a_known_token)

# Guessing API bearer tokens: a 401 to a request that presented a token is a miss; same budget.
api_token_miss_limit = limiter.shared_limit(
    _token_miss_limit, scope="api-token-miss",
    deduct_when=lambda response: response.status_code == 401 and g.get("bearer_presented", False))
