"""Console screen: the outbox, its failures, and retry."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp import audit
from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.extensions import db
from eventapp.forms import ConfirmForm
from eventapp.mail.labels import STATUS_LABELS
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.mail.sender import retry
from eventapp.params import MAX_PAGE, int_arg

bp = Blueprint("mail_console", __name__)
PAGE_SIZE = 50


@bp.get("/")
@roles_required(*ORGANISERS)
def outbox() -> ResponseReturnValue:
    status = request.args.get("status", "")
    query = sa.select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status in OutboxStatus._value2member_map_:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    page = int_arg("page", 1, high=MAX_PAGE)
    pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    counts = dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all())
    return render_template("console/outbox/outbox.html", pagination=pagination, counts=counts,
                           selected_status=status, status_labels=STATUS_LABELS, confirm_form=ConfirmForm())


@bp.get("/<int:message_id>")
@roles_required(*ORGANISERS)
def message(message_id: int) -> ResponseReturnValue:
    """One message as it was (or will be) sent: address, subject, status, error, text, calendar part."""
    found = db.get_or_404(OutboxMessage, message_id)
    return render_template("console/outbox/message.html", message=found, confirm_form=ConfirmForm())


@bp.post("/<int:message_id>/retry")
@roles_required(*ORGANISERS)
def retry_message(message_id: int) -> ResponseReturnValue:
    message = db.get_or_404(OutboxMessage, message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if message.status == OutboxStatus.SENT:
        flash(_("This message has already been sent."), "warning")
    else:
        retry(message)
        audit.record(current_user, "outbox.retry", message, message.to_address)
        db.session.commit()
        flash(_("The message will be sent again shortly."), "success")
    return redirect(url_for(".outbox", status=request.args.get("status", "")))
