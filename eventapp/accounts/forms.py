"""Sign-in and user administration forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, Field, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from eventapp.accounts import passwords
from eventapp.accounts.models import Role
from eventapp.forms import AppForm

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ORGANISER: _l("Organiser"),
    Role.SITE_COORDINATOR: _l("Site coordinator"),
    Role.CHECKIN_STAFF: _l("Check-in staff"),
    Role.UNIT_RESPONDENT: _l("Unit respondent"),
}


def coerce_optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class LoginForm(AppForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


def strong_password(form: AppForm, field: Field) -> None:
    """The password rule (length, common passwords, the e-mail) on a form field."""
    if field.data:
        email = getattr(getattr(form, "email", None), "data", None) or getattr(form, "account_email", None)
        reason = passwords.problem(field.data, email)
        if reason:
            raise ValidationError(reason)


class UserForm(AppForm):
    """Create or edit a console user."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=150)])
    role = SelectField(
        _l("Role"), choices=[(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[DataRequired()],
    )
    site_id = SelectField(_l("Site (for site coordinators)"), coerce=coerce_optional_int, validators=[Optional()])
    organisation_id = SelectField(
        _l("Or organisation (for unit coordinators)"), coerce=coerce_optional_int, validators=[Optional()]
    )
    unit_id = SelectField(_l("Ministry unit (for unit respondents)"), coerce=coerce_optional_int,
                          validators=[Optional()])
    password = PasswordField(
        _l("Initial password"), validators=[Optional(), strong_password],
        description=_l("Leave empty to generate one; it is shown once after saving. Either way the "
                       "user must choose their own at the first sign-in."),
    )


class ChangePasswordForm(AppForm):
    """A user replaces their own password (required after a temporary one)."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), strong_password],
        description=_l("At least 12 characters; a few unrelated words are easy to remember and hard to guess."),
    )
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))])


def _clean_text(value: str | None) -> str | None:
    """Trimmed, without NUL characters (PostgreSQL refuses them in text)."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class ApiTokenForm(AppForm):
    """Name a new API token (the device or integration that will use it)."""

    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=100)], filters=[_clean_text],
        description=_l("Where the token will be used, e.g. “Check-in tablet, hall A”."),
    )
