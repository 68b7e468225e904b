"""Organisers build an event's questionnaire and read its results (charts, answers, exports);
coordinators answer it for their site."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp import spreadsheets
from eventapp.accounts.permissions import COORDINATORS, ORGANISERS, require_site, roles_required
from eventapp.calendar import recurrence
from eventapp.directory.models import Site
from eventapp.evaluations import bp, charts, results, services
from eventapp.evaluations.forms import QuestionForm
from eventapp.evaluations.labels import KIND_LABELS, RESPONDENT_LABELS, error_message
from eventapp.evaluations.models import EvaluationQuestion, EvaluationResponse, QuestionKind
from eventapp.evaluations.views import Attempt, attempt, render_form
from eventapp.events.models import AgendaItem, Event, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.forms import ConfirmForm
from eventapp.models import utcnow


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not event.is_visible_to(current_user):
        abort(404)
    return event


def _talk_choices(form: QuestionForm, event: Event) -> None:
    form.agenda_item_id.choices = [("", _("The whole event"))] + [
        (item.id, item.title) for item in event.agenda_items]


@bp.get("/console/evaluations/")
@roles_required(*ORGANISERS)
def index() -> ResponseReturnValue:
    """Recent and coming events with their number of questions and responses."""
    now = utcnow()
    asked = (sa.select(EvaluationQuestion.event_id, sa.func.count().label("n"))
             .group_by(EvaluationQuestion.event_id).subquery())
    answered = (sa.select(EvaluationResponse.event_id, sa.func.count().label("n"))
                .group_by(EvaluationResponse.event_id).subquery())
    rows = db.session.execute(
        sa.select(Event, asked.c.n, answered.c.n).outerjoin(asked, asked.c.event_id == Event.id)
        .outerjoin(answered, answered.c.event_id == Event.id)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at >= now - timedelta(days=120),
               Event.starts_at <= now + timedelta(days=90))
        .order_by(Event.starts_at.desc()).limit(80)).all()
    return render_template("evaluations/console/index.html", rows=rows)


def render_builder(event: Event, form: QuestionForm | None = None, status: int = 200) -> tuple[str, int]:
    form = form or QuestionForm(formdata=None)
    _talk_choices(form, event)
    return render_template("evaluations/console/questions.html", event=event, form=form,
                           questions=services.questions(event), kind_labels=KIND_LABELS, confirm=ConfirmForm(),
                           state=services.window_state(event)), status


@bp.get("/console/evaluations/events/<int:event_id>")
@roles_required(*ORGANISERS)
def questions(event_id: int) -> ResponseReturnValue:
    return render_builder(_event(event_id))


@bp.post("/console/evaluations/events/<int:event_id>/questions")
@roles_required(*ORGANISERS)
def add_question(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    form = QuestionForm()
    _talk_choices(form, event)
    if form.validate_on_submit():
        try:
            services.add_question(event, kind=QuestionKind(form.kind.data), prompt=form.prompt.data or "",
                                  options=form.options.data or "", agenda_item_id=form.agenda_item_id.data,
                                  actor=current_user)
        except services.EvaluationError as error:
            db.session.rollback()
            target = form.agenda_item_id if error.code == "not_this_event" else form.options
            target.errors = [error_message(error.code)]
        else:
            db.session.commit()
            flash(_("The question was added."), "success")
            return redirect(url_for(".questions", event_id=event.id))
    return render_builder(event, form, 422)


def _talk_prompt(item: AgendaItem) -> str:
    return _("How useful was the talk “%(title)s”?", title=item.title)


@bp.post("/console/evaluations/events/<int:event_id>/talk-ratings")
@roles_required(*ORGANISERS)
def add_talk_ratings(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    added = services.add_talk_ratings(event, _talk_prompt, current_user)
    db.session.commit()
    flash(_("%(count)s talk ratings were added.", count=added), "success")
    return redirect(url_for(".questions", event_id=event.id))


@bp.post("/console/evaluations/questions/<int:evaluation_question_id>/delete")
@roles_required(*ORGANISERS)
def delete_question(evaluation_question_id: int) -> ResponseReturnValue:
    question = db.session.get(EvaluationQuestion, evaluation_question_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    event_id = question.event_id
    try:
        services.remove_question(question, current_user)
    except services.EvaluationError as error:
        db.session.rollback()
        flash(error_message(error.code), "danger")
    else:
        db.session.commit()
        flash(_("The question was removed."), "success")
    return redirect(url_for(".questions", event_id=event_id))


@bp.get("/console/evaluations/events/<int:event_id>/results")
@roles_required(*ORGANISERS)
def results_page(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    data = results.results(event)
    question_charts = {
        r.question.id: charts.count_bars(r.bars(), r.question.prompt)
        for r in data.questions if r.question.kind != QuestionKind.TEXT}
    talk_chart = charts.score_bars(
        [(data.talk_title(r), r.average, r.answered) for r in data.talks],
        _("Average rating per talk")) if data.talks else None
    site_chart = charts.score_bars(
        [(s.name, s.average, s.responses) for s in data.sites],
        _("Average rating per site (responses)")) if data.sites else None
    return render_template("evaluations/console/results.html", event=event, data=data,
                           question_charts=question_charts, talk_chart=talk_chart, site_chart=site_chart,
                           kind_labels=KIND_LABELS)


@bp.get("/console/evaluations/events/<int:event_id>/export/<any(csv, xlsx):fmt>")
@roles_required(*ORGANISERS)
def export(event_id: int, fmt: str) -> ResponseReturnValue:
    event = _event(event_id)
    headers, rows = results.export_rows(event, results.results(event), RESPONDENT_LABELS,
                                        [_("Respondent"), _("Site"), _("Answered at")])
    day = recurrence.to_local(event.starts_at, event.tz).date()
    return spreadsheets.download(fmt, spreadsheets.export_filename(_("evaluation"), event.title, day),
                                 headers, rows, title=_("Evaluation"))


def _site_event(site_id: int, event_id: int) -> tuple[Site, Event]:
    require_site(current_user, site_id)
    site = db.session.get(Site, site_id) or abort(404)
    event = _event(event_id)
    taking_part = db.session.scalar(sa.select(EventSite.id).where(EventSite.event_id == event.id,
                                                                 EventSite.site_id == site.id))
    if taking_part is None:
        abort(404)
    return site, event


@bp.route("/console/evaluations/sites/<int:site_id>/events/<int:event_id>", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def site_answer(site_id: int, event_id: int) -> ResponseReturnValue:
    """A coordinator answers for their site's room, once."""
    site, event = _site_event(site_id, event_id)
    asked = services.questions(event)
    if not asked:
        abort(404)
    outcome = Attempt()
    if request.method == "POST":
        outcome = attempt(asked, lambda sent: services.submit_for_site(event, site, current_user, sent))
        if outcome.done:
            flash(_("Thank you: your site's evaluation has been recorded."), "success")
            return redirect(url_for("site_console.event", site_id=site.id, event_id=event.id))
    return render_form("evaluations/answer.html", outcome.status, event=event, questions=asked, sent=outcome.sent,
                       error=outcome.error, state=services.window_state(event),
                       answered=services.response_for(event, services.site_key(site)), attendee=True, site=site,
                       action=url_for(".site_answer", site_id=site.id, event_id=event.id),
                       back=url_for("site_console.event", site_id=site.id, event_id=event.id),
                       console=True)
