"""Translated names of question kinds and respondents, and the messages of refused actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventapp.evaluations.models import QuestionKind, Respondent

KIND_LABELS = {
    QuestionKind.RATING: _l("Rating from 1 to 5"),
    QuestionKind.CHOICE: _l("Single choice"),
    QuestionKind.TEXT: _l("Free text"),
}
RESPONDENT_LABELS = {
    Respondent.ATTENDEE: _l("Attendee"),
    Respondent.SITE: _l("Site"),
}
RATING_WORDS = {1: _l("Poor"), 2: _l("Fair"), 3: _l("Good"), 4: _l("Very good"), 5: _l("Excellent")}

ERRORS = {
    "options": _l("Give between 2 and 12 different options, one per line."),
    "not_this_event": _l("Choose a talk of this event."),
    "answered": _l("This question has answers already, so it stays: the results must keep meaning what "
                   "people were asked."),
    "rating": _l("Choose a rating from 1 to 5."),
    "choice": _l("Choose one of the options."),
    "empty": _l("Answer at least one question before sending."),
    "already_answered": _l("This evaluation has already been answered, and it can be answered only once. "
                           "Thank you!"),
    "not_attendee": _l("The evaluation is for people who attended the event."),
    "closed": _l("The evaluation is not open."),
}


def error_message(code: str) -> str:
    return str(ERRORS.get(code, ERRORS["closed"]))
