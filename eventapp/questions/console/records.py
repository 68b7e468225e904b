"""The record and the figures: exports of an event's questions (CSV, XLSX, DOCX) and the reports."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from eventapp import spreadsheets
from eventapp.accounts.permissions import roles_required
from eventapp.calendar.recurrence import to_local
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.questions import exports, reports, services, svg
from eventapp.questions.console import ORGANISERS, bp
from eventapp.questions.console.triage import event_questions
from eventapp.questions.forms import ReportFilterForm
from eventapp.questions.models import Question

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _filename(event: Event) -> str:
    return spreadsheets.export_filename(_("Questions"), event.title, to_local(event.starts_at, event.tz).date())


@bp.get("/events/<int:event_id>/export.<any(csv, xlsx, docx):fmt>")
@roles_required(*ORGANISERS)
def export(event_id: int, fmt: str) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    questions = event_questions(event.id)
    name = _filename(event)
    if fmt == "docx":
        response = Response(exports.record_docx(event, questions), mimetype=DOCX)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.docx"'
        return response
    headers, rows = exports.table(event, questions)
    return spreadsheets.download(fmt, name, headers, rows, title=_("Questions"))


def _bounds(form: ReportFilterForm) -> tuple[datetime | None, datetime | None]:
    zone = ZoneInfo(services.MINISTRY_TZ)
    start = datetime.combine(form.start.data, time.min, zone).astimezone(UTC) if form.start.data else None
    end = (datetime.combine(form.end.data + timedelta(days=1), time.min, zone).astimezone(UTC)
           if form.end.data else None)
    return start, end


@bp.get("/reports")
@roles_required(*ORGANISERS)
def report() -> ResponseReturnValue:
    events = list(db.session.scalars(sa.select(Event).where(Event.id.in_(sa.select(Question.event_id)))
                                     .order_by(Event.starts_at.desc()).limit(300)))
    form = ReportFilterForm(request.args, events=events)
    if request.args and not form.validate():
        return render_template("questions/console/report.html", form=form, figures=None, chart=None), 422
    start, end = _bounds(form)
    figures = reports.build(event_id=form.event_id.data, start=start, end=end, today=services.local_today())
    chart = svg.unit_chart([(u.name, u.answered, u.overdue, u.assigned) for u in figures.units[:20]],
                           _("Questions per ministry unit"), (_("Answered"), _("Overdue"), _("Waiting")))
    return render_template("questions/console/report.html", form=form, figures=figures,
                           chart=chart if figures.units else None)
