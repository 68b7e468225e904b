"""Finding people by what someone typed: one search for every screen that looks people up."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from eventapp.directory.models import Person

MAX_QUERY_LENGTH = 100
LIKE_ESCAPE = "\\"
# The columns a search looks in unless the screen asks for fewer or more.
DEFAULT_FIELDS = ("full_name", "email", "phone")


def clean_query(raw: str | None) -> str:
    """What was typed, trimmed and cut short; NUL removed (PostgreSQL refuses it in text)."""
    return (raw or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards escaped: a search for "50%" or "a_b" matches those characters."""
    escaped = (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
               .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def search_people(query: sa.Select, text: str, fields: Iterable[str] = DEFAULT_FIELDS) -> sa.Select:
    """Narrow a query that selects (or joins) Person to people with `text` in one of `fields`,
    case-insensitively and literally; an empty text leaves the query as it is."""
    text = clean_query(text)
    if not text:
        return query
    pattern = like_pattern(text)
    return query.where(sa.or_(*(getattr(Person, name).ilike(pattern, escape=LIKE_ESCAPE)
                                for name in fields)))
