"""The package's field types, and what each one is in every library and format the data meets.

A field of the registry has one of five types, named as in Frictionless Table Schema. This module
is the only place that says what such a field becomes in polars, pandas, pandera, SQLite and
Parquet, and how a curator is told what a cell must hold. It imports nothing heavy: the polars
types are looked up only when asked for.

>>> TYPES["integer"].sqlite, TYPES["integer"].pandas
('INTEGER', 'Int64')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import polars

FieldType = Literal["string", "integer", "number", "date", "boolean"]


@dataclass(frozen=True)
class TypeMap:
    """One field type in each library and format."""

    frictionless: str
    python: type
    polars: str  # the name of the polars data type
    pandas: str  # the pandas dtype the CSV is read as (dates are read as text, then converted)
    sqlite: str
    parquet: str  # the Parquet physical type (and logical type) polars writes
    words: str  # what a cell of this type must hold, for error messages


TYPES: dict[str, TypeMap] = {
    "string": TypeMap("string", str, "String", "string", "TEXT", "BYTE_ARRAY (STRING)", "text"),
    "integer": TypeMap("integer", int, "Int64", "Int64", "INTEGER", "INT64", "a whole number"),
    "number": TypeMap("number", float, "Float64", "Float64", "REAL", "DOUBLE", "a number"),
    "date": TypeMap("date", dt.date, "Date", "string", "TEXT", "INT32 (DATE)",
                    "a date written YYYY-MM-DD"),
    "boolean": TypeMap("boolean", bool, "Boolean", "boolean", "INTEGER", "BOOLEAN",
                       "true or false"),
}
# How a vocabulary column is typed beyond its base type.
ENUM_PANDAS = "ordered categorical"
ENUM_PARQUET = "BYTE_ARRAY (STRING), dictionary-encoded"
DATE_PANDAS = "date32[pyarrow]"


def polars_type(field_type: str, vocabulary: list[str] | None = None) -> polars.DataType:
    """The polars type of a field: its base type, or a ``polars.Enum`` of its vocabulary."""
    import polars as pl

    if vocabulary:
        return pl.Enum(vocabulary)
    dtype: polars.DataType = getattr(pl, TYPES[field_type].polars)()
    return dtype
