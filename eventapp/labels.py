"""What each enum value is called on screen: one table per enum, read through the `label` filter.

Each domain's labels module registers its tables (`enum_labels(SomeEnum, {...})`); templates say
`{{ registration.status|label }}`, Python says `label(registration.status)`. A table must name
every member, so a new value cannot reach a page unnamed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

E = TypeVar("E", bound=enum.Enum)

_TABLES: dict[type[enum.Enum], Mapping[Any, object]] = {}


def enum_labels(enum_cls: type[E], table: Mapping[E, object]) -> Mapping[E, object]:
    """Register the one table of `enum_cls` (lazy translated strings) and return it."""
    missing = [member for member in enum_cls if member not in table]
    if missing:
        raise ValueError(f"{enum_cls.__name__} has no label for {missing}")
    if enum_cls in _TABLES and _TABLES[enum_cls] is not table:
        raise ValueError(f"{enum_cls.__name__} already has a label table")
    _TABLES[enum_cls] = table
    return table


def label(value: enum.Enum | None) -> str:
    """The translated name of an enum member ("" for None)."""
    if value is None:
        return ""
    return str(_TABLES[type(value)][value])
