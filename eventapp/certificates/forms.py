"""The organiser's certificate template form and the revocation form."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from eventapp.forms import AppForm
from eventapp.registrations import validation

PLACEHOLDER_HELP = _l("You can use {name}, {organisation}, {position}, {event}, {date} and {site}; "
                      "write {{ and }} for a literal brace.")


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _no_control(form: AppForm, field: Field) -> None:
    if field.data and validation.has_control_chars(field.data):
        raise ValidationError(validation.MESSAGES["control_chars"])


def _one_line(form: AppForm, field: Field) -> None:
    _no_control(form, field)
    if field.data and not validation.is_single_line(field.data):
        raise ValidationError(validation.MESSAGES["single_line"])


def _at_most_lines(limit: int) -> Callable[[AppForm, Field], None]:
    """A certificate is one page: more lines than this would run into the signature."""

    def check(form: AppForm, field: Field) -> None:
        if field.data and len(field.data.splitlines()) > limit:
            raise ValidationError(_l("At most %(limit)d lines, please.", limit=limit))

    return check


STRIP = [_strip]


class TemplateForm(AppForm):
    """What an event's certificates say (placeholders are checked by the service on save)."""

    issuer = TextAreaField(_l("Issued by"), filters=STRIP, validators=[DataRequired(), Length(max=300), _no_control, _at_most_lines(3)],
                           render_kw={"rows": 3})
    title = StringField(_l("Title"), filters=STRIP, validators=[DataRequired(), Length(max=200), _one_line])
    body = TextAreaField(_l("Text"), filters=STRIP, validators=[DataRequired(), Length(max=1000), _no_control, _at_most_lines(6)],
                         description=PLACEHOLDER_HELP, render_kw={"rows": 4})
    signatory_title = StringField(_l("Signatory's title"), filters=STRIP,
                                  validators=[Optional(), Length(max=200), _one_line])
    signatory_name = StringField(_l("Signatory's name"), filters=STRIP,
                                 validators=[Optional(), Length(max=150), _one_line])
    place = StringField(_l("Place of signing"), filters=STRIP, validators=[Optional(), Length(max=150), _one_line])
    issued_on = DateField(_l("Date of signing"), validators=[Optional()],
                          description=_l("Empty: the event's last day."))


class RevokeForm(AppForm):
    """Why a certificate is withdrawn (kept with it, shown to organisers only)."""

    reason = StringField(_l("Reason"), filters=STRIP, validators=[Optional(), Length(max=300), _one_line])
