"""Sign in and sign out, and a user's own password (required after a temporary one)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from eventapp.accounts.forms import ChangePasswordForm, LoginForm
from eventapp.accounts.permissions import ACCOUNT_HOLDERS, roles_required
from eventapp.accounts.services import (
    AccountError,
    authenticate,
    change_own_password,
    end_all_sessions,
)
from eventapp.directory.models import normalise_email
from eventapp.extensions import db, limiter
from eventapp.forms import form_status
from eventapp.web import is_safe_redirect

bp = Blueprint("accounts", __name__)
NO_STORE = {"Cache-Control": "no-store"}
# What a user with a temporary password may still open: the change screen and the way out.
OPEN_WITH_TEMPORARY_PASSWORD = {"accounts.change_password", "accounts.logout", "static", "core.set_language",
                                "core.health"}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_total_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_TOTAL_RATE_LIMIT"]


def _failed_sign_in(response) -> bool:
    # Only failures count (a success redirects): 50 colleagues behind one address never lock each
    # other out, and a guesser is stopped per address and per account.
    return response.status_code != 302


def _account_key() -> str:
    # Per account *from one address*, tight: a stranger's 5 wrong tries from elsewhere must not lock
    # the organiser (or the door staff) out. Per account from all addresses, loose: a guesser
    # spread over many addresses is still stopped long before a 12-character password falls.
    return f"{_account_total_key()}|{get_remote_address()}"


def _account_total_key() -> str:
    return "login-account:" + (normalise_email(request.form.get("email")) or "")[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed_sign_in)
@limiter.limit(_account_total_limit, methods=["POST"], key_func=_account_total_key, deduct_when=_failed_sign_in)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("console.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            # One message for unknown e-mail, wrong password and inactive account: no enumeration.
            form.password.errors = [*form.password.errors, _("Incorrect e-mail or password.")]
        else:
            locale = session.get("locale")
            session.clear()  # a fresh session on sign-in: no session fixation
            if locale:
                session["locale"] = locale
            login_user(user, remember=form.remember.data)
            db.session.commit()
            if user.must_change_password:
                return redirect(url_for(".change_password"))
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else url_for("console.dashboard"))
    return render_template("accounts/login.html", form=form), form_status(form)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    locale = session.get("locale")
    end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have been signed out."), "info")
    return redirect(url_for("events.home"))


@bp.route("/console/password", methods=["GET", "POST"])
@roles_required(*ACCOUNT_HOLDERS)
def change_password() -> ResponseReturnValue:
    """Every user changes their own password here; a temporary one must be replaced first."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        try:
            change_own_password(user, current=form.current_password.data or "",
                                new=form.new_password.data or "")
        except AccountError as exc:
            getattr(form, exc.field or "new_password").errors.append(str(exc))
        else:
            db.session.commit()
            login_user(user)  # this session carries the new version; every other one has ended
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("console.dashboard"))
    return render_template("accounts/change_password.html", form=form,
                           required=user.must_change_password), form_status(form), NO_STORE


@bp.before_app_request
def require_own_password():
    """A user signed in with a temporary password can do nothing else until they replace it."""
    if request.endpoint in OPEN_WITH_TEMPORARY_PASSWORD or request.path.startswith("/api/"):
        return None
    # Without a session cookie nobody is signed in; and feeds never depend on one. Not even looking
    # at the session keeps such responses free of "Vary: Cookie", so shared caches can keep them.
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies or request.blueprint == "feeds":
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("accounts.change_password"))
    return None
