"""Plugs the question cycle into the app: blueprints, the CLI, the registration form's hand-over,
and the Jinja globals its partials on the ticket, event and site pages read."""

from __future__ import annotations

from flask import Flask

from eventapp.questions import services, views
from eventapp.questions.cli import questions_cli
from eventapp.questions.console import bp as console_bp
from eventapp.questions.console import live, records, triage, units  # noqa: F401  (their screens join console_bp)
from eventapp.registrations import signals


def _file_registration_question(registration: object, text: str, **_extra: object) -> None:
    services.file_from_registration(registration, text=text)  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(console_bp, url_prefix="/console/questions")
    app.cli.add_command(questions_cli)
    signals.question_submitted.connect(_file_registration_question)  # idempotent: one receiver, kept strongly
    app.add_template_global(views.ticket_questions, "ticket_questions")
    app.add_template_global(views.published_record, "question_record")
    app.add_template_global(views.approved_answers, "approved_answers")
