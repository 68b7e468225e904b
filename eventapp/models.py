"""Declarative base with a naming convention, shared column types and mixins."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def rows_changed(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: the result of one is a CursorResult, although
    Session.execute is typed to return any Result."""
    assert isinstance(result, sa.CursorResult), "rows_changed is for UPDATE and DELETE results"
    return result.rowcount or 0


def conflict_insert(model: Any, dialect: str) -> Any:
    """An INSERT into `model` that takes ON CONFLICT clauses, for PostgreSQL or SQLite (the two
    databases the app runs on; both spell them the same way)."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC; accepts only aware datetimes, returns aware UTC.

    SQLite keeps no offset, so the value is normalised to naive UTC on the way in
    and labelled UTC on the way out; PostgreSQL stores timestamptz.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every model, with the project's constraint names."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """created_at / updated_at, maintained by the ORM (updated_at drives feed DTSTAMPs)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


def enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    """The stored string values of a StrEnum, in declaration order."""
    return [member.value for member in enum_cls]


def enum_check(column: str, enum_cls: type[enum.Enum], *, nullable: bool = False) -> sa.CheckConstraint:
    """A CHECK constraint limiting a string column to the enum's values (portable, unlike native enums)."""
    allowed = ", ".join(f"'{value}'" for value in enum_values(enum_cls))
    expression = f"{column} IN ({allowed})"
    if nullable:
        expression = f"{column} IS NULL OR {expression}"
    return sa.CheckConstraint(expression, name=f"{column}_valid")


def enum_column(enum_cls: type[enum.Enum], **kwargs) -> Mapped:
    """A VARCHAR column holding a StrEnum's value (pair it with enum_check in __table_args__)."""
    length = max(len(v) for v in enum_values(enum_cls))
    return mapped_column(
        sa.Enum(
            enum_cls,
            native_enum=False,
            create_constraint=False,
            length=max(length, 20),
            values_callable=enum_values,
            validate_strings=True,
        ),
        **kwargs,
    )
