"""Announcing an event to the network: choose recipients, preview the e-mails, queue them."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.forms import form_status
from eventapp.registrations import emails, network
from eventapp.registrations.console import bp
from eventapp.registrations.forms import AnnounceForm


@bp.route("/events/<int:event_id>/announce", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def announce(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    form = AnnounceForm()
    if form.validate_on_submit():
        if not event.is_published:
            flash(_("Publish the event before announcing it."), "warning")
        elif not form.confirmed.data:
            # First the count and what the e-mails will say; nothing is queued until confirmed.
            chosen = network.announcement_recipients(
                event, coordinators=form.coordinators.data, units=form.units.data,
                journalists=form.journalists.data)
            samples = _samples(event, chosen, form.note.data or None)
            # A fresh key per preview: the send below refuses a key it has seen (re-posted form).
            form.confirmed.data = secrets.token_urlsafe(12)
            return render_template("registrations/console/announce_confirm.html", event=event, form=form,
                                   count=len(chosen), samples=samples)
        else:
            try:
                count = network.announce(event, actor=current_user, coordinators=form.coordinators.data,
                                         units=form.units.data, journalists=form.journalists.data,
                                         note=form.note.data or None, once=form.confirmed.data)
            except network.AlreadyAnnounced as done:
                db.session.rollback()
                flash(_("This announcement was already sent at %(time)s; nothing was sent again.",
                        time=format_datetime(done.at, "short")), "info")
                return redirect(url_for(".event_registrations", event_id=event.id))
            db.session.commit()
            flash(_("The announcement was queued for %(count)s recipients.", count=count), "success")
            return redirect(url_for(".event_registrations", event_id=event.id))
    recipients = network.announcement_recipients(event, coordinators=True, units=True, journalists=True)
    return render_template("registrations/console/announce.html", event=event, form=form,
                           recipient_count=len(recipients)), form_status(form)


def _samples(event: Event, chosen: list, note: str | None) -> list[tuple[str, str, str]]:
    """(who, subject, text) of one e-mail of each kind the announcement sends: to a coordinator
    (with their site and quota) and to everyone else."""
    samples = []
    coordinator = next((r for r in chosen if r.places), None)
    other = next((r for r in chosen if not r.places), None)
    if coordinator is not None:
        subject, text, _html = emails.render_announcement(event, coordinator, note)
        samples.append((_("To a site coordinator"), subject, text))
    if other is not None:
        subject, text, _html = emails.render_announcement(event, other, note)
        samples.append((_("To units and journalists"), subject, text))
    return samples
