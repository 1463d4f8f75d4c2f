"""`validate.passes`, the one-query reading of a table's pandera schema, says a table keeps the
schema exactly where pandera finds nothing to report."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandera.errors
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_ru_data.fieldtypes import polars_type
from dprk_ru_data.registry import TABLES
from dprk_ru_data.validate import passes, schema

from .conftest import ROOT, examples

NAMES = sorted(TABLES)
# Values that keep or break the kinds of checks the registry declares: vocabularies, patterns,
# lengths, ranges, required values, and the rules between columns.
VALUES = {
    pl.String: st.one_of(st.none(), st.sampled_from(["", "x", "unknown", "RU", "RU-KRS", "te-001",
                                                     "a" * 3000, " padded", "2024-01-01"])),
    pl.Int64: st.one_of(st.none(), st.integers(-10, 10), st.just(10 ** 12)),
    pl.Float64: st.one_of(st.none(), st.floats(-2, 2, allow_nan=True)),
    pl.Date: st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))),
    pl.Boolean: st.one_of(st.none(), st.booleans()),
}


@lru_cache(maxsize=None)
def _built(name: str) -> pl.DataFrame:
    """The committed table `name`, typed as the build types it before its checks."""
    table = TABLES[name]
    return pl.read_csv(ROOT / "build" / f"{name}.csv",
                       schema={f.name: polars_type(f.type) for f in table.fields})


def _pandera_passes(name: str, frame: pl.DataFrame) -> bool:
    try:
        schema(TABLES[name]).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors:
        return False
    return True


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, pl.DataFrame]:
    name = draw(st.sampled_from(NAMES))
    frame = _built(name)
    for _ in range(draw(st.integers(0, 3))):
        column = draw(st.sampled_from(frame.columns))
        row = draw(st.integers(0, frame.height - 1))
        dtype = frame.schema[column]
        value = draw(VALUES[dtype]) if dtype in VALUES else None
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value, dtype))
            .otherwise(pl.col(column)).alias(column))
    return name, frame


@settings(max_examples=examples(60), deadline=None)
@given(edited())
def test_passes_says_what_pandera_says(case: tuple[str, pl.DataFrame]) -> None:
    name, frame = case
    assert passes(TABLES[name], frame) == _pandera_passes(name, frame)


def test_the_committed_tables_pass_and_a_broken_one_does_not() -> None:
    for name in NAMES:
        assert passes(TABLES[name], _built(name)), name
    actors = _built("actors")
    required = next(f.name for f in TABLES["actors"].fields if f.required)
    assert not passes(TABLES["actors"], actors.with_columns(pl.lit(None, pl.String).alias(required)))
    assert not passes(TABLES["actors"], actors.drop(required))  # a column missing
