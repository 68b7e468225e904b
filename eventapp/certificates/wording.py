"""Placeholders in a certificate's wording: which exist, checking a text, filling it in (pure)."""

from __future__ import annotations

import string
from collections.abc import Mapping

PLACEHOLDERS = ("name", "organisation", "position", "event", "date", "site")


class WordingError(ValueError):
    """A text that cannot be filled in; `placeholder` names the offending one (None: a stray brace)."""

    def __init__(self, placeholder: str | None) -> None:
        super().__init__(placeholder or "brace")
        self.placeholder = placeholder
        self.field: str | None = None  # the form field it came from, set by the service


def check(text: str) -> None:
    """Raise WordingError for an unknown placeholder, a format spec or conversion, or an unmatched
    brace; literal braces are written doubled ({{ and }})."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as error:
        raise WordingError(None) from error
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            raise WordingError("{" + field + (f"!{conversion}" if conversion else "")
                               + (f":{spec}" if spec else "") + "}")


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with each placeholder replaced (call check first: unknown ones raise KeyError)."""
    return text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})
