"""HTML helpers for console tests."""

from __future__ import annotations

import re


def field_tag(html: str, field_id: str) -> str:
    """The <input>/<select>/<textarea> opening tag with this id."""
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)
    assert match, f"no field {field_id}"
    return match.group(0)


def assert_field_error(html: str, field_id: str, message: str) -> None:
    assert "is-invalid" in field_tag(html, field_id), f"{field_id} is not marked invalid"
    assert message in html, message


def value_of(html: str, field_id: str) -> str | None:
    match = re.search(r'value="([^"]*)"', field_tag(html, field_id))
    return match.group(1) if match else None
