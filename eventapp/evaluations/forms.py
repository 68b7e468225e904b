"""The organiser's form to add a question to an event's questionnaire."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from eventapp.evaluations.labels import KIND_LABELS
from eventapp.evaluations.models import QuestionKind
from eventapp.forms import AppForm


def _clean(value: str | None) -> str | None:
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "None") else None


class QuestionForm(AppForm):
    """One question: its kind, its wording, a talk for a rating, options for a single choice."""

    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in KIND_LABELS.items()],
                       default=QuestionKind.RATING.value, validators=[DataRequired()])
    prompt = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)], filters=[_clean])
    agenda_item_id = SelectField(_l("Talk (for a rating)"), coerce=_optional_int, validators=[Optional()])
    options = TextAreaField(_l("Options (for a single choice), one per line"),
                            validators=[Optional(), Length(max=2400)], filters=[_clean])
