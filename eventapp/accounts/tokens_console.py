"""Console screen "API tokens": a user's own tokens (create, revoke); admins see and revoke anyone's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts import api_tokens
from eventapp.accounts.forms import ApiTokenForm
from eventapp.accounts.models import ApiToken, Role, User
from eventapp.accounts.permissions import ACCOUNT_HOLDERS, roles_required
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, form_status
from eventapp.params import int_arg
from eventapp.web import is_safe_redirect

bp = Blueprint("api_tokens_console", __name__)
NO_STORE = {"Cache-Control": "no-store"}


def _page(form: ApiTokenForm):
    return render_template("accounts/tokens_console/index.html", form=form, confirm_form=ConfirmForm(),
                           tokens=api_tokens.tokens_of(current_user.id)), form_status(form)


@bp.get("/")
@roles_required(*ACCOUNT_HOLDERS)
def index() -> ResponseReturnValue:
    return _page(ApiTokenForm())


@bp.post("/new")
@roles_required(*ACCOUNT_HOLDERS)
def create() -> ResponseReturnValue:
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _page(form)
    try:
        token, secret = api_tokens.issue(current_user, form.name.data or "", actor=current_user)
    except api_tokens.ApiTokenError as exc:
        form.name.errors = [*form.name.errors, str(exc)]
        return _page(form)
    db.session.commit()
    # The secret is in this response only (only its hash is stored): keep it out of every cache.
    api_base = url_for("api.events", _external=True).rsplit("/events", 1)[0]
    return render_template("accounts/tokens_console/created.html", token=token, secret=secret,
                           api_base=api_base), 200, NO_STORE


@bp.post("/<int:token_id>/revoke")
@roles_required(*ACCOUNT_HOLDERS)
def revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one's own token; an admin anyone's (another user's token is a 404 for the rest)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != current_user.id and not current_user.is_admin):
        abort(404)
    if api_tokens.revoke(token, actor=current_user):
        db.session.commit()
        flash(_("The API token “%(name)s” is revoked: clients using it are refused from now on.",
                name=token.name), "success")
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for(".index"))


@bp.get("/all")
@roles_required(Role.ADMIN)
def all_tokens() -> ResponseReturnValue:
    """Every user's tokens, or one user's (`?user=<id>`, linked from the user's edit screen)."""
    owner_id = int_arg("user")
    owner = db.session.get(User, owner_id) if owner_id else None
    if owner_id and owner is None:
        abort(404)
    tokens = api_tokens.tokens_of(owner.id if owner else None)
    return render_template("accounts/tokens_console/all.html", tokens=tokens, owner=owner,
                           confirm_form=ConfirmForm())
