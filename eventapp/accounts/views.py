"""Sign in and sign out."""

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
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from eventapp.accounts.forms import LoginForm
from eventapp.accounts.services import authenticate, end_all_sessions
from eventapp.extensions import db, limiter
from eventapp.web import is_safe_redirect

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(url_for("console.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            # One message for unknown e-mail, wrong password and inactive account: no enumeration.
            form.password.errors.append(_("Incorrect e-mail or password."))
        else:
            locale = session.get("locale")
            session.clear()  # a fresh session on sign-in: no session fixation
            if locale:
                session["locale"] = locale
            login_user(user, remember=form.remember.data)
            db.session.commit()
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else url_for("console.dashboard"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():  # noqa: ANN201
    locale = session.get("locale")
    end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have been signed out."), "info")
    return redirect(url_for("events.home"))
