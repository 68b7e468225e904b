"""Admin screens: list, create and edit users, reset passwords, deactivate."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts import services
from eventapp.accounts.forms import ROLE_LABELS, UserForm
from eventapp.accounts.models import Role, User
from eventapp.accounts.permissions import roles_required
from eventapp.directory.models import Organisation, OrganisationKind, Site
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, form_status

bp = Blueprint("accounts_console", __name__)


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _fill_choices(form: UserForm) -> None:
    sites = db.session.scalars(sa.select(Site).where(Site.is_active).order_by(Site.name))
    orgs = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.kind.in_([OrganisationKind.MINISTRY_UNIT, OrganisationKind.PROVINCIAL_DEPARTMENT]))
        .order_by(Organisation.name)
    ).all()
    form.site_id.choices = [(None, "—")] + [(s.id, s.name) for s in sites]
    form.organisation_id.choices = [(None, "—")] + [(o.id, o.name) for o in orgs]
    form.unit_id.choices = [(None, "—")] + [(o.id, o.name) for o in orgs
                                            if o.kind == OrganisationKind.MINISTRY_UNIT]


def _password_page(heading: str, user: User, password: str | None):
    return render_template("accounts/console/password_shown.html", heading=heading, user=user,
                           password=password), 200, {"Cache-Control": "no-store"}


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    query = sa.select(User).options(sa.orm.selectinload(User.site), sa.orm.selectinload(User.organisation))
    role = request.args.get("role")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    users = db.session.scalars(query.order_by(User.role, User.email)).all()
    return render_template(
        "accounts/console/index.html", users=users, role_labels=ROLE_LABELS, selected_role=role,
        confirm_form=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create() -> ResponseReturnValue:
    form = UserForm()
    _fill_choices(form)
    if form.validate_on_submit():
        password = form.password.data or services.generate_password()
        try:
            user = services.create_user(
                email=form.email.data or "", password=password, role=Role(form.role.data),
                full_name=form.full_name.data or "", site_id=form.site_id.data,
                organisation_id=form.organisation_id.data, unit_id=form.unit_id.data, actor=current_user,
                temporary=True,
            )
        except services.AccountError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            db.session.commit()
            # Shown once, on this page only: never in a flash message (the session cookie is
            # signed, not encrypted) and never stored.
            return _password_page(_("User %(email)s created", email=user.email), user,
                                  None if form.password.data else password)
    return render_template("accounts/console/form.html", form=form, user=None), form_status(form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int) -> ResponseReturnValue:
    user = _get_user(user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = user.role.value
    _fill_choices(form)
    del form.password
    form.email.render_kw = {"readonly": True}
    if request.method == "POST":
        form.email.data = user.email
    if form.validate_on_submit():
        try:
            services.update_user(
                user, full_name=form.full_name.data or "", role=Role(form.role.data), site_id=form.site_id.data,
                organisation_id=form.organisation_id.data, unit_id=form.unit_id.data, actor=current_user,
            )
        except services.AccountError as exc:
            getattr(form, exc.field or "role").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for(".index"))
    return render_template("accounts/console/form.html", form=form, user=user,
                           confirm_form=ConfirmForm()), form_status(form)


@bp.post("/<int:user_id>/reset-password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> ResponseReturnValue:
    user = _get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = services.reset_password(user, actor=current_user)
    db.session.commit()
    return _password_page(_("New temporary password for %(email)s", email=user.email), user, password)


@bp.post("/<int:user_id>/active")
@roles_required(Role.ADMIN)
def set_active(user_id: int) -> ResponseReturnValue:
    user = _get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    activate = request.form.get("active") == "1"
    try:
        services.set_active(user, activate, actor=current_user)
    except services.AccountError as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("Account activated.") if activate else _("Account deactivated."), "success")
    return redirect(url_for(".index"))
