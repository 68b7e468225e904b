"""Announcing an event to the network: choose recipients, preview the e-mails, queue them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.registrations import emails, network
from eventapp.registrations.console import bp
from eventapp.registrations.forms import AnnounceForm


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


@bp.route("/events/<int:event_id>/announce", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def announce(event_id: int):
    event = _event(event_id)
    form = AnnounceForm()
    if form.validate_on_submit():
        if not event.is_published:
            flash(_("Publish the event before announcing it."), "warning")
        elif form.confirmed.data != "yes":
            # First the count and what the e-mails will say; nothing is queued until confirmed.
            chosen = network.announcement_recipients(
                event, coordinators=form.coordinators.data, units=form.units.data,
                journalists=form.journalists.data)
            samples = _samples(event, chosen, form.note.data or None)
            form.confirmed.data = "yes"
            return render_template("registrations/console/announce_confirm.html", event=event, form=form,
                                   count=len(chosen), samples=samples)
        else:
            count = network.announce(event, actor=current_user, coordinators=form.coordinators.data,
                                     units=form.units.data, journalists=form.journalists.data,
                                     note=form.note.data or None)
            db.session.commit()
            flash(_("The announcement was queued for %(count)s recipients.", count=count), "success")
            return redirect(url_for(".event_registrations", event_id=event.id))
    recipients = network.announcement_recipients(event, coordinators=True, units=True, journalists=True)
    return render_template("registrations/console/announce.html", event=event, form=form,
                           recipient_count=len(recipients))


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
