"""An attendee answers the evaluation through their ticket link (no account), once; the cards the
ticket page and the coordinator's site page include."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.permissions import can_manage_site
from eventapp.directory.models import Site
from eventapp.evaluations import bp, services
from eventapp.evaluations.labels import RATING_WORDS, error_message
from eventapp.evaluations.models import EvaluationQuestion
from eventapp.events.models import Event
from eventapp.extensions import KNOWN_TOKEN_CHECKS, db, token_miss_limit
from eventapp.forms import ConfirmForm
from eventapp.registrations.models import Registration
from eventapp.registrations.tickets import find_by_token


def sent_answers(asked: list[EvaluationQuestion]) -> dict[int, str]:
    """What the form sent, by question id (kept and shown again when something is refused)."""
    return {q.id: request.form.get(f"q{q.id}", "")[:services.MAX_TEXT_SENT] for q in asked}


@dataclass
class Attempt:
    """What came of sending the form: done (committed), or refused with a message and what was sent."""

    sent: dict[int, str] = field(default_factory=dict)
    error: str | None = None
    status: int = 200
    done: bool = False


def attempt(asked: list[EvaluationQuestion], submit: Callable[[dict[int, str]], object]) -> Attempt:
    """Check the form's CSRF token, then record the answers through `submit` (a service call) and
    commit; a refusal rolls back and keeps what was sent (409 for a second answer, else 422)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sent = sent_answers(asked)
    try:
        submit(sent)
    except services.EvaluationError as refused:
        db.session.rollback()
        return Attempt(sent, error_message(refused.code), 409 if refused.code == "already_answered" else 422)
    db.session.commit()
    return Attempt(sent, done=True)


def render_form(template: str, status: int = 200, **context: object) -> Response:
    response = make_response(render_template(template, rating_words=RATING_WORDS, form=ConfirmForm(),
                                             **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/ticket/<token>/evaluation", methods=["GET", "POST"])
@token_miss_limit
def answer(token: str) -> ResponseReturnValue:
    registration = find_by_token(token)
    if registration is None:
        abort(404)
    event = registration.event
    asked = services.questions(event)
    if not asked:
        abort(404)
    state = services.window_state(event)
    outcome = Attempt()
    if request.method == "POST":
        outcome = attempt(asked, lambda sent: services.submit_as_attendee(registration, sent))
        if outcome.done:
            flash(_("Thank you: your evaluation has been recorded."), "success")
            return redirect(url_for("registrations.ticket", token=token))
    return render_form("evaluations/answer.html", outcome.status, event=event, questions=asked, sent=outcome.sent,
                       error=outcome.error, state=state,
                       answered=services.response_for(event, services.attendee_key(registration)),
                       attendee=services.is_attendee(registration),
                       action=url_for(".answer", token=token),
                       back=url_for("registrations.ticket", token=token))


KNOWN_TOKEN_CHECKS["evaluations.answer"] = lambda token: find_by_token(token) is not None


@bp.app_template_global("ticket_evaluation")
def ticket_evaluation(registration: Registration) -> dict | None:
    """For the ticket card: None when there is nothing to say (no questionnaire, or not an attendee)."""
    event = registration.event
    if not services.is_attendee(registration) or not services.questions(event):
        return None
    answered = services.response_for(event, services.attendee_key(registration))
    return {"state": services.window_state(event), "answered": answered}


@bp.app_template_global("site_evaluation")
def site_evaluation(event: Event, site: Site) -> dict | None:
    """For the site page's card: the site's own answer, if its coordinator may give one."""
    if not can_manage_site(current_user, site.id) or not services.questions(event):
        return None
    return {"state": services.window_state(event),
            "answered": services.response_for(event, services.site_key(site))}
