"""Cross-cutting web plumbing: locale, user loading, security headers, error pages, filters."""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import TypeGuard
from urllib.parse import urlsplit

import sqlalchemy as sa
from babel.dates import format_datetime, get_timezone_location
from flask import (
    Blueprint,
    Flask,
    Request,
    abort,
    current_app,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext, lazy_gettext, ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from eventapp import compression
from eventapp.calendar import recurrence
from eventapp.calendar.recurrence_words import describe as describe_recurrence
from eventapp.extensions import csrf, db, limiter, login_manager
from eventapp.labels import label
from eventapp.params import MAX_ID, BadParameter

bp = Blueprint("core", __name__)


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` limited to what an INTEGER primary key can hold, so a huge id is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


MAX_JSON_DEPTH = 32  # no body we accept nests deeper than a few levels


def _nested_deeper_than(value: object, limit: int) -> bool:
    """Walks without recursion (a deep body must not blow the stack here either)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


class BoundedJsonRequest(Request):
    """Every JSON body is checked at the edge: one nested thousands deep (a RecursionError in the
    parser, a 500) or beyond MAX_JSON_DEPTH is malformed, like invalid JSON."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        try:
            body = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            body, too_deep = None, True
        else:
            too_deep = _nested_deeper_than(body, MAX_JSON_DEPTH)
        if too_deep:
            if silent:
                return None
            raise BadRequest("JSON nested too deeply")
        return body

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def select_locale() -> str:
    """Vietnamese unless the visitor switched (kept in the session)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI, workers: the default language
    chosen = session.get("locale")
    if isinstance(chosen, str) and chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def is_safe_redirect(target: str | None) -> TypeGuard[str]:
    """Only same-site relative paths may be redirected to (no open redirects)."""
    if not target or not target.isprintable() or "\\" in target:
        return False  # a control character would be a 500 (a header holds none); "\\" reads as "/"
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def _same_origin() -> bool:
    """Whether a POST comes from one of our own pages (Origin, else Referer; browsers send one)."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return source is None
    return urlsplit(source).netloc == request.host  # host only: TLS may end at the proxy


@bp.post("/language/<code>")
@csrf.exempt
def set_language(code: str) -> ResponseReturnValue:
    # Checked by origin, not by a form token: a token would put a session (Set-Cookie) on every
    # anonymous page, which shared caches then refuse to keep. It only sets the display language.
    if not _same_origin():
        abort(400)
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("events.home"))


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    """Liveness plus a real database round-trip, for the load balancer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


ERROR_MESSAGES = {
    400: (lazy_gettext("Bad request"), lazy_gettext("The request could not be understood. Please check what you entered and try again.")),
    403: (lazy_gettext("Access denied"), lazy_gettext("You do not have permission to open this page.")),
    404: (lazy_gettext("Page not found"), lazy_gettext("The page you are looking for does not exist or has been moved.")),
    405: (lazy_gettext("Method not allowed"), lazy_gettext("This address does not accept that kind of request.")),
    413: (lazy_gettext("File too large"), lazy_gettext("The file or form you sent is larger than allowed.")),
    429: (lazy_gettext("Too many requests"), lazy_gettext("You have made too many requests. Please wait a moment and try again.")),
    500: (lazy_gettext("Something went wrong"), lazy_gettext("An unexpected error occurred. The team has been notified; please try again later.")),
    503: (lazy_gettext("Service unavailable"), lazy_gettext("The service is temporarily unavailable. Please try again in a moment.")),
}


def _wants_json() -> bool:
    """The desk's and the board's scripts ask for JSON: answer errors in JSON too."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def render_error(code: int, detail: str | None = None):
    title, message = ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])
    if request.path.startswith("/api/") or _wants_json():
        return jsonify(error=str(title), message=detail or str(message)), code
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def retry_after_seconds() -> int | None:
    """How long until the limit that refused this request lets the client in again (Flask-Limiter's
    window, the value of its Retry-After header); None when unknown."""
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, int(current.reset_at - time.time()))


def too_many_requests():
    """The 429 page says how long to wait, in minutes, from the same figure as Retry-After."""
    seconds = retry_after_seconds()
    if seconds is None:
        return render_error(429)
    minutes = math.ceil(seconds / 60)
    return render_error(429, ngettext(
        "You have made too many requests. Please wait %(num)d minute and try again.",
        "You have made too many requests. Please wait %(num)d minutes and try again.", minutes))


def _register_errors(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(429)
    def too_many(exc) -> ResponseReturnValue:
        # A form that answers its own breach (the public registration form keeps what was typed)
        # has put its page on the exception.
        if getattr(exc, "response", None) is not None:
            return exc.response
        return too_many_requests()

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter) -> ResponseReturnValue:
        return render_error(400, exc.description)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        return render_error(400, gettext("The form has expired or was not sent from this site. Please reload the page and try again."))

    @app.errorhandler(500)
    def server_error(exc) -> ResponseReturnValue:
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(sa.exc.OperationalError)
    def database_down(exc) -> ResponseReturnValue:
        # A lost database connection is a temporary outage, not a crash: answer 503.
        db.session.rollback()
        # Render the page as a visitor: loading (or refreshing the expired) signed-in user needs
        # the database too, and failing again inside this handler would turn the 503 into a 500.
        g._login_user = login_manager.anonymous_user()
        current_app.logger.warning("database unavailable: %s", exc.__class__.__name__)
        return render_error(503)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; media-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(self), geolocation=(), microphone=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def security_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    """The headers every response carries (HSTS only when cookies are Secure, i.e. production)."""
    return (*SECURITY_HEADERS, HSTS) if secure else SECURITY_HEADERS


# Pages with names, e-mails, phones or a ticket: no browser, proxy or shared-computer cache keeps them.
PRIVATE_PATH_PREFIXES = ("/console/", "/ticket/")


def _security_headers(response):
    for name, value in security_headers(bool(current_app.config.get("SESSION_COOKIE_SECURE"))):
        response.headers.setdefault(name, value)  # a view may set its own (feeds: Referrer-Policy)
    if request.path.startswith(PRIVATE_PATH_PREFIXES) or request.path == "/console":
        response.headers["Cache-Control"] = "no-store"
    return response


def local_time(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    """Format an aware UTC instant in the event's zone (Asia/Ho_Chi_Minh by default)."""
    if value is None:
        return ""
    zone = recurrence.zone(tz or current_app.config["DEFAULT_EVENT_TZ"])
    # Babel directly, with the zone: formats that name the zone ("full", "zzzz") must name this one.
    return format_datetime(value, fmt, tzinfo=zone, locale=get_locale())


def recurrence_words(rule: str | None, tz: str | None = None, dtstart_local: datetime | None = None) -> str:
    """A recurrence rule in words in the reader's language ("Thứ Năm tuần đầu mỗi tháng")."""
    if not rule:
        return ""
    return describe_recurrence(rule, tz or current_app.config["DEFAULT_EVENT_TZ"], gettext=gettext,
                               dtstart_local=dtstart_local)


def zone_label(tz: str | None) -> str:
    """A time zone as people say it ("giờ Việt Nam"), never its IANA name."""
    tz = tz or current_app.config["DEFAULT_EVENT_TZ"]
    if tz == current_app.config["DEFAULT_EVENT_TZ"]:
        return gettext("Vietnam time")
    return get_timezone_location(tz, locale=get_locale())


def _template_context() -> dict:
    return {
        "current_locale": select_locale(),
        "language_names": LANGUAGE_NAMES,
        "current_user": current_user,
    }


def _close_session(exc: BaseException | None) -> None:
    """Release the request's connection. If the database dropped it meanwhile (a restart), the
    failed ROLLBACK invalidates it and the response already built still goes out (not a 500)."""
    try:
        db.session.remove()
    except sa.exc.OperationalError as error:
        current_app.logger.warning("database connection lost at teardown: %s", error.__class__.__name__)
        db.session.remove()  # the dead connection is invalidated now: this releases the rest


def init_app(app: Flask) -> None:
    app.request_class = BoundedJsonRequest
    app.register_blueprint(bp)
    app.teardown_appcontext(_close_session)  # after Flask-SQLAlchemy's, so it runs first
    _register_errors(app)
    app.after_request(_security_headers)
    app.after_request(compression.compress_response)
    app.context_processor(_template_context)
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["recurrence_words"] = recurrence_words
    app.jinja_env.filters["zone_label"] = zone_label
    app.jinja_env.filters["label"] = label
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
