"""Field rules shared by the public form, the console forms and bulk imports (pure, no DB)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from eventapp.directory.models import normalise_text
from eventapp.text import has_control_chars, is_single_line

MAX_NAME = 150
MAX_EMAIL = 254
MAX_PHONE = 30
MAX_POSITION = 150
MAX_PRESS_CARD = 40
MAX_OUTLET = 200
MAX_QUESTIONS = 2000
MAX_REASON = 500

# Digits with the usual separators, an optional leading +; 8 to 15 digits in all (E.164).
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ().-]*$")

MESSAGES = {
    "name_required": _l("Please enter the full name."),
    "name_length": _l("The full name can be at most %(max)s characters.", max=MAX_NAME),
    "email_required": _l("Please enter an e-mail address."),
    "email_invalid": _l("Please enter a valid e-mail address, e.g. ten@baochi.vn."),
    "email_length": _l("The e-mail address can be at most %(max)s characters.", max=MAX_EMAIL),
    "phone_invalid": _l("Please enter a valid phone number starting with 0 or +84 (8 to 15 digits, e.g. 0912 345 678)."),
    "position_length": _l("The position can be at most %(max)s characters.", max=MAX_POSITION),
    "press_card_required": _l("This event asks for your press card number."),
    "press_card_length": _l("The press card number can be at most %(max)s characters.", max=MAX_PRESS_CARD),
    "outlet_required": _l("Please choose your press outlet or type its name."),
    "outlet_length": _l("The outlet name can be at most %(max)s characters.", max=MAX_OUTLET),
    "questions_length": _l("Questions can be at most %(max)s characters.", max=MAX_QUESTIONS),
    "control_chars": _l("This field contains characters that are not allowed."),
    "single_line": _l("Please write this on one line, without line breaks or tabs."),
}


def clean(value: object, limit: int) -> str:
    """NFC, trimmed, inner whitespace runs kept; length is checked by the caller against `limit`."""
    text = normalise_text(str(value) if value is not None else "")
    return text if len(text) <= limit * 4 else text[: limit * 4]  # never carry megabytes around


def phone_ok(phone: str) -> bool:
    """8 to 15 digits, written as in Vietnam (a leading 0) or internationally (+84 …): a number
    whose 0 was lost on the way (912000444, read from a spreadsheet as a number) is refused."""
    if len(phone) > MAX_PHONE or not PHONE_PATTERN.match(phone):
        return False
    digits = "".join(ch for ch in phone if ch.isdigit())
    return 8 <= len(digits) <= 15 and (phone.startswith("+") or digits.startswith("0"))


def restore_phone(value: str) -> str:
    """A phone number that a spreadsheet stored as a number has lost its leading 0 (912000444) or
    its + (84912000444): put them back; anything else is returned as it was typed."""
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or text.startswith("0"):
        return value
    if text.startswith("84") and len(text) in (11, 12):
        return "+" + text
    if len(text) in (9, 10):
        return "0" + text
    return value


def email_ok(email: str) -> bool:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@dataclass
class PersonFields:
    """A person's details as typed, cleaned; `errors` maps field name to an error code."""

    full_name: str = ""
    email: str = ""
    phone: str = ""
    position: str = ""

    def __post_init__(self) -> None:
        self.errors: dict[str, str] = {}


def check_person(raw: Mapping[str, object], *, email_required: bool) -> PersonFields:
    """Clean and check name, e-mail, phone and position (used for imports and hand entry)."""
    fields = PersonFields(
        full_name=clean(raw.get("full_name"), MAX_NAME), email=clean(raw.get("email"), MAX_EMAIL),
        phone=clean(raw.get("phone"), MAX_PHONE), position=clean(raw.get("position"), MAX_POSITION),
    )
    for name in ("full_name", "email", "phone", "position"):
        if has_control_chars(getattr(fields, name)):
            fields.errors[name] = "control_chars"
        elif not is_single_line(getattr(fields, name)):
            fields.errors[name] = "single_line"
    if not fields.full_name:
        fields.errors.setdefault("full_name", "name_required")
    elif len(fields.full_name) > MAX_NAME:
        fields.errors.setdefault("full_name", "name_length")
    if not fields.email:
        if email_required:
            fields.errors.setdefault("email", "email_required")
    elif len(fields.email) > MAX_EMAIL:
        fields.errors.setdefault("email", "email_length")
    elif not email_ok(fields.email):
        fields.errors.setdefault("email", "email_invalid")
    if fields.phone and not phone_ok(fields.phone):
        fields.errors.setdefault("phone", "phone_invalid")
    if len(fields.position) > MAX_POSITION:
        fields.errors.setdefault("position", "position_length")
    return fields
