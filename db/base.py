"""The one declarative base every model is mapped on."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, MetaData
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase

from db.types import JSONDocument, UTCDateTime

# Stable constraint names, so Alembic can alter them later on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_class]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Enums are stored by their stable code (the value), as plain strings: adding a member
    # later needs no migration of a native enum type or CHECK constraint.
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        enum.Enum: SAEnum(enum.Enum, native_enum=False, length=32, values_callable=_enum_values),
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSONDocument,
        list[Any]: JSONDocument,
    }
