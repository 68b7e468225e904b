"""Query-string and form values checked at the edge: a malformed value is a 400 with a message.

One rule for numbers everywhere: ASCII digits only (``int("²")`` raises, ``"١٠".isdigit()`` is true)
and within a range a database column can hold (a 20-digit id overflows PostgreSQL's INTEGER).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeGuard

from flask import request
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL (SQLite's limit is larger)
MAX_PAGE = 100_000  # beyond any list we have; keeps OFFSET far from overflowing
FIRST_YEAR, LAST_YEAR = 1970, 2999  # dates outside these are typing mistakes (and year 0 is no date)


class BadParameter(BadRequest):
    """A query or form value that cannot be used; its description is shown to the user."""


def is_digits(raw: object, max_length: int = 10) -> bool:
    """ASCII digits only, short enough to be parsed cheaply."""
    return isinstance(raw, str) and 0 < len(raw) <= max_length and raw.isascii() and raw.isdigit()


def valid_id(value: object) -> TypeGuard[int]:
    """An int a primary key can hold (bools are not ids)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _source(source: Mapping | None) -> Mapping:
    return request.args if source is None else source


def int_arg(name: str, default: int | None = None, *, low: int = 1, high: int = MAX_ID,
            source: Mapping | None = None) -> int | None:
    """The whole number `name` (query string unless `source` is given); absent or empty gives
    `default`; anything else outside ASCII digits in [low, high] is a BadParameter (400)."""
    raw = _source(source).get(name)
    if raw is None or raw == "":
        return default
    if not (is_digits(raw) and low <= int(raw) <= high):
        raise BadParameter(gettext("“%(name)s” must be a whole number from %(low)s to %(high)s.",
                                   name=name, low=low, high=high))
    return int(raw)


def id_list(name: str, source: MultiDict, *, limit: int = 2000) -> list[int]:
    """Distinct ids sent as repeated `name` fields, sorted; a malformed one is a BadParameter."""
    raw = source.getlist(name)
    if len(raw) > limit:
        raise BadParameter(gettext("At most %(limit)s items can be chosen at once.", limit=limit))
    ids = set()
    for value in raw:
        if not (is_digits(value) and valid_id(int(value))):
            raise BadParameter(gettext("“%(name)s” must list record numbers.", name=name))
        ids.add(int(value))
    return sorted(ids)


def month_arg(name: str, source: Mapping | None = None) -> tuple[int, int] | None:
    """A month as YYYY-MM (years FIRST_YEAR..LAST_YEAR); absent or empty gives None."""
    raw = _source(source).get(name)
    if raw is None or raw == "":
        return None
    year, dash, month = raw.partition("-")
    if (dash and is_digits(year, 4) and len(year) == 4 and is_digits(month, 2) and len(month) == 2
            and FIRST_YEAR <= int(year) <= LAST_YEAR and 1 <= int(month) <= 12):
        return int(year), int(month)
    raise BadParameter(gettext("“%(name)s” must be a month written YYYY-MM between %(first)s and %(last)s.",
                               name=name, first=FIRST_YEAR, last=LAST_YEAR))
