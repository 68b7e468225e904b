"""The one domain error: a rule refused an action, named by a code, pinned to a form field.

Services raise a subclass (RegistrationError, EventError, RollCallError); each domain registers
how its codes read (`error_messages`), and views show any of them the same way:
`error_message(error)` for a flash, `eventapp.forms.show_error(form, error)` on a form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E", bound="DomainError")


class DomainError(Exception):
    """A domain rule refused the action: `code` names the rule, `field` the input at fault (None:
    the form as a whole), `detail` a value the message shows (a date, a rule part)."""

    def __init__(self, code: str, field: str | None = None, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.field = field
        self.detail = detail


_MESSAGES: dict[type, Callable[[Any], str]] = {}


def error_messages(error_cls: type[E]) -> Callable[[Callable[[E], str]], Callable[[E], str]]:
    """Register the function that words `error_cls`'s codes (translated, in the reader's language)."""
    def register(words: Callable[[E], str]) -> Callable[[E], str]:
        _MESSAGES[error_cls] = words
        return words
    return register


def error_message(error: DomainError) -> str:
    """What the user reads for this error: its domain's wording, else its code."""
    for cls in type(error).__mro__:
        if cls in _MESSAGES:
            return _MESSAGES[cls](error)
    return error.code
