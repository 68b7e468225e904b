"""The base of every form: WTForms' own messages ("This field is required.") in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask import request
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.errors import DomainError, error_message


class CatalogueTranslations:
    """WTForms ships no Vietnamese catalogue, so its built-in messages are looked up in the app's own.

    No formatting here: WTForms fills in %(min)d and the like itself after translating.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


CATALOGUE = CatalogueTranslations()


class AppForm(FlaskForm):
    """A Flask-WTF form (CSRF included) whose WTForms messages come from the app's catalogue."""

    class Meta:
        def get_translations(self, form: Any) -> CatalogueTranslations:
            return CATALOGUE


T = TypeVar("T")


def required(value: T | None) -> T:
    """A required field's data once the form has validated (its validators let no None through)."""
    if value is None:
        raise ValueError("a required field was read before the form validated")
    return value


def form_status(*forms: FlaskForm) -> int:
    """The status of a page that shows forms: 422 when a POST comes back to it with an error on one
    of them (what was typed is kept in the page), else 200."""
    failed = any(form.form_errors or any(field.errors for field in form) for form in forms)
    return 422 if request.method == "POST" and failed else 200


def show_error(form: FlaskForm, error: DomainError, field_map: Mapping[str, str] | None = None,
               default_field: str | None = None) -> None:
    """The one way a domain error reaches a form: on the field that caused it (a service's name is
    looked up in `field_map` first; "sites-0-quota" reaches into a field list), else on
    `default_field`, else above the form."""
    name = (field_map or {}).get(error.field or "", error.field or "") or default_field or ""
    target: Any = form
    for part in name.split("-") if name.startswith("sites-") else [name]:
        target = getattr(target, part, None) if not part.isdigit() else target[int(part)]
        if target is None:
            break
    if target is not None and target is not form and hasattr(target, "errors"):
        target.errors = [*list(target.errors), error_message(error)]
    else:
        form.form_errors.append(error_message(error))


class ConfirmForm(AppForm):
    """A POST with only the CSRF token: the confirm buttons (cancel, skip, retry, revoke, decide)."""


class CheckboxListField(SelectMultipleField):
    """Several choices ticked as checkboxes.

    A plain SelectMultipleField's options render as <option> elements: iterated in a template
    outside a <select>, they show as bare text beside their labels (names doubled, no boxes).
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# WTForms' built-in messages that the app's fields and validators can show, listed here so that
# `make extract-messages` puts them in the catalogue (their text must stay exactly WTForms' own).
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
    _ln("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1),
    _ln("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1),
    _ln("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _ln("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)
