"""One DomainError: every domain's refusals read through error_message and reach forms by show_error."""

from __future__ import annotations

from wtforms import StringField

from eventapp.errors import DomainError, error_message
from eventapp.events.services import EventError
from eventapp.forms import AppForm, show_error
from eventapp.registrations.services import RegistrationError


class NameForm(AppForm):
    full_name = StringField()


def test_each_domain_words_its_codes(app) -> None:
    with app.test_request_context("/"):  # Vietnamese, the default
        assert error_message(RegistrationError("full")) == "Sự kiện đã hết chỗ."
        assert error_message(RegistrationError("no such code")) == error_message(RegistrationError("transition"))
        assert "BYMONTH" in error_message(EventError("range", "rrule", "BYMONTH"))
        assert error_message(DomainError("unregistered")) == "unregistered"
        assert isinstance(EventError("time"), ValueError) and isinstance(RegistrationError("x"), DomainError)


def test_show_error_on_the_field_or_above_the_form(app) -> None:
    with app.test_request_context("/", method="POST"):
        form = NameForm(meta={"csrf": False})
        form.validate()
        show_error(form, RegistrationError("duplicate", "full_name"))
        assert form.full_name.errors == [error_message(RegistrationError("duplicate"))]
        show_error(form, RegistrationError("full"))
        assert form.form_errors == [error_message(RegistrationError("full"))]
        show_error(form, RegistrationError("quota_full", "no_such_field"), default_field="full_name")
        assert len(form.full_name.errors) == 1 and len(form.form_errors) == 2  # unknown field: above the form
        show_error(form, RegistrationError("quota_full"), default_field="full_name")
        assert len(form.full_name.errors) == 2
