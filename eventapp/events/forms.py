"""Organiser forms for series, occurrences, one-off events, agenda items and sites, and the
translation of EventError codes into field errors."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from eventapp.calendar import recurrence
from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.errors import error_messages
from eventapp.events.labels import KIND_SINGULAR, MODE_LABELS
from eventapp.events.services import MAX_AHEAD, MAX_CAPACITY, MAX_YEARS_AHEAD, EventError
from eventapp.forms import AppForm, CheckboxListField
from eventapp.models import utcnow
from eventapp.text import has_control_chars

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
RANGE_MESSAGE = _l("Enter a whole number between %(min)s and %(max)s.")
WEEKDAYS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")),
            (4, _l("Friday")), (5, _l("Saturday")), (6, _l("Sunday"))]
# -1 is RFC 5545's BYMONTHDAY=-1: the last day of each month, whatever its length.
DAYS = [(day, str(day)) for day in range(1, 32)] + [(-1, _l("Last day of the month"))]
DAY_MESSAGE = _l("Choose a day between 1 and 31, or the last day of the month.")
NTHS = [(1, _l("first")), (2, _l("second")), (3, _l("third")), (4, _l("fourth")), (-1, _l("last"))]
PRESETS = [
    ("weekly", _l("Weekly on a weekday")),
    ("monthly_nth_weekday", _l("Monthly on the nth weekday (e.g. first Thursday)")),
    ("monthly_day", _l("Monthly on a day of the month")),
    ("quarterly_nth_weekday", _l("Quarterly on the nth weekday")),
    ("quarterly_day", _l("Quarterly on a day of the month")),
    ("custom", _l("Advanced: RRULE (RFC 5545)")),
]
CONTROL_MESSAGE = _l("This field contains characters that are not allowed.")
COMMON_ZONES = (DEFAULT_TZ, "Asia/Bangkok", "Asia/Singapore", "Asia/Tokyo", "Europe/Paris", "UTC")

ERROR_MESSAGES = {
    "required": _l("This field is required."),
    "capacity_range": _l("Capacity must be between 0 and %(max)s.", max=MAX_CAPACITY),
    "unknown_timezone": _l("Unknown time zone. Use an IANA name such as Asia/Ho_Chi_Minh."),
    "duration_range": _l("The duration must be between 1 minute and 24 hours."),
    "opens_range": _l("Registration can open at most 366 days before."),
    "closes_range": _l("Registration can close at most 1440 hours before."),
    "window_order": _l("Registration must open before it closes."),
    "opens_after_start": _l("Registration must open before the event starts."),
    "closes_after_start": _l("Registration must close before the event starts."),
    "past_date": _l("This date is in the past. Choose a future date."),
    "end_before_start": _l("The end must be after the start."),
    "agenda_outside": _l("Agenda items must lie inside the event's time."),
    "agenda_overlap": _l("This item overlaps another one. Change the time or mark it as parallel."),
    "empty": _l("Enter a recurrence rule."),
    "invalid": _l("This is not a valid recurrence rule (RFC 5545 RRULE)."),
    "frequency": _l("Only DAILY, WEEKLY, MONTHLY and YEARLY rules are allowed."),
    "unsupported": _l("This rule uses parts that are not supported here."),
    "no_dates": _l("This rule gives no dates within the planning horizon."),
    "too_many": _l("This rule gives more than 500 dates within the planning horizon."),
    "series_cancelled": _l("This series has been cancelled."),
    "already_cancelled": _l("This event has already been cancelled."),
    "cancelled": _l("A cancelled event cannot be published."),
    "time": _l("Set a start and an end time before publishing."),
    "venue_missing": _l("Set a venue before publishing (in-person and hybrid events)."),
    "online_url_missing": _l("Set an online link before publishing (online and hybrid events)."),
    "capacity_missing": _l("Set a capacity or site quotas before publishing a hybrid event."),
    "nothing_to_publish": _l("There is no upcoming draft occurrence to publish."),
    "quota_range": _l("A quota must be a whole number between 0 and 1000."),
    "region_required": _l("Choose a region."),
    "kind_required": _l("Choose a kind of organisation."),
    "sites_required": _l("Tick at least one site."),
    "sites_ticked": _l("You ticked sites: choose “Sites ticked below” to add just those, or untick them."),
    "site_has_registrations": _l("This site has registrations for the event and cannot be removed."),
    "unknown_site": _l("This site does not take part in the event."),
    "scope": _l("Choose how to pick sites."),
    "byday": _l("BYDAY lists weekdays (MO to SU). A position before a weekday, such as 1TH or -1FR, "
                "is allowed only in MONTHLY (1 to 5) and YEARLY (1 to 53) rules, and never 0."),
    "too_far": _l("This date is too far ahead: plan at most %(years)s years ahead.", years=MAX_YEARS_AHEAD),
    "out_of_range": _l("This date is outside the range that can be planned."),
    "already_started": _l("This event has already started or taken place, so it can no longer be cancelled; "
                          "its registrations and attendance are kept."),
    "split_in_past": _l("This occurrence has already taken place. Changes to this and all following "
                        "occurrences can start only at an upcoming occurrence."),
}
# Values out of RFC 5545's range: (lowest, highest, signed) from recurrence.PART_RANGES.
RANGE_UNSIGNED = _l("%(part)s values must be between %(min)s and %(max)s.")
RANGE_SIGNED = _l("%(part)s values must be between 1 and %(max)s or between -%(max)s and -1 (0 is not allowed).")


def range_message(part: str) -> str:
    """The field error for a rule part whose value is out of range."""
    if part not in recurrence.PART_RANGES:
        return str(ERROR_MESSAGES["invalid"])
    low, high, signed = recurrence.PART_RANGES[part]
    template = RANGE_SIGNED if signed else RANGE_UNSIGNED
    return str(template) % {"part": part, "min": low, "max": high}


@error_messages(EventError)
def event_error_message(exc: EventError) -> str:
    """How a scheduling refusal reads (a rule part out of range names its bounds)."""
    if exc.code == "range":
        return range_message(exc.detail)
    message = str(ERROR_MESSAGES.get(exc.code, _l("This value cannot be used.")))
    if exc.code in ("agenda_overlap", "unsupported") and exc.detail:
        message = f"{message} ({exc.detail})"
    return message


def strip(value: str | None) -> str | None:
    """NFC and trimmed (Vietnamese may arrive decomposed); control characters are a field error."""
    if not isinstance(value, str):
        return value
    if has_control_chars(value):
        raise ValueError(str(CONTROL_MESSAGE))
    return unicodedata.normalize("NFC", value).strip()


def validate_zone(form: FlaskForm, field: StringField) -> None:
    try:
        recurrence.zone((field.data or "").strip())
    except recurrence.RecurrenceError:
        raise ValidationError(str(ERROR_MESSAGES["unknown_timezone"])) from None


def within_reach(form: FlaskForm, field: DateField | DateTimeLocalField) -> None:
    """Refuse dates more than MAX_YEARS_AHEAD years ahead (near year 9999 they overflow in UTC)."""
    value = field.data
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and day > utcnow().date() + MAX_AHEAD:
        raise ValidationError(str(ERROR_MESSAGES["too_far"]))


def day_number(value: Any) -> int | None:
    """The submitted day as a number; anything else is 0, which valid_day refuses in words."""
    try:
        return optional_int(value)
    except (TypeError, ValueError):
        return 0


def valid_day(form: FlaskForm, field: SelectField) -> None:
    """A day of the month, 1 to 31, or -1 for the last day."""
    if field.data not in {value for value, _label in DAYS}:
        raise ValidationError(str(DAY_MESSAGE))


def _kind_choices() -> list:
    return [(k.value, label) for k, label in KIND_SINGULAR.items()]


def _mode_choices() -> list:
    return [(m.value, label) for m, label in MODE_LABELS.items()]


def optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class PlaceFields:
    """Venue, link and capacity: shared by series, occurrences and one-off events."""

    mode = SelectField(_l("Format"), choices=_mode_choices)
    venue = StringField(_l("Venue"), filters=[strip], validators=[Optional(), Length(max=300)])
    venue_address = StringField(_l("Address"), filters=[strip], validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Online link"), filters=[strip],
                             validators=[Optional(), Length(max=500), URL(message=_l("Enter a full web address (https://…)."))])
    capacity = IntegerField(_l("In-person capacity"), validators=[
        Optional(), NumberRange(min=0, max=MAX_CAPACITY, message=RANGE_MESSAGE)])


class SeriesForm(PlaceFields, AppForm):
    """A press-briefing series: defaults for its occurrences plus the recurrence picker."""

    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=_kind_choices, default="press_briefing")
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=5000)])
    start_date = DateField(_l("First date (on or after)"), validators=[DataRequired(), within_reach])
    time_of_day = TimeField(_l("Time of day"), validators=[DataRequired()], default=datetime(2000, 1, 1, 9).time())
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=90, validators=[
        DataRequired(), NumberRange(min=1, max=1440, message=RANGE_MESSAGE)])
    tz = StringField(_l("Time zone"), default=DEFAULT_TZ, filters=[strip], validators=[DataRequired(), validate_zone])
    preset = SelectField(_l("Repeats"), choices=PRESETS, default="monthly_nth_weekday")
    nth = SelectField(_l("Which"), choices=NTHS, coerce=int, default=1)
    weekday = SelectField(_l("Weekday"), choices=WEEKDAYS, coerce=int, default=3)
    day = SelectField(_l("Day of the month"), choices=DAYS, coerce=day_number, default=1,
                      validate_choice=False, validators=[Optional(), valid_day])
    until_date = DateField(_l("Last date (optional)"), validators=[Optional()])
    rrule = StringField(_l("RRULE"), filters=[strip], validators=[Optional(), Length(max=400)],
                        description=_l("For example FREQ=MONTHLY;BYDAY=1TH or FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"))
    registration_opens_days_before = IntegerField(_l("Registration opens (days before)"), default=14, validators=[
        Optional(), NumberRange(min=0, max=366, message=RANGE_MESSAGE)])
    registration_closes_hours_before = IntegerField(_l("Registration closes (hours before)"), default=2, validators=[
        Optional(), NumberRange(min=0, max=1440, message=RANGE_MESSAGE)])
    requires_approval = BooleanField(_l("Press registrations need approval"))
    requires_press_card = BooleanField(_l("A press card number is required"))

    def validate_rrule(self, field: StringField) -> None:
        if self.preset.data == "custom" and not field.data:
            raise ValidationError(str(ERROR_MESSAGES["empty"]))

    def rule_text(self) -> str:
        """The RRULE the picker describes (a preset, or the advanced field as typed)."""
        if self.preset.data == "custom":
            return self.rrule.data or ""
        preset = recurrence.Preset(self.preset.data, weekday=self.weekday.data or 0, nth=self.nth.data or 1,
                                   day=self.day.data or 1)
        rule = recurrence.preset_rrule(preset)
        if self.until_date.data:
            rule += f";UNTIL={self.until_date.data:%Y%m%d}"
        return rule

    def dtstart_local(self) -> datetime:
        day, time_of_day = self.start_date.data, self.time_of_day.data
        assert day is not None and time_of_day is not None, "called after validation"
        return datetime.combine(day, time_of_day.replace(second=0, microsecond=0))

    def fill_recurrence(self, rule: str, tz: str) -> None:
        """Set the picker from a stored rule (a preset when it is one, else the advanced field)."""
        found = recurrence.preset_from_rrule(rule)
        if found is None:
            self.preset.data, self.rrule.data = "custom", rule
            return
        preset, until = found
        self.preset.data = preset.kind
        self.weekday.data, self.nth.data, self.day.data = preset.weekday, preset.nth, preset.day
        self.rrule.data = rule
        if until:
            instant = recurrence.to_local(datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC), tz)
            last_day = instant.date()
            # The form's "until" is the last day with a session, saved as the end of that day. An
            # UNTIL before the sessions' time of day (a split ends its series one second before the
            # continuation's first session) excludes that day: showing it would bring the session
            # back when the form is saved unchanged.
            if self.time_of_day.data is not None and instant.time() < self.time_of_day.data:
                last_day -= timedelta(days=1)
            self.until_date.data = last_day

    def rule_field(self) -> str:
        return "rrule" if self.preset.data == "custom" else "preset"


class OccurrenceForm(PlaceFields, AppForm):
    """Edit one occurrence: rename or move it, change venue, link or capacity."""

    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMATS, validators=[DataRequired(), within_reach])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMATS, validators=[DataRequired(), within_reach])

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(str(ERROR_MESSAGES["end_before_start"]))


class EventForm(OccurrenceForm):
    """A one-off event (training, conference) with its registration window."""

    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=_kind_choices, default="training")
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=5000)])
    tz = StringField(_l("Time zone"), default=DEFAULT_TZ, filters=[strip], validators=[DataRequired(), validate_zone])
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format=LOCAL_FORMATS,
                                               validators=[Optional(), within_reach])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), format=LOCAL_FORMATS,
                                                validators=[Optional(), within_reach])
    requires_approval = BooleanField(_l("Registrations need approval"))
    requires_press_card = BooleanField(_l("A press card number is required"))


class CancelForm(AppForm):
    """Cancel an event, an occurrence or a series: the reason goes to every registrant."""

    reason = TextAreaField(_l("Reason (sent to registrants)"), filters=[strip],
                           validators=[DataRequired(), Length(max=500)])


class AgendaItemForm(AppForm):
    """One programme item."""

    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMATS, validators=[DataRequired(), within_reach])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMATS, validators=[DataRequired(), within_reach])
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=300)])
    speaker = StringField(_l("Speaker"), filters=[strip], validators=[Optional(), Length(max=150)])
    speaker_organisation_id = SelectField(_l("Speaker's organisation"), coerce=optional_int, validators=[Optional()])
    speaker_organisation_name = StringField(_l("Or organisation name"), filters=[strip],
                                            validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=2000)])
    is_parallel = BooleanField(_l("Parallel session (may overlap other items)"))


QUOTA_VALIDATORS = [NumberRange(min=0, max=1000, message=RANGE_MESSAGE)]


class AddSitesForm(AppForm):
    """Add participating sites: all at once, by region, by organisation kind, or one by one."""

    scope = RadioField(_l("Sites to add"), default="all", choices=[
        ("all", _l("All active sites")), ("region", _l("Sites of a region")),
        ("organisation_kind", _l("Sites of a kind of organisation")), ("pick", _l("Sites ticked below"))])
    region = SelectField(_l("Region"), validators=[Optional()])
    organisation_kind = SelectField(_l("Kind of organisation"), validators=[Optional()])
    site_ids = CheckboxListField(_l("Sites"), coerce=int, validators=[Optional()])
    default_quota = IntegerField(_l("Default quota per site"), default=5,
                                 validators=[InputRequired(message=_l("Enter a quota.")), *QUOTA_VALIDATORS])


class SiteRowForm(Form):
    """One participating site's overrides (a sub-form: the outer form carries the CSRF token)."""

    site_id = HiddenField()
    quota = IntegerField(_l("Quota"), validators=[InputRequired(message=_l("Enter a quota.")), *QUOTA_VALIDATORS])
    room = StringField(_l("Room"), filters=[strip], validators=[Optional(), Length(max=200)])
    join_url = StringField(_l("Own link"), filters=[strip], validators=[
        Optional(), Length(max=500), URL(message=_l("Enter a full web address (https://…)."))])
    passcode = StringField(_l("Passcode"), filters=[strip], validators=[Optional(), Length(max=60)])
    remove = BooleanField(_l("Remove"))


class SitesTableForm(AppForm):
    """Every participating site with its quota and join details, saved at once."""

    sites = FieldList(FormField(SiteRowForm))
