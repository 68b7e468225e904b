"""Forms: the journalist's registration form and the organiser's and coordinator's screens."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from eventapp.forms import AppForm
from eventapp.registrations import validation as v

M = v.MESSAGES


def _phone(form: FlaskForm, field: StringField) -> None:
    if field.data and not v.phone_ok(field.data.strip()):
        raise ValidationError(M["phone_invalid"])


def _no_control(form: FlaskForm, field: StringField) -> None:
    if field.data and v.has_control_chars(field.data):
        raise ValidationError(M["control_chars"])


def _one_line(form: FlaskForm, field: StringField) -> None:
    """Single-line fields (names, addresses, numbers) reach e-mail headers and invitation lines."""
    if field.data and v.has_control_chars(field.data):
        raise ValidationError(M["control_chars"])
    if field.data and not v.is_single_line(field.data):
        raise ValidationError(M["single_line"])


def _strip(value: str | None) -> str | None:
    return v.clean(value, 100_000) if isinstance(value, str) else value


STRIP = [_strip]


def coerce_int_or_none(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PersonFieldsMixin:
    """Name, e-mail, phone, position with the shared limits and messages."""

    full_name = StringField(_l("Full name"), filters=STRIP, validators=[
        DataRequired(M["name_required"]), Length(max=v.MAX_NAME, message=M["name_length"]), _one_line])
    email = EmailField(_l("E-mail"), filters=STRIP, validators=[
        DataRequired(M["email_required"]), Length(max=v.MAX_EMAIL, message=M["email_length"]),
        Email(M["email_invalid"]), _one_line])
    phone = TelField(_l("Phone"), filters=STRIP, validators=[Optional(), _phone])
    position = StringField(_l("Position"), filters=STRIP, validators=[
        Optional(), Length(max=v.MAX_POSITION, message=M["position_length"]), _one_line])


class PublicRegistrationForm(PersonFieldsMixin, AppForm):
    """The journalist's form (no account); `website` is a honeypot that people never see."""

    outlet_id = SelectField(_l("Press outlet"), coerce=coerce_int_or_none, validate_choice=False)
    outlet_name = StringField(_l("Or type the name of your outlet"), filters=STRIP, validators=[
        Optional(), Length(max=v.MAX_OUTLET, message=M["outlet_length"]), _one_line],
        description=_l("If your outlet is not in the list, type its name here; the organiser adds it to the list."))
    # no Optional(): it would stop the chain before validate_press_card_no can require it
    press_card_no = StringField(_l("Press card number"), filters=STRIP, validators=[
        Length(max=v.MAX_PRESS_CARD, message=M["press_card_length"]), _one_line])
    questions = TextAreaField(_l("Questions for the briefing (optional)"), filters=STRIP, validators=[
        Optional(), Length(max=v.MAX_QUESTIONS, message=M["questions_length"]), _no_control])
    scope = RadioField(_l("Register for"), default="event", choices=[
        ("event", _l("This briefing only")), ("series", _l("All upcoming briefings of this series"))])
    consent = BooleanField(_l("I agree that my data is processed to organise this event."),
                           validators=[DataRequired(_l("Please agree to the processing of your data."))])
    website = StringField(_l("Leave this field empty"))

    def __init__(self, *args, outlets=(), requires_press_card: bool = False, series: bool = False,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outlet_id.choices = [("", _l("— choose —"))] + [(str(o.id), o.name) for o in outlets]
        self._outlet_ids = {o.id for o in outlets}
        self._requires_press_card = requires_press_card
        if not series:
            del self.scope

    def validate_outlet_id(self, field: SelectField) -> None:
        if field.data is not None and field.data not in self._outlet_ids:
            raise ValidationError(M["outlet_required"])
        if field.data is None and not (self.outlet_name.data or "").strip():
            raise ValidationError(M["outlet_required"])

    def validate_press_card_no(self, field: StringField) -> None:
        if self._requires_press_card and not field.data:
            raise ValidationError(M["press_card_required"])


class ReasonForm(AppForm):
    """An optional reason that is e-mailed with the decision."""

    reason = TextAreaField(_l("Reason (optional, e-mailed to the person)"), filters=STRIP, validators=[
        Optional(), Length(max=v.MAX_REASON), _no_control])


ACTION_CHOICES = [("approved", _l("Approve")), ("rejected", _l("Reject")),
                  ("waitlisted", _l("Move to waiting list")), ("cancelled", _l("Cancel"))]


class BulkActionForm(ReasonForm):
    """Approve, reject, wait-list or cancel the ticked registrations."""

    action = SelectField(_l("Action"), choices=ACTION_CHOICES, validators=[DataRequired()])


class OrganiserAddForm(PersonFieldsMixin, AppForm):
    """Add someone by hand (e-mail optional for people registered on their behalf)."""

    organisation_id = SelectField(_l("Organisation"), coerce=coerce_int_or_none, validate_choice=False)
    site_id = SelectField(_l("Site"), coerce=coerce_int_or_none, validate_choice=False)

    def __init__(self, *args, organisations=(), sites=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email.validators = [Optional(), Length(max=v.MAX_EMAIL, message=M["email_length"]),
                                 Email(M["email_invalid"])]
        self.email.flags.required = False
        self.organisation_id.choices = [("", "—")] + [(str(o.id), o.name) for o in organisations]
        self.site_id.choices = [("", _l("The venue (no site)"))] + [(str(s.id), s.name) for s in sites]
        self._org_ids = {o.id for o in organisations}
        self._site_ids = {s.id for s in sites}

    def validate_organisation_id(self, field: SelectField) -> None:
        if field.data is not None and field.data not in self._org_ids:
            raise ValidationError(_l("Please choose from the list."))

    def validate_site_id(self, field: SelectField) -> None:
        if field.data is not None and field.data not in self._site_ids:
            raise ValidationError(_l("Please choose from the list."))


class SitePersonForm(PersonFieldsMixin, AppForm):
    """A coordinator's entry for one person of the site (e-mail optional)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email.validators = [Optional(), Length(max=v.MAX_EMAIL, message=M["email_length"]),
                                 Email(M["email_invalid"])]
        self.email.flags.required = False


class ImportUploadForm(AppForm):
    """A CSV or XLSX file to preview."""

    file = FileField(_l("CSV or Excel (.xlsx) file"), validators=[InputRequired(_l("Please choose a file."))])


class ImportConfirmForm(AppForm):
    """The coordinator's choice after the preview; `payload` is the signed, checked rows."""

    payload = HiddenField()


class AccreditForm(AppForm):
    """Accredit a journalist for a series, or for all events until a date."""

    series_id = SelectField(_l("Series"), coerce=coerce_int_or_none, validate_choice=False)
    valid_until = DateField(_l("Valid until (optional)"), validators=[Optional()])
    note = StringField(_l("Note"), filters=STRIP, validators=[Optional(), Length(max=500), _no_control])

    def __init__(self, *args, series=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.series_id.choices = [("", _l("All events (a period)"))] + [(str(s.id), s.title) for s in series]
        self._series_ids = {s.id for s in series}

    def validate_series_id(self, field: SelectField) -> None:
        if field.data is not None and field.data not in self._series_ids:
            raise ValidationError(_l("Please choose from the list."))


class AnnounceForm(AppForm):
    """Announce an event to the network (coordinators, unit contacts, accredited journalists)."""

    coordinators = BooleanField(_l("Site coordinators"), default=True)
    units = BooleanField(_l("Ministry unit contacts"), default=True)
    journalists = BooleanField(_l("Accredited journalists"), default=True)
    note = TextAreaField(_l("Note (optional)"), filters=STRIP, validators=[
        Optional(), Length(max=2000), _no_control])
    # The preview's one-time key once the organiser has seen the count and the e-mails.
    confirmed = HiddenField(validators=[Optional(), Length(max=64)])
