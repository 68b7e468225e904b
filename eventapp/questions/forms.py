"""Forms of the question cycle: asking, triage, answering, the live queue."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from eventapp.events.models import AgendaItem
from eventapp.forms import AppForm, CheckboxListField
from eventapp.params import FIRST_YEAR, LAST_YEAR
from eventapp.questions.labels import HANDLING_LABELS
from eventapp.questions.models import Handling
from eventapp.questions.services import MAX_REASON, MAX_TEXT, MAX_TOPIC


def _strip(value: object) -> object:
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return -1  # not a choice: validate_choice says so


STRIP = [_strip]


def plausible_date(form: AppForm, field: DateField | DateTimeLocalField) -> None:
    """Years FIRST_YEAR..LAST_YEAR only: year 1 or 9999 is a typing mistake (and overflows in UTC)."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Choose a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))


class AskForm(AppForm):
    """A question: its text, an optional topic and the session or agenda item it concerns."""

    text = TextAreaField(_l("Your question"), filters=STRIP,
                         validators=[DataRequired(), Length(max=MAX_TEXT)], render_kw={"rows": 4})
    topic = StringField(_l("Topic (optional)"), filters=STRIP, validators=[Optional(), Length(max=MAX_TOPIC)])
    agenda_item_id = SelectField(_l("About (optional)"), coerce=_optional_int, validators=[Optional()])

    def __init__(self, *args: object, agenda: Iterable[AgendaItem] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.agenda_item_id.choices = [(None, _l("The whole event"))] + [(a.id, a.title) for a in agenda]


class EditForm(AskForm):
    """The organiser rewords a question for clarity (the asker's words are kept)."""

    text = TextAreaField(_l("Question (as it will be answered)"), filters=STRIP,
                         validators=[DataRequired(), Length(max=MAX_TEXT)], render_kw={"rows": 4})


class AssignForm(AppForm):
    """Give a question to ministry units, for the stage or in writing, with a due date."""

    unit_ids = CheckboxListField(_l("Ministry units"), coerce=int, validators=[Optional()])
    handling = RadioField(_l("How it is answered"), validators=[DataRequired()], default=Handling.WRITTEN.value)
    due_on = DateField(_l("Due date (written answers)"), validators=[Optional(), plausible_date])

    def __init__(self, *args: object, units: Iterable = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.unit_ids.choices = [(u.id, u.name) for u in units]
        self.handling.choices = [(h.value, str(label)) for h, label in HANDLING_LABELS.items()]


class DeclineForm(AppForm):
    """Decline with a reason (shown in the console's record)."""

    reason = TextAreaField(_l("Reason"), filters=STRIP, validators=[DataRequired(), Length(max=MAX_REASON)],
                           render_kw={"rows": 2})


class MergeForm(AppForm):
    """This question duplicates another: its askers join the other one."""

    into_id = SelectField(_l("Same as question"), coerce=_optional_int, validators=[DataRequired()])

    def __init__(self, *args: object, others: Iterable = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.into_id.choices = [(None, "—")] + [(q.id, f"#{q.id} · {q.text[:80]}") for q in others]

    def validate_into_id(self, field: SelectField) -> None:
        if field.data in (None, -1):
            raise ValidationError(_l("Please choose from the list."))


class DeadlineForm(AppForm):
    """Until when questions may be sent in advance (empty: until the event starts)."""

    closes_at = DateTimeLocalField(_l("Questions in advance until"), validators=[Optional(), plausible_date])


class AnswerForm(AppForm):
    """A unit's written answer and an optional document."""

    text = TextAreaField(_l("Answer"), filters=STRIP, validators=[Optional(), Length(max=10_000)],
                         render_kw={"rows": 8})
    document = FileField(_l("Document (optional)"),
                         description=_l("PDF, DOCX, XLSX, PNG or JPEG, up to 4 MB."))


class ReturnForm(AppForm):
    """Back to the unit, with what to change."""

    comment = TextAreaField(_l("Comment for the unit"), filters=STRIP,
                            validators=[DataRequired(), Length(max=1000)], render_kw={"rows": 2})


class AnsweredForm(AppForm):
    """Who answered from the stage."""

    note = StringField(_l("Answered by"), filters=STRIP, validators=[Optional(), Length(max=300)])


class ReportFilterForm(AppForm):
    """The report's selection: one event, or a period of event dates (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    event_id = SelectField(_l("Event"), coerce=_optional_int, validators=[Optional()])
    start = DateField(_l("From"), validators=[Optional(), plausible_date])
    end = DateField(_l("To"), validators=[Optional(), plausible_date])

    def __init__(self, *args: object, events: Iterable = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.event_id.choices = [(None, _l("All events in the period"))] + [(e.id, e.title) for e in events]

    def validate_end(self, field: DateField) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date is before the start date."))
