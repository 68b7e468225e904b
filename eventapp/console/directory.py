"""Directory screens: sites, organisations and people, with search and site deactivation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp import audit
from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.directory.labels import KIND_LABELS, REGION_LABELS
from eventapp.directory.models import Organisation, OrganisationKind, Person, Region, Site
from eventapp.directory.search import clean_query, search_people
from eventapp.extensions import db
from eventapp.forms import ConfirmForm
from eventapp.params import MAX_PAGE, int_arg

bp = Blueprint("directory_console", __name__)
PAGE_SIZE = 50


@bp.get("/sites")
@roles_required(*ORGANISERS)
def sites() -> ResponseReturnValue:
    query = sa.select(Site).options(sa.orm.selectinload(Site.organisation)).order_by(
        Site.is_ministry_location.desc(), Site.province_code, Site.name)
    region = request.args.get("region", "")
    if region in Region._value2member_map_:
        query = query.where(Site.region == Region(region))
    rows = db.session.scalars(query).all()
    return render_template("console/directory/sites.html", sites=rows, region_labels=REGION_LABELS,
                           selected_region=region, confirm_form=ConfirmForm())


@bp.post("/sites/<int:site_id>/active")
@roles_required(*ORGANISERS)
def set_site_active(site_id: int) -> ResponseReturnValue:
    site = db.get_or_404(Site, site_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    site.is_active = request.form.get("active") == "1"
    audit.record(current_user, "site.activate" if site.is_active else "site.deactivate", site, site.name)
    db.session.commit()
    flash(_("Site %(name)s updated.", name=site.name), "success")
    return redirect(url_for(".sites"))


@bp.get("/organisations")
@roles_required(*ORGANISERS)
def organisations() -> ResponseReturnValue:
    kind = request.args.get("kind", "")
    query = sa.select(Organisation).order_by(Organisation.kind, Organisation.name)
    if kind in OrganisationKind._value2member_map_:
        query = query.where(Organisation.kind == OrganisationKind(kind))
    rows = db.session.scalars(query).all()
    counts = dict(db.session.execute(
        sa.select(Person.organisation_id, sa.func.count()).group_by(Person.organisation_id)).all())
    return render_template("console/directory/organisations.html", organisations=rows, counts=counts,
                           kind_labels=KIND_LABELS, selected_kind=kind)


@bp.get("/people")
@roles_required(*ORGANISERS)
def people() -> ResponseReturnValue:
    q = clean_query(request.args.get("q"))
    page = int_arg("page", 1, high=MAX_PAGE)
    query = sa.select(Person).options(sa.orm.selectinload(Person.organisation)).order_by(Person.full_name)
    query = search_people(query, q)
    pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template("console/directory/people.html", pagination=pagination, q=q)
