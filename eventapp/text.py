"""Text rules every domain shares (pure): no control characters, one line where a header needs it."""

from __future__ import annotations

import re
import unicodedata

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_chars(value: str) -> bool:
    return bool(CONTROL.search(value)) or any(unicodedata.category(ch) == "Cs" for ch in value)


def is_single_line(value: str) -> bool:
    """No control character at all (line feed, carriage return, tab included) and no Unicode line
    or paragraph separator: names and addresses end up in e-mail headers and invitations' lines."""
    return not any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in value)
